import { lookup as dnsLookup } from 'node:dns/promises';
import { classifyAddress, isMetadataName } from './address-ranges.ts';
import { matchAllowList, type AllowEntry } from './allow-list.ts';
import { formatIp, parseIp, type IpAddress } from './ip-address.ts';

/** Who the connection is made for: the event's owner at run time, the requester for a scan. */
export interface EgressSubject {
  /** Admins may reach internal ranges (loopback, private, link-local...) without a listing. */
  admin: boolean;
}

export interface EgressSettings {
  /** EGRESS_ALLOW: internal destinations every user may reach. */
  allow: readonly AllowEntry[];
  /**
   * EGRESS_ALLOW_METADATA: metadata endpoints (exact addresses or names) that are then
   * treated as internal destinations; all others are refused for everyone.
   */
  allowMetadata: readonly AllowEntry[];
}

/** Resolves a name to every address it has (what `dns.lookup(host, { all: true })` gives). */
export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: Resolver = (host) => dnsLookup(host, { all: true, verbatim: true });

/** A connection the policy refused; its message is what the run fails with. */
export class DestinationNotAllowed extends Error {
  readonly host: string;
  readonly address: string;
  readonly reason: string;
  readonly port: number;

  constructor(host: string, address: string, port: number, reason: string) {
    super(`destination not allowed: ${host} (${address}, ${reason})`);
    this.name = 'DestinationNotAllowed';
    this.host = host;
    this.address = address;
    this.port = port;
    this.reason = reason;
  }
}

/**
 * Whether `error` is the policy's refusal. By name as well as by class: Next.js bundles its
 * own copy of this module, so a refusal thrown by the policy the web process built is not an
 * instance of the bundled class.
 */
export function isDestinationNotAllowed(error: unknown): error is DestinationNotAllowed {
  return (
    error instanceof DestinationNotAllowed ||
    (error instanceof Error && error.name === 'DestinationNotAllowed' && 'reason' in error)
  );
}

export type EgressDecision = { allowed: true } | { allowed: false; reason: string };

/**
 * The egress policy: which destinations outbound connections made on a user's behalf (HTTP
 * events, SSH runs, the SSH scan and test) may reach. Cloud metadata endpoints are refused
 * to everyone unless EGRESS_ALLOW_METADATA names them; internal ranges are allowed to admins
 * and to others only where EGRESS_ALLOW lists them; public addresses are allowed.
 *
 * `resolve` is the only way a caller should learn the address to connect to: it resolves the
 * name once, checks every address, and returns one to connect to, so what is checked is what
 * is connected to (no second lookup a rebinding DNS server could answer differently).
 */
export class EgressPolicy {
  readonly #settings: EgressSettings;
  readonly #resolver: Resolver;

  constructor(settings: EgressSettings, resolver: Resolver = systemResolver) {
    this.#settings = settings;
    this.#resolver = resolver;
  }

  /** The allow lists as the administrator wrote them (for the settings page). */
  describe(): { allow: string[]; allowMetadata: string[] } {
    return {
      allow: this.#settings.allow.map((e) => e.text),
      allowMetadata: this.#settings.allowMetadata.map((e) => e.text),
    };
  }

  /** Whether `subject` may connect to `address` (port `port`) that `host` named. */
  decide(
    destination: { host: string; address: IpAddress; port: number },
    subject: EgressSubject,
  ): EgressDecision {
    const byName = isMetadataName(destination.host);
    const kind = byName ? 'metadata' : classifyAddress(destination.address).kind;
    const reason = byName
      ? 'cloud metadata endpoint (by name)'
      : classifyAddress(destination.address).reason;
    if (kind === 'public') return { allowed: true };
    if (kind === 'metadata' && !matchAllowList(this.#settings.allowMetadata, destination))
      return { allowed: false, reason: `${reason}; refused for everyone` };
    if (subject.admin) return { allowed: true };
    if (matchAllowList(this.#settings.allow, destination)) return { allowed: true };
    return { allowed: false, reason: `${reason}; only admins, unless EGRESS_ALLOW lists it` };
  }

  #metadataNameAllowed(host: string, port: number): boolean {
    return (
      matchAllowList(this.#settings.allowMetadata, { host, address: null, port }) !== undefined
    );
  }

  /**
   * The checked address to connect to for `host` (a name or an IP literal, brackets allowed),
   * or DestinationNotAllowed. Every address the name resolves to must be allowed: a name
   * that also points inside is refused rather than half-trusted.
   */
  async resolve(
    host: string,
    port: number,
    subject: EgressSubject,
  ): Promise<{ address: string; family: 4 | 6 }> {
    const bare = host.replace(/^\[(.*)\]$/, '$1');
    const literal = parseIp(bare);
    // A metadata name is refused before any lookup: no query for it leaves this machine.
    if (!literal && isMetadataName(bare) && !this.#metadataNameAllowed(bare, port))
      throw new DestinationNotAllowed(
        bare,
        'not resolved',
        port,
        'cloud metadata endpoint (by name); refused for everyone',
      );
    const addresses = literal
      ? [literal]
      : (await this.#resolver(bare))
          .map((entry) => parseIp(entry.address))
          .filter((ip): ip is IpAddress => ip !== null);
    if (addresses.length === 0)
      throw Object.assign(new Error(`${bare} has no address`), { code: 'ENOTFOUND' });
    for (const address of addresses) {
      const decision = this.decide({ host: bare, address, port }, subject);
      if (!decision.allowed)
        throw new DestinationNotAllowed(bare, formatIp(address), port, decision.reason);
    }
    return { address: formatIp(addresses[0]!), family: addresses[0]!.family };
  }
}
