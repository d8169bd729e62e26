import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature of a generic webhook request: `X-Cronium-Signature: sha256=<hex>` where hex is
 * HMAC-SHA256(signingSecret, `${timestamp}.${body}`) and timestamp (unix seconds) is sent as
 * `X-Cronium-Timestamp`. Signing the timestamp lets a receiver refuse replays of old requests.
 * The body is signed as sent: a string as its UTF-8 bytes, or the raw bytes as received (an
 * inbound webhook verifies what arrived, before any parsing).
 */
export function signWebhook(secret: string, timestamp: number, body: string | Uint8Array): string {
  const hmac = createHmac('sha256', secret).update(`${timestamp}.`).update(body);
  return `sha256=${hmac.digest('hex')}`;
}

/** What a receiver does (also the README's example): constant-time compare and a time window. */
export function verifyWebhookSignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string | Uint8Array,
  options: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!Number.isInteger(timestamp) || !headers.signature) return false;
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
