import type { Db } from '@cronium/db';
import type { Logger } from '@cronium/logger';
import { nextScheduleDue, runSchedulePass, type EnqueuedRun } from '@cronium/scheduler';
import { WakeSignal } from './wake-signal.ts';

/**
 * Long enough for a schedule pass (a handful of round trips, slower on a loaded machine),
 * short enough that pausing an event this close to a slot rarely meets an already queued run.
 */
const DEFAULT_LEAD_MS = 50;

/**
 * Runs schedule passes: `leadMs` before the earliest schedule is due (a timer to that
 * instant), when told a schedule changed (NOTIFY), and at least every `maxIdleMs`. A pass
 * queues the runs of slots due within `leadMs` to become claimable at their slot, so the
 * pass's round trips are done before the due time instead of after it.
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
  }) {
    this.#o = {
      maxIdleMs: 1_000,
      leadMs: DEFAULT_LEAD_MS,
      clock: () => new Date(),
      onEnqueued: () => undefined,
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
        if (result.enqueued > 0) this.#o.onEnqueued(result.runs);
        if (result.ticks > 0) this.#o.logger.debug(result, 'schedule pass');
        const next = await nextScheduleDue(this.#o.db);
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
