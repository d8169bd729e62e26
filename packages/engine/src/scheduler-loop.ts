import type { Db } from '@cronium/db';
import type { Logger } from '@cronium/logger';
import { nextScheduledRunAt, promoteScheduledRuns } from '@cronium/run-queue';
import { nextScheduleDue, runSchedulePass, type EnqueuedRun } from '@cronium/scheduler';
import { WakeSignal } from './wake-signal.ts';

/**
 * Long enough for a schedule pass (a handful of round trips, slower on a loaded machine),
 * short enough that pausing an event this close to a slot rarely meets an already queued run.
 */
const DEFAULT_LEAD_MS = 50;

/**
 * Runs schedule passes: `leadMs` before the earliest schedule or scheduled run is due (a timer
 * to that instant), when told a schedule changed or a run was scheduled (NOTIFY), and at least
 * every `maxIdleMs`. A pass queues the runs of slots due within `leadMs` to become claimable
 * at their slot, and promotes the scheduled runs (asked for a time) due within `leadMs` the
 * same way, so the pass's round trips are done before the due time instead of after it.
 * Scheduled runs whose time passed while no orchestrator ran are promoted by the first pass.
 */
export class SchedulerLoop {
  readonly #o: {
    db: Db;
    logger: Logger;
    misfireThresholdMs: number;
    maxIdleMs: number;
    leadMs: number;
    clock: () => Date;
    onEnqueued: (runs: EnqueuedRun[]) => void;
    onSkipped: (runs: Omit<EnqueuedRun, 'runAt'>[]) => void;
  };
  #stopping = false;
  readonly #wakeSignal = new WakeSignal();
  #loop: Promise<void> | undefined;

  constructor(options: {
    db: Db;
    logger: Logger;
    misfireThresholdMs: number;
    maxIdleMs?: number;
    /** How long before a slot is due its run is queued (claimable at the slot); default 50. */
    leadMs?: number;
    clock?: () => Date;
    /**
     * Told when a pass created runs, so a worker in this process claims each at its `runAt`
     * (`RunWorker.wakeAt`).
     */
    onEnqueued?: (runs: EnqueuedRun[]) => void;
    /** Told when scheduled runs were skipped at their time (policy skip): now `cancelled`. */
    onSkipped?: (runs: Omit<EnqueuedRun, 'runAt'>[]) => void;
  }) {
    this.#o = {
      maxIdleMs: 1_000,
      leadMs: DEFAULT_LEAD_MS,
      clock: () => new Date(),
      onEnqueued: () => undefined,
      onSkipped: () => undefined,
      ...options,
    };
  }

  start(): void {
    this.#loop = this.#run();
  }

  /** A wake-up during a pass is kept: the loop passes again at once instead of sleeping. */
  wake(): void {
    this.#wakeSignal.wake();
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.wake();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      let delay = this.#o.maxIdleMs;
      try {
        const result = await runSchedulePass(this.#o.db, {
          now: this.#o.clock(),
          misfireThresholdMs: this.#o.misfireThresholdMs,
          leadMs: this.#o.leadMs,
          onInvalidSchedule: (eventId, error) =>
            this.#o.logger.warn({ eventId, reason: error.message }, 'schedule cannot be evaluated'),
        });
        const now = this.#o.clock();
        const promoted = await promoteScheduledRuns(this.#o.db, {
          horizon: new Date(now.getTime() + this.#o.leadMs),
        });
        if (result.enqueued > 0 || promoted.queued.length > 0)
          this.#o.onEnqueued([...result.runs, ...promoted.queued]);
        if (promoted.skipped.length > 0) {
          this.#o.logger.info(
            { runIds: promoted.skipped.map((r) => r.runId) },
            'scheduled runs skipped at their time (policy skip)',
          );
          this.#o.onSkipped(promoted.skipped);
        }
        if (result.ticks > 0) this.#o.logger.debug(result, 'schedule pass');
        const [nextSchedule, nextRun] = await Promise.all([
          nextScheduleDue(this.#o.db),
          nextScheduledRunAt(this.#o.db),
        ]);
        for (const next of [nextSchedule, nextRun])
          if (next)
            delay = Math.max(
              0,
              Math.min(delay, next.getTime() - this.#o.leadMs - this.#o.clock().getTime()),
            );
      } catch (error) {
        this.#o.logger.error({ err: error }, 'schedule pass failed');
      }
      if (this.#stopping) break;
      await this.#wakeSignal.sleep(delay);
    }
  }
}
