import { fillSecrets } from '@cronium/contracts';
import { isDestinationNotAllowed } from '@cronium/egress';
import { fetchWithRedirects, guardedAgent, RedirectRefused } from '@cronium/egress/http';
import type {
  EgressFor,
  ExecutionContext,
  ExecutionRequest,
  ExecutionResult,
  Executor,
} from './executor.ts';

type Response = Awaited<ReturnType<typeof fetchWithRedirects>>['response'];

export interface HttpExecutorOptions {
  /** Response bodies beyond this are cut (and said so). */
  maxBodyBytes?: number;
  /** Redirects followed, each hop checked like the first request. */
  maxRedirects?: number;
  /** Every connection of the attempt, each redirect hop's too, goes where this allows. */
  egress: EgressFor;
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
 * and logs a summary and the body. A non-2xx status fails the attempt. Connections go only
 * to addresses the egress policy allows the event's owner, checked when each socket opens
 * (so redirects and DNS rebinding are checked too); a refusal fails the attempt with
 * "destination not allowed: host (address, reason)".
 */
export class HttpExecutor implements Executor {
  readonly kind = 'http';
  readonly #maxBodyBytes: number;
  readonly #maxRedirects: number;
  readonly #egress: EgressFor;

  constructor(options: HttpExecutorOptions) {
    this.#maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
    this.#maxRedirects = options.maxRedirects ?? 10;
    this.#egress = options.egress;
  }

  async run(request: ExecutionRequest, context: ExecutionContext): Promise<ExecutionResult> {
    if (!request.http)
      return { status: 'failed', exitCode: null, error: 'not an HTTP request event' };
    const { method, url } = request.http;
    const log = (text: string, stream: 'stdout' | 'system' = 'system') =>
      context.onLog({ stream, at: new Date(), text });
    const started = performance.now();
    // The log shows the request as written: `{{secrets.NAME}}`, never the value.
    log(`${method} ${url}`);
    const filled = fillSecrets(request.http, request.env);
    if ('missing' in filled) {
      const error = `the request uses {{secrets.${filled.missing}}}, which this event's secret environment does not have`;
      log(error);
      return { status: 'failed', exitCode: null, error };
    }
    const agent = guardedAgent(await this.#egress(request));
    try {
      return await this.#send(filled, agent, context, log, started);
    } finally {
      void agent.destroy().catch(() => {});
    }
  }

  async #send(
    http: NonNullable<ExecutionRequest['http']>,
    agent: ReturnType<typeof guardedAgent>,
    context: ExecutionContext,
    log: (text: string, stream?: 'stdout' | 'system') => void,
    started: number,
  ): Promise<ExecutionResult> {
    let response: Response;
    try {
      ({ response } = await fetchWithRedirects(http, {
        dispatcher: agent,
        signal: context.signal,
        maxRedirects: this.#maxRedirects,
        onRedirect: (hop) => log(`${hop.status} redirect to ${hop.method} ${hop.to}`),
      }));
    } catch (error) {
      const refused = refusalIn(error);
      if (refused) {
        log(refused.message);
        return { status: 'failed', exitCode: null, error: refused.message };
      }
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

/** The policy's refusal (fetch wraps connect errors in a TypeError), or a refused redirect. */
function refusalIn(error: unknown): Error | undefined {
  for (let e = error as Error | undefined, depth = 0; e && depth < 5; depth += 1) {
    if (isDestinationNotAllowed(e) || e instanceof RedirectRefused) return e;
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

/** fetch hides the network error (ECONNREFUSED, ENOTFOUND...) in its cause, sometimes an AggregateError. */
function describeFetchError(error: unknown): string {
  const cause = (error as NetworkError).cause;
  const inner = cause?.code ? cause : (cause?.errors?.find((e) => e.code) ?? cause?.cause);
  if (inner?.code) return `${inner.code}${inner.message ? ` ${inner.message}` : ''}`;
  return cause?.message ?? (error as Error).message;
}
