import type { ExecutionContext, ExecutionRequest, ExecutionResult, Executor } from './executor.ts';

export interface HttpExecutorOptions {
  /** Response bodies beyond this are cut (and said so). */
  maxBodyBytes?: number;
}

async function readCapped(
  response: Response,
  maxBytes: number,
): Promise<{ body: string; truncated: boolean; bytes: number }> {
  if (!response.body) return { body: '', truncated: false, bytes: 0 };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = maxBytes - bytes;
    if (value.byteLength > room) {
      chunks.push(value.subarray(0, room));
      bytes += room;
      truncated = true;
      await reader.cancel();
      break;
    }
    chunks.push(value);
    bytes += value.byteLength;
  }
  return { body: Buffer.concat(chunks).toString('utf8'), truncated, bytes };
}

/**
 * HTTP_REQUEST events: sends the request, records status, headers and the (capped) body,
 * and logs a summary and the body. A non-2xx status fails the attempt.
 */
export class HttpExecutor implements Executor {
  readonly kind = 'http';
  readonly #maxBodyBytes: number;

  constructor(options: HttpExecutorOptions = {}) {
    this.#maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  }

  async run(request: ExecutionRequest, context: ExecutionContext): Promise<ExecutionResult> {
    if (!request.http)
      return { status: 'failed', exitCode: null, error: 'not an HTTP request event' };
    const { method, url, headers, body } = request.http;
    const log = (text: string, stream: 'stdout' | 'system' = 'system') =>
      context.onLog({ stream, at: new Date(), text });
    const started = performance.now();
    log(`${method} ${url}`);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: method === 'GET' || method === 'HEAD' ? undefined : (body ?? undefined),
        signal: context.signal,
        redirect: 'follow',
      });
    } catch (error) {
      const reason = context.signal.aborted
        ? `aborted (${String(context.signal.reason)})`
        : describeFetchError(error);
      log(`request failed: ${reason}`);
      return { status: 'failed', exitCode: null, error: `request failed: ${reason}` };
    }
    let read: { body: string; truncated: boolean; bytes: number };
    try {
      read = await readCapped(response, this.#maxBodyBytes);
    } catch (error) {
      const reason = context.signal.aborted
        ? `aborted (${String(context.signal.reason)})`
        : (error as Error).message;
      return { status: 'failed', exitCode: null, error: `reading the response failed: ${reason}` };
    }
    const ms = Math.round(performance.now() - started);
    log(
      `${response.status} ${response.statusText} in ${ms} ms, ${read.bytes} bytes${read.truncated ? ` (cut at ${this.#maxBodyBytes})` : ''}`,
    );
    for (const line of read.body.split('\n')) if (line.length > 0) log(line, 'stdout');
    const result = {
      status: response.status,
      statusText: response.statusText,
      headers: Object.fromEntries(response.headers.entries()),
      body: read.body,
      bodyTruncated: read.truncated,
      durationMs: ms,
    };
    return response.ok
      ? { status: 'succeeded', exitCode: null, result }
      : {
          status: 'failed',
          exitCode: null,
          error: `HTTP ${response.status} ${response.statusText}`,
          result,
        };
  }
}

type NetworkError = {
  code?: string;
  message?: string;
  errors?: NetworkError[];
  cause?: NetworkError;
};

/** fetch hides the network error (ECONNREFUSED, ENOTFOUND...) in its cause, sometimes an AggregateError. */
function describeFetchError(error: unknown): string {
  const cause = (error as NetworkError).cause;
  const inner = cause?.code ? cause : (cause?.errors?.find((e) => e.code) ?? cause?.cause);
  if (inner?.code) return `${inner.code}${inner.message ? ` ${inner.message}` : ''}`;
  return cause?.message ?? (error as Error).message;
}
