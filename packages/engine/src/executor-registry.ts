import type { Executor } from '@cronium/executors';
import type { ClaimedRun } from '@cronium/run-queue';
import type { TargetKind } from '@cronium/contracts';

/**
 * Picks the backend for a run: HTTP and tool events go to their executors; scripts to the executor
 * of their event's target. A target with no executor configured here fails the run with a
 * clear error instead of running it somewhere else.
 */
export class ExecutorRegistry {
  readonly #byTarget: Map<string, Executor>;
  readonly #http: Executor;
  readonly #tool: Executor | undefined;

  constructor(options: {
    http: Executor;
    tool?: Executor;
    targets: Partial<Record<TargetKind, Executor>>;
  }) {
    this.#http = options.http;
    this.#tool = options.tool;
    this.#byTarget = new Map(
      Object.entries(options.targets).filter(
        (entry): entry is [string, Executor] => entry[1] !== undefined,
      ),
    );
  }

  /** Adds a backend found at start (the container executor, when a Docker engine answers). */
  register(target: TargetKind, executor: Executor): void {
    this.#byTarget.set(target, executor);
  }

  select(run: ClaimedRun): Executor | { error: string } {
    if (run.event.type === 'http') return this.#http;
    if (run.event.type === 'tool')
      return this.#tool ?? { error: 'no tool executor is available on this orchestrator' };
    const executor = this.#byTarget.get(run.event.targetKind);
    return (
      executor ?? { error: `no ${run.event.targetKind} executor is available on this orchestrator` }
    );
  }
}
