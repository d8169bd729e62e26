import { normalizeHostName } from './address-ranges.ts';
import { inRange, parseRange, type IpAddress, type IpRange } from './ip-address.ts';

/** One entry of EGRESS_ALLOW / EGRESS_ALLOW_METADATA. */
export type AllowEntry = (
  | { kind: 'range'; range: IpRange }
  | { kind: 'name'; name: string }
  | { kind: 'suffix'; suffix: string }
) & { port: number | null; text: string };

const HOST_NAME = /^(?=.{1,253}$)[a-z0-9_]([a-z0-9_-]{0,62})(\.[a-z0-9_]([a-z0-9_-]{0,62}))*$/;

/**
 * Parses one entry: an address or CIDR range (`10.1.0.0/16`, `fd00::/8`), a host name
 * (`git.internal`), a name suffix (`*.corp.example`), each optionally with a port
 * (`10.1.2.3:5432`, `[fd00::1]:443`, `[fd00::/8]:443`, `git.internal:443`). Null when invalid.
 */
export function parseAllowEntry(raw: string): AllowEntry | null {
  const text = raw.trim();
  let host = text;
  let port: number | null = null;
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1]!;
    port = bracketed[2] === undefined ? null : Number(bracketed[2]);
  } else if ((text.match(/:/g) ?? []).length === 1) {
    const [name, digits] = text.split(':');
    if (!/^\d{1,5}$/.test(digits!)) return null;
    host = name!;
    port = Number(digits);
  }
  if (port !== null && (port < 1 || port > 65_535)) return null;
  const asRange = parseRange(host);
  if (asRange) return { kind: 'range', range: asRange, port, text };
  if (bracketed) return null;
  const name = normalizeHostName(host);
  if (name.startsWith('*.') && HOST_NAME.test(name.slice(2)))
    return { kind: 'suffix', suffix: name.slice(1), port, text };
  if (HOST_NAME.test(name)) return { kind: 'name', name, port, text };
  return null;
}

/** A comma-separated list of entries, or the entries that are not valid. */
export function parseAllowList(
  raw: string | undefined,
): { ok: true; entries: AllowEntry[] } | { ok: false; invalid: string[] } {
  const parts = (raw ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const entries: AllowEntry[] = [];
  const invalid: string[] = [];
  for (const part of parts) {
    const entry = parseAllowEntry(part);
    if (entry) entries.push(entry);
    else invalid.push(part);
  }
  return invalid.length > 0 ? { ok: false, invalid } : { ok: true, entries };
}

/** For an app's env schema: whether the whole list is valid. */
export const ALLOW_LIST_PATTERN = { test: (raw: string) => parseAllowList(raw).ok };
export const ALLOW_LIST_HINT =
  'comma-separated addresses, CIDR ranges or host names, each with an optional :port, such as 10.1.0.0/16,git.internal,[fd00::5]:443';

/** The first entry that covers this destination (the name the user gave, or the address). */
export function matchAllowList(
  entries: readonly AllowEntry[],
  destination: { host: string; address: IpAddress | null; port: number },
): AllowEntry | undefined {
  const name = normalizeHostName(destination.host);
  return entries.find((entry) => {
    if (entry.port !== null && entry.port !== destination.port) return false;
    if (entry.kind === 'range')
      return destination.address !== null && inRange(destination.address, entry.range);
    if (entry.kind === 'name') return entry.name === name;
    return name.endsWith(entry.suffix);
  });
}
