/**
 * The outcome of one tool action, the same for every kind (and for the SDKs' executeToolAction).
 * `retryable` says whether sending the same action again may succeed (429, 5xx, a network
 * error, an SMTP 4xx); `retryAfterMs` is the server's own wish (Retry-After) when it said one.
 * `error` and `detail` never contain a credential.
 */
export type ToolResult = ToolSuccess | ToolFailure;
export type ToolSuccess = { ok: true; status?: number; detail: string };
export type ToolFailure = {
  ok: false;
  retryable: boolean;
  retryAfterMs?: number;
  error: string;
  status?: number;
};

export const succeeded = (detail: string, status?: number): ToolSuccess =>
  status === undefined ? { ok: true, detail } : { ok: true, status, detail };

export const failed = (
  error: string,
  retryable: boolean,
  extra: { status?: number; retryAfterMs?: number } = {},
): ToolFailure => ({ ok: false, retryable, error, ...extra });

/** Longest Retry-After honoured; beyond it the caller's own backoff applies. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

/** Retry-After as milliseconds: delta-seconds or an HTTP date (RFC 9110 10.2.3). */
export function parseRetryAfter(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  if (!value) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(at - now, 0), MAX_RETRY_AFTER_MS);
}

/** Replaces every secret (and its URL-encoded form) by `[redacted]` in text shown to users. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)]))
      out = out.split(form).join('[redacted]');
  }
  return out;
}
