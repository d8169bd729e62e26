// A webhook sender for tests: signs as docs/webhooks.md tells senders to, computed here
// independently of the server's code (node:crypto only).
import { createHmac } from 'node:crypto';

export interface Delivery {
  status: number;
  type: string;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read any JSON shape
  json: any;
}

export interface DeliveryOptions {
  body?: string | Buffer;
  contentType?: string;
  /** HMAC mode: sign with this secret (default: the one given to `deliver`). */
  timestamp?: number;
  /** Bearer mode instead of a signature. */
  bearer?: boolean;
  /** No credential at all. */
  unsigned?: boolean;
  headers?: Record<string, string>;
  wait?: number;
}

export function signature(secret: string, timestamp: number, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** POSTs to a webhook URL, signed with `secret` (or as a bearer), and reads the answer. */
export async function deliver(
  url: string,
  secret: string,
  options: DeliveryOptions = {},
): Promise<Delivery> {
  const body = options.body ?? '{}';
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const credential: Record<string, string> = options.unsigned
    ? {}
    : options.bearer
      ? { authorization: `Bearer ${secret}` }
      : {
          'x-cronium-timestamp': String(timestamp),
          'x-cronium-signature': signature(secret, timestamp, body),
        };
  const response = await fetch(options.wait === undefined ? url : `${url}?wait=${options.wait}`, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/json',
      ...credential,
      ...options.headers,
    },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    headers: response.headers,
    json: text ? JSON.parse(text) : undefined,
  };
}
