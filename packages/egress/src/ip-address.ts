import { isIPv4, isIPv6 } from 'node:net';

/** An IP address as a number: 32 bits for IPv4, 128 for IPv6. */
export interface IpAddress {
  family: 4 | 6;
  value: bigint;
}

/** `[::1]` and `::1` alike, with an IPv6 zone (`%eth0`) dropped; null when not an IP literal. */
export function parseIp(text: string): IpAddress | null {
  const bare = text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  if (isIPv4(bare)) return { family: 4, value: ipv4Value(bare) };
  if (isIPv6(bare)) return { family: 6, value: ipv6Value(bare) };
  return null;
}

function ipv4Value(dotted: string): bigint {
  return dotted.split('.').reduce((sum, part) => (sum << 8n) | BigInt(Number(part)), 0n);
}

function ipv6Value(text: string): bigint {
  let words: number[];
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const wordsOf = (part: string): number[] => {
    if (part === '') return [];
    return part.split(':').flatMap((group) => {
      if (group.includes('.')) {
        const v4 = Number(ipv4Value(group));
        return [v4 >>> 16, v4 & 0xffff];
      }
      return [parseInt(group, 16)];
    });
  };
  const first = wordsOf(head!);
  if (tail === undefined) words = first;
  else {
    const last = wordsOf(tail);
    words = [...first, ...new Array<number>(8 - first.length - last.length).fill(0), ...last];
  }
  return words.reduce((sum, word) => (sum << 16n) | BigInt(word), 0n);
}

export function formatIp(ip: IpAddress): string {
  if (ip.family === 4)
    return [24n, 16n, 8n, 0n].map((shift) => String((ip.value >> shift) & 0xffn)).join('.');
  const words = Array.from({ length: 8 }, (_, i) =>
    Number((ip.value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16),
  );
  // The longest run of zero words becomes `::` (RFC 5952).
  let best = { at: -1, length: 0 };
  for (let i = 0; i < 8;) {
    if (words[i] !== '0') {
      i += 1;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === '0') j += 1;
    if (j - i > best.length && j - i > 1) best = { at: i, length: j - i };
    i = j;
  }
  if (best.at < 0) return words.join(':');
  return `${words.slice(0, best.at).join(':')}::${words.slice(best.at + best.length).join(':')}`;
}

/** A CIDR range such as `10.0.0.0/8` or `fd00::/8`. */
export interface IpRange {
  family: 4 | 6;
  base: bigint;
  bits: number;
}

export function parseRange(text: string): IpRange | null {
  const [address, bits, ...rest] = text.split('/');
  if (rest.length > 0) return null;
  const ip = parseIp(address ?? '');
  if (!ip) return null;
  const width = ip.family === 4 ? 32 : 128;
  const prefix = bits === undefined ? width : /^\d{1,3}$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= width)) return null;
  return { family: ip.family, base: ip.value >> BigInt(width - prefix), bits: prefix };
}

export function inRange(ip: IpAddress, range: IpRange): boolean {
  if (ip.family !== range.family) return false;
  const width = ip.family === 4 ? 32 : 128;
  return ip.value >> BigInt(width - range.bits) === range.base;
}
