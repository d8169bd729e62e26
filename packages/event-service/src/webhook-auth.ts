// How a webhook request proves it knows the hook's secret (docs/webhooks.md#authentication).
// The signature is the one Cronium's own webhook tool action sends (@cronium/tools).
import { createHash, timingSafeEqual } from 'node:crypto';
import { signWebhook } from '@cronium/tools';

export const TIMESTAMP_HEADER = 'x-cronium-timestamp';
export const SIGNATURE_HEADER = 'x-cronium-signature';

type Headers = Record<string, string | string[] | undefined>;

/** Why a request is not authenticated (each answered 401 and audited under its name). */
export type AuthRefusal =
  | { reason: 'unsigned'; message: string }
  | { reason: 'bad_timestamp'; message: string }
  | { reason: 'stale_timestamp'; message: string }
  | { reason: 'bad_signature'; message: string }
  | { reason: 'bad_secret'; message: string };

function single(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Equal strings, in time that depends on neither their contents nor their lengths. */
function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * HMAC mode, before the body is read: both headers present, and the timestamp (Unix seconds)
 * within the hook's window of the server's clock, in either direction. Returns the timestamp.
 */
export function checkSignatureHeaders(
  headers: Headers,
  windowSeconds: number,
  nowMs: number,
): { timestamp: number } | AuthRefusal {
  const timestamp = single(headers, TIMESTAMP_HEADER);
  const signature = single(headers, SIGNATURE_HEADER);
  if (timestamp === undefined || signature === undefined)
    return {
      reason: 'unsigned',
      message:
        'this webhook needs a signed request: X-Cronium-Timestamp and X-Cronium-Signature (see docs/webhooks.md)',
    };
  if (!/^\d{1,12}$/.test(timestamp.trim()))
    return { reason: 'bad_timestamp', message: 'X-Cronium-Timestamp is not Unix seconds' };
  const skew = Math.round(nowMs / 1000) - Number(timestamp);
  if (Math.abs(skew) > windowSeconds)
    return {
      reason: 'stale_timestamp',
      message: `X-Cronium-Timestamp is ${Math.abs(skew)} s ${skew > 0 ? 'old' : 'in the future'}; this webhook accepts ${windowSeconds} s either way`,
    };
  return { timestamp: Number(timestamp) };
}

/**
 * HMAC mode, with the raw body: `X-Cronium-Signature: sha256=<hex>` of `<timestamp>.<body>`
 * under one of the hook's secrets (the current one, or the previous one during a rotation's
 * grace period). Every secret is tried, so the time taken says nothing about which matched.
 */
export function checkSignature(
  headers: Headers,
  timestamp: number,
  body: Buffer,
  secrets: string[],
): { signature: string } | AuthRefusal {
  const given = (single(headers, SIGNATURE_HEADER) ?? '').trim().toLowerCase();
  const refused = {
    reason: 'bad_signature' as const,
    message:
      'X-Cronium-Signature does not match the body and timestamp under this webhook’s secret',
  };
  if (!/^sha256=[0-9a-f]{64}$/.test(given)) return refused;
  let matched = false;
  for (const secret of secrets) {
    const expected = Buffer.from(signWebhook(secret, timestamp, body));
    if (timingSafeEqual(expected, Buffer.from(given))) matched = true;
  }
  return matched ? { signature: given.slice('sha256='.length) } : refused;
}

/** Bearer mode: `Authorization: Bearer <secret>`, one of the hook's secrets. */
export function checkBearer(headers: Headers, secrets: string[]): { ok: true } | AuthRefusal {
  const authorization = single(headers, 'authorization');
  if (!authorization?.startsWith('Bearer '))
    return {
      reason: 'unsigned',
      message: 'this webhook needs its secret: Authorization: Bearer <secret>',
    };
  const given = authorization.slice('Bearer '.length).trim();
  let matched = false;
  for (const secret of secrets) if (sameSecret(given, secret)) matched = true;
  return matched
    ? { ok: true }
    : { reason: 'bad_secret', message: 'the bearer secret is not this webhook’s' };
}
