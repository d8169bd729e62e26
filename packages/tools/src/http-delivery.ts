import { isDestinationNotAllowed } from '@cronium/egress';
import { guardedAgent } from '@cronium/egress/http';
import type { SendEnvironment } from './tool-sender.ts';
import { failed, parseRetryAfter, redact, type ToolFailure } from './tool-result.ts';

export interface HttpDelivery {
  url: string;
  method: 'POST' | 'PUT' | 'PATCH';
  headers: Record<string, string>;
  body: string;
  /** Strings never to show in an error (tokens, secret URLs and their paths). */
  secrets: (string | undefined)[];
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** How much of a response is read, and how much of it an error quotes. */
const MAX_RESPONSE_BYTES = 64 * 1024;
export const EXCERPT_CHARS = 500;

/**
 * Sends one request through an agent that connects only where the egress policy allows the
 * owner. Redirects are not followed: a webhook that answers 3xx is misconfigured, and
 * following it would resend the message (and a webhook's signature or a bot token) to a
 * destination nobody entered. Returns the answer, or the failure as a ToolResult.
 */
export async function deliverHttp(
  request: HttpDelivery,
  env: SendEnvironment,
): Promise<HttpAnswer | ToolFailure> {
  const url = new URL(request.url);
  const deadline = AbortSignal.timeout(env.timeoutMs);
  const signal = AbortSignal.any([env.signal, deadline]);
  const agent = guardedAgent(env.egress, { connectTimeoutMs: env.timeoutMs });
  try {
    const response = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: request.method,
      headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      body: request.body,
      signal,
      headersTimeout: env.timeoutMs,
      bodyTimeout: env.timeoutMs,
    });
    const chunks: Buffer[] = [];
    let bytes = 0;
    // Only the start of an answer matters (a status word, an error excerpt): stop there.
    for await (const chunk of response.body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      bytes += chunk.length;
      if (bytes >= MAX_RESPONSE_BYTES) break;
    }
    const body = Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8');
    return { status: response.statusCode, headers: response.headers, body };
  } catch (error) {
    const refusal = refusalIn(error);
    if (refusal) return failed(refusal.message, false);
    const reason = deadline.aborted
      ? `timed out after ${env.timeoutMs} ms`
      : env.signal.aborted
        ? `aborted (${String(env.signal.reason)})`
        : describeNetworkError(error);
    return failed(redact(`request failed: ${reason}`, request.secrets), true);
  } finally {
    void agent.destroy().catch(() => {});
  }
}

/**
 * The ToolResult of an answer that is not a success: 429 and 5xx are retryable (with
 * Retry-After), 3xx and other 4xx are not; the error quotes the start of the body.
 */
export function failureOf(answer: HttpAnswer, service: string, secrets: HttpDelivery['secrets']) {
  const { status } = answer;
  const excerpt = redact(answer.body.trim().slice(0, EXCERPT_CHARS), secrets);
  const said = excerpt ? `: ${excerpt}` : '';
  const retryAfter = header(answer, 'retry-after');
  const retryAfterMs = parseRetryAfter(retryAfter);
  const extra = retryAfterMs === undefined ? { status } : { status, retryAfterMs };
  if (status === 429)
    return failed(`${service} answered HTTP 429 (rate limited)${said}`, true, extra);
  if (status >= 500) return failed(`${service} answered HTTP ${status}${said}`, true, extra);
  if (status >= 300 && status < 400)
    return failed(
      `${service} answered HTTP ${status} (a redirect, not followed for tool actions)`,
      false,
      { status },
    );
  return failed(`${service} answered HTTP ${status}${said}`, false, { status });
}

export function header(answer: HttpAnswer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export function isAnswer(value: HttpAnswer | ToolFailure): value is HttpAnswer {
  return 'status' in value && 'body' in value && 'headers' in value;
}

function refusalIn(error: unknown): Error | undefined {
  for (let e = error as Error | undefined, depth = 0; e && depth < 5; depth += 1) {
    if (isDestinationNotAllowed(e)) return e;
    e = e.cause as Error | undefined;
  }
  return undefined;
}

type NetworkError = {
  code?: string;
  message?: string;
  errors?: NetworkError[];
  cause?: NetworkError;
};

function describeNetworkError(error: unknown): string {
  const e = error as NetworkError;
  const inner = e.code ? e : (e.errors?.find((x) => x.code) ?? e.cause);
  if (inner?.code) return `${inner.code}${inner.message ? ` ${inner.message}` : ''}`;
  return e.message ?? String(error);
}
