/**
 * Values shorter than this (in characters, i.e. code points) are not masked: masking a short
 * value such as `a` or `1234` everywhere it occurs would destroy the logs and reveal it anyway.
 */
export const MIN_SECRET_LENGTH = 6;

const LINE_BREAK = /\r\n|\r|\n/;

/**
 * The values masked for one secret: the whole secret and, for a multi-line secret (a PEM key,
 * a password with a newline), each of its lines on its own, because line-oriented output may
 * show one line without the others. Each value is trimmed, since surrounding whitespace is
 * not what makes it secret, and dropped when shorter than `minLength` characters.
 */
export function secretValues(secret: string, minLength: number = MIN_SECRET_LENGTH): string[] {
  const candidates = [secret, ...secret.split(LINE_BREAK)].map((value) => value.trim());
  return [...new Set(candidates)].filter((value) => characterCount(value) >= minLength);
}

export function assertValidMinLength(minLength: number): void {
  if (!Number.isInteger(minLength) || minLength < 1)
    throw new RangeError(`minLength must be a positive integer, got ${minLength}`);
}

function characterCount(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}
