import type { ExecutionContext, ExecutionRequest, ExecutionResult, Executor } from './executor.ts';

/**
 * For tests and benchmarks of the queue, not of a backend: ends each attempt with the
 * outcome `decide` returns, after `delayMs` (abortable), without running anything.
 */
export class FakeExecutor implements Executor {
  readonly kind = 'fake';
  readonly #decide: (request: ExecutionRequest) => ExecutionResult;
  readonly #delayMs: number;

  constructor(
    options: { delayMs?: number; decide?: (request: ExecutionRequest) => ExecutionResult } = {},
  ) {
    this.#delayMs = options.delayMs ?? 0;
    this.#decide = options.decide ?? (() => ({ status: 'succeeded', exitCode: 0 }));
  }

  async run(request: ExecutionRequest, context: ExecutionContext): Promise<ExecutionResult> {
    if (this.#delayMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.#delayMs);
        context.signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
    }
    if (context.signal.aborted)
      return {
        status: 'failed',
        exitCode: null,
        error: `aborted (${String(context.signal.reason)})`,
      };
    return this.#decide(request);
  }
}
