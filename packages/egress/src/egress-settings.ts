import { parseAllowList } from './allow-list.ts';
import type { EgressSettings } from './egress-policy.ts';

/**
 * The policy's settings from the raw EGRESS_ALLOW and EGRESS_ALLOW_METADATA values (each app
 * reads them through its config.ts), or the problems, one per variable, for its ConfigError.
 * Metadata endpoints are allowed by name only: an exact address or host name, never a range
 * or a `*.` suffix, so that allowing one endpoint cannot open the others.
 */
export function egressSettings(raw: {
  allow?: string | undefined;
  allowMetadata?: string | undefined;
}): { ok: true; settings: EgressSettings } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  const allow = parseAllowList(raw.allow);
  if (!allow.ok)
    problems.push(`EGRESS_ALLOW: not an address, range or host: ${allow.invalid.join(', ')}`);
  const metadata = parseAllowList(raw.allowMetadata);
  if (!metadata.ok)
    problems.push(`EGRESS_ALLOW_METADATA: not an address or host: ${metadata.invalid.join(', ')}`);
  else {
    const broad = metadata.entries.filter(
      (e) =>
        e.kind === 'suffix' ||
        (e.kind === 'range' && e.range.bits !== (e.range.family === 4 ? 32 : 128)),
    );
    if (broad.length > 0)
      problems.push(
        `EGRESS_ALLOW_METADATA: name each endpoint (one address or host name), not a range: ${broad.map((e) => e.text).join(', ')}`,
      );
  }
  if (problems.length > 0 || !allow.ok || !metadata.ok) return { ok: false, problems };
  return { ok: true, settings: { allow: allow.entries, allowMetadata: metadata.entries } };
}
