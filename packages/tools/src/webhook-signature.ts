import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The signature of a generic webhook request: `X-Cronium-Signature: sha256=<hex>` where hex is
 * HMAC-SHA256(signingSecret, `${timestamp}.${body}`) and timestamp (unix seconds) is sent as
 * `X-Cronium-Timestamp`. Signing the timestamp lets a receiver refuse replays of old requests.
 */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** What a receiver does (also the README's example): constant-time compare and a time window. */
export function verifyWebhookSignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
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
