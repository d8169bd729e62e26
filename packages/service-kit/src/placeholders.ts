// Values people leave in copied .env files. Accepting them would start a system with a
// guessable secret, so configuration refuses them by name.
const PLACEHOLDER_PATTERNS = [
  /^__REPLACE[_A-Z0-9]*__$/i,
  /^<.*>$/,
  /^\$\{.*\}$/,
  /^change[-_ ]?me$/i,
  /^change[-_ ]?this$/i,
  /^replace[-_ ]?me$/i,
  /^your[-_ ].*(here)?$/i,
  /^todo$/i,
  /^xxx+$/i,
  /^placeholder$/i,
  /^secret$/i,
];

export function isPlaceholder(value: string): boolean {
  const trimmed = value.trim();
  return PLACEHOLDER_PATTERNS.some((pattern) => pattern.test(trimmed));
}
