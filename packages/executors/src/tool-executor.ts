import { sendToolAction, type ToolAction, type ToolContext } from '@cronium/tools';
import type {
  EgressFor,
  ExecutionContext,
  ExecutionRequest,
  ExecutionResult,
  Executor,
} from './executor.ts';

/** Per connection step of one send (connect, TLS, each read). */
const STEP_TIMEOUT_MS = 30_000;

/**
 * `tool` events: sends the event's action (an email, a Slack, Discord or Teams message, a
 * webhook) with its owner's credential, through the egress policy of that owner, its message
 * templates filled from the run. A refusal that trying again cannot change (a 4xx, bad SMTP
 * credentials, a template error) fails the run without retry; 429, 5xx and network errors
 * fail the attempt and leave the retry to the event's retry settings, no sooner than the
 * service's Retry-After.
 */
export class ToolExecutor implements Executor {
  readonly kind = 'tool';
  readonly #egress: EgressFor;

  constructor(options: { egress: EgressFor }) {
    this.#egress = options.egress;
  }

  async run(request: ExecutionRequest, context: ExecutionContext): Promise<ExecutionResult> {
    if (!request.tool) return { status: 'failed', exitCode: null, error: 'not a tool event' };
    const log = (text: string) => context.onLog({ stream: 'system', at: new Date(), text });
    const { kind } = request.tool;
    log(`sending a ${kind} action`);
    const started = performance.now();
    const result = await sendToolAction({
      ...(request.tool as ToolAction),
      context: toolContext(request),
      egress: await this.#egress(request),
      signal: context.signal,
      timeoutMs: STEP_TIMEOUT_MS,
    });
    const took = `${Math.round(performance.now() - started)} ms`;
    if (result.ok) {
      log(`sent in ${took}: ${result.detail}`);
      return {
        status: 'succeeded',
        exitCode: null,
        result: {
          kind,
          ...(result.status ? { status: result.status } : {}),
          detail: result.detail,
        },
      };
    }
    log(
      `not sent (${took}): ${result.error}${result.retryable ? '' : ' (trying again will not help)'}`,
    );
    return {
      status: 'failed',
      exitCode: null,
      error: result.error,
      result: { kind, ...(result.status ? { status: result.status } : {}) },
      ...(result.retryable ? {} : { noRetry: true }),
      ...(result.retryAfterMs ? { retryAfterMs: result.retryAfterMs } : {}),
    };
  }
}

/** What a tool event's templates read: the event, this attempt of the run, its input. */
function toolContext(request: ExecutionRequest): ToolContext {
  return {
    event: { id: request.eventId, name: request.context?.eventName ?? '', type: 'tool' },
    run: {
      id: request.runId,
      status: 'running',
      attempt: request.attempt,
      durationMs: null,
      exitCode: null,
      error: null,
      startedAt: new Date().toISOString(),
      finishedAt: null,
    },
    workflow: null,
    output: null,
    condition: null,
    input: request.context?.input ?? null,
    logs: [],
    variables: request.context?.variables ?? {},
  };
}
