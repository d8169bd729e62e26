import { formatIp, inRange, parseRange, type IpAddress, type IpRange } from './ip-address.ts';

/**
 * What an address is, as far as reaching it on a user's behalf goes:
 * - `metadata`: a cloud provider's instance metadata or platform endpoint (credentials);
 * - `internal`: loopback, link-local, private, shared (CGNAT) and other special ranges: this
 *   machine and its networks;
 * - `public`: anything else.
 */
export type AddressKind = 'metadata' | 'internal' | 'public';

export interface AddressClass {
  kind: AddressKind;
  /** In words, for "destination not allowed: host (address, reason)". */
  reason: string;
}

/** Cloud metadata and platform endpoints, by address. */
const METADATA_ADDRESSES = new Map<string, string>([
  ['169.254.169.254', 'AWS, GCP, Azure, OpenStack, Oracle'],
  ['169.254.170.2', 'AWS ECS task metadata'],
  ['169.254.170.23', 'AWS EKS pod identity'],
  ['169.254.169.253', 'AWS DNS resolver'],
  ['169.254.169.123', 'AWS time service'],
  ['100.100.100.200', 'Alibaba Cloud'],
  ['168.63.129.16', 'Azure WireServer'],
  ['fd00:ec2::254', 'AWS, IPv6'],
  ['fd00:ec2::23', 'AWS EKS pod identity, IPv6'],
  ['fd00:ec2::253', 'AWS DNS resolver, IPv6'],
  ['fd00:ec2::123', 'AWS time service, IPv6'],
]);

/** Cloud metadata endpoints, by name (lower case, no trailing dot). */
export const METADATA_NAMES: readonly string[] = [
  'metadata.google.internal',
  'metadata.goog',
  'metadata',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.azure.internal',
  'metadata.tencentyun.com',
];

const range = (text: string) => parseRange(text)!;

/** Internal and special IPv4 ranges (IANA special-purpose registry), most specific first. */
const IPV4_INTERNAL: [IpRange, string][] = [
  [range('127.0.0.0/8'), 'loopback'],
  [range('0.0.0.0/8'), '"this network" (reaches this machine)'],
  [range('10.0.0.0/8'), 'private range 10.0.0.0/8'],
  [range('172.16.0.0/12'), 'private range 172.16.0.0/12'],
  [range('192.168.0.0/16'), 'private range 192.168.0.0/16'],
  [range('100.64.0.0/10'), 'shared address space (CGNAT) 100.64.0.0/10'],
  [range('169.254.0.0/16'), 'link-local'],
  [range('192.0.0.0/24'), 'IETF protocol assignments 192.0.0.0/24'],
  [range('192.0.2.0/24'), 'documentation range'],
  [range('198.51.100.0/24'), 'documentation range'],
  [range('203.0.113.0/24'), 'documentation range'],
  [range('198.18.0.0/15'), 'benchmarking range 198.18.0.0/15'],
  [range('192.88.99.0/24'), '6to4 relay anycast'],
  [range('224.0.0.0/4'), 'multicast'],
  [range('240.0.0.0/4'), 'reserved (240.0.0.0/4, broadcast)'],
];

/** IPv6 ranges that carry an IPv4 address in their last 32 bits. */
const IPV6_EMBEDDING_LOW32: [IpRange, string][] = [
  [range('::ffff:0:0/96'), 'IPv4-mapped'],
  [range('64:ff9b::/96'), 'NAT64'],
  [range('::/96'), 'IPv4-compatible'],
];

const IPV6_INTERNAL: [IpRange, string][] = [
  [range('::1/128'), 'loopback'],
  [range('::/128'), 'unspecified address (reaches this machine)'],
  [range('64:ff9b:1::/48'), 'local-use NAT64 64:ff9b:1::/48'],
  [range('100::/64'), 'discard-only range'],
  [range('2001::/32'), 'Teredo tunnel'],
  [range('2001:db8::/32'), 'documentation range'],
  [range('2001:10::/28'), 'ORCHID'],
  [range('2001:20::/28'), 'ORCHIDv2'],
  [range('fc00::/7'), 'unique local (private) range fc00::/7'],
  [range('fe80::/10'), 'link-local'],
  [range('fec0::/10'), 'site-local'],
  [range('ff00::/8'), 'multicast'],
];
const IPV6_GLOBAL_UNICAST = range('2000::/3');
const SIX_TO_FOUR = range('2002::/16');

/** What `ip` is; addresses embedding an IPv4 address are judged by the address they carry. */
export function classifyAddress(ip: IpAddress): AddressClass {
  const text = formatIp(ip);
  const metadata = METADATA_ADDRESSES.get(text);
  if (metadata) return { kind: 'metadata', reason: `cloud metadata endpoint (${metadata})` };
  if (ip.family === 4) {
    const internal = IPV4_INTERNAL.find(([r]) => inRange(ip, r));
    return internal ? { kind: 'internal', reason: internal[1] } : { kind: 'public', reason: '' };
  }
  for (const [r, name] of IPV6_EMBEDDING_LOW32)
    if (inRange(ip, r) && ip.value !== 0n && ip.value !== 1n) {
      const inner = classifyAddress({ family: 4, value: ip.value & 0xffffffffn });
      return embedded(inner, name, ip.value & 0xffffffffn);
    }
  if (inRange(ip, SIX_TO_FOUR)) {
    const v4 = (ip.value >> 80n) & 0xffffffffn;
    const inner = classifyAddress({ family: 4, value: v4 });
    if (inner.kind !== 'public') return embedded(inner, '6to4', v4);
  }
  const internal = IPV6_INTERNAL.find(([r]) => inRange(ip, r));
  if (internal) return { kind: 'internal', reason: internal[1] };
  if (!inRange(ip, IPV6_GLOBAL_UNICAST))
    return { kind: 'internal', reason: 'reserved (outside 2000::/3)' };
  return { kind: 'public', reason: '' };
}

function embedded(inner: AddressClass, how: string, v4: bigint): AddressClass {
  const address = formatIp({ family: 4, value: v4 });
  return inner.kind === 'public'
    ? inner
    : { kind: inner.kind, reason: `${how} ${address}: ${inner.reason}` };
}

/** `Metadata.Google.Internal.` -> `metadata.google.internal`. */
export function normalizeHostName(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

export function isMetadataName(host: string): boolean {
  return METADATA_NAMES.includes(normalizeHostName(host));
}
