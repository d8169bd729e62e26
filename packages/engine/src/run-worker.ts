import { SecretMasker } from '@cronium/log-masking';
import { statusEvents } from '@cronium/run-events';
import type {
  AbortReason,
  ExecutionRequest,
  ExecutionResult,
  TargetOutcome,
} from '@cronium/executors';
import {
  claimRuns,
  nextQueuedRunAt,
  recordRunTarget,
  releaseRuns,
  type AttemptOutcome,
  type ClaimedRun,
  type RunFence,
} from '@cronium/run-queue';
import { attemptOutcome } from './attempt-outcome.ts';
import { AttemptLeases, type LeasedAttempt } from './attempt-leases.ts';
import { retryWhileUnavailable } from './database-errors.ts';
import { prepareAttempt } from './attempt-preparation.ts';
import { maskJson } from './mask-run-fields.ts';
import { FinishBatcher } from './finish-batcher.ts';
import type { RunWorkerOptions } from './run-worker-options.ts';
import { WakeSignal } from './wake-signal.ts';
import { RunLogWriter } from './run-log-writer.ts';

export type { RunObserver, RunWorkerOptions } from './run-worker-options.ts';

interface InFlight extends LeasedAttempt {
  done: Promise<void>;
}

/**
 * Claims runs up to its concurrency, executes each through its executor, and keeps their
 * leases alive. Wakes on `wake()` (a NOTIFY, a finished run) and otherwise polls.
 * Cancellation, timeout, lease loss and shutdown all abort the executor's signal with
 * their reason; the outcome is written fenced by the attempt.
 */
export class RunWorker {
  readonly #o: RunWorkerOptions;
  readonly #inFlight = new Map<number, InFlight>();
  /**
   * Attempts whose executor is still running: what the concurrency limits. An attempt whose
   * script has ended but whose outcome is still being written (batched with others) stays in
   * flight, its lease held, but no longer takes a slot.
   */
  readonly #executing = new Set<number>();
  /** When each attempt in flight began (performance.now()), for its duration. */
  readonly #startedAt = new Map<number, number>();
  #stopping = false;
  readonly #wakeSignal = new WakeSignal();
  readonly #wakeTimers = new Map<number, ReturnType<typeof setTimeout>>();
  #loop: Promise<void> | undefined;
  readonly #finisher: FinishBatcher;
  readonly #leases: AttemptLeases;
  /** From the send time of a claim or renewal to when its attempts must be stopped. */
  readonly #stopAfterMs: number;

  constructor(options: RunWorkerOptions) {
    this.#o = options;
    this.#finisher = new FinishBatcher(options.db, {
      onRetry: (error, attempt) => {
        if (attempt === 1 || attempt % 10 === 0)
          options.logger.warn(
            { err: error, attempt },
            'storing a finished run failed; retrying until the database answers',
          );
      },
    });
    const margin = Math.min(options.leaseSafetyMs ?? 6_000, Math.floor(options.leaseMs / 3));
    this.#stopAfterMs = options.leaseMs - margin;
    this.#leases = new AttemptLeases({
      ...options,
      stopAfterMs: this.#stopAfterMs,
      attempts: this.#inFlight,
      isExecuting: (runId) => this.#executing.has(runId),
      onReleased: (runs) => this.#announce(runs),
    });
  }

  get inFlightCount(): number {
    return this.#inFlight.size;
  }

  start(): void {
    this.#loop = this.#claimLoop();
    this.#leases.start();
  }

  /** A wake-up that arrives while the loop is busy is kept, not lost: the next sleep returns at once. */
  wake(): void {
    this.#wakeSignal.wake();
  }

  /**
   * Wakes the claim loop at `at` (a run queued ahead of its time, e.g. a schedule's slot),
   * or now when that has passed. The timer is dropped when the worker stops.
   */
  wakeAt(at: Date): void {
    const key = at.getTime();
    // Runs of one slot share a timer.
    if (this.#wakeTimers.has(key)) return;
    const arm = () => {
      const ms = key - Date.now();
      if (ms < 0 || this.#stopping) {
        this.#wakeTimers.delete(key);
        this.wake();
        return;
      }
      // A timer measures from the event loop's cached time and can fire a little before the
      // wall clock reaches `at`; a claim then would find the run not yet due (and the loop
      // would sleep a whole poll interval). So a millisecond past it, checked on firing.
      this.#wakeTimers.set(key, setTimeout(arm, ms + 1));
    };
    arm();
  }

  /**
   * The liveness session is held again (or lost): attempts stopped while it was gone go back
   * to the queue now rather than when their leases run out; claiming resumes.
   */
  async livenessChanged(live: boolean): Promise<void> {
    if (!live) return;
    await this.#leases.handBackAbandoned();
    this.wake();
  }

  /** Aborts the given runs if this worker holds them (a cancel notification). */
  cancel(runIds: number[]): void {
    for (const id of runIds)
      this.#inFlight.get(id)?.controller.abort('cancel' satisfies AbortReason);
  }

  /**
   * Stops claiming, lets running attempts finish for up to `graceMs`, then aborts the rest
   * and hands their runs back to the queue for another orchestrator.
   */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#wakeTimers.values()) clearTimeout(timer);
    this.#wakeTimers.clear();
    this.wake();
    await this.#loop;
    const all = [...this.#inFlight.values()].map((f) => f.done);
    const graceTimer = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([Promise.all(all), graceTimer]);
    for (const flight of this.#inFlight.values())
      flight.controller.abort('shutdown' satisfies AbortReason);
    await Promise.all([...this.#inFlight.values()].map((f) => f.done));
    this.#leases.stop();
  }

  async #claimLoop(): Promise<void> {
    let failures = 0;
    // Claim when idle, or once a quarter of the slots are free: one claim for many slots
    // instead of one per finished run.
    const batchThreshold = Math.max(1, Math.floor(this.#o.concurrency / 4));
    while (!this.#stopping) {
      const free = this.#o.concurrency - this.#executing.size;
      let claimed: ClaimedRun[] = [];
      const claimSentAt = performance.now();
      const live = this.#o.liveness?.session.live ?? true;
      if (live && free > 0 && (this.#executing.size === 0 || free >= batchThreshold)) {
        try {
          claimed = await claimRuns(this.#o.db, {
            owner: this.#o.owner,
            limit: Math.min(free, 100),
            leaseMs: this.#o.leaseMs,
            maxRunningPerOwner: this.#o.maxRunningPerOwner,
          });
          failures = 0;
        } catch (error) {
          failures += 1;
          this.#o.logger.error({ err: error }, 'claiming runs failed');
        }
      }
      if (claimed.length > 0)
        void this.#o.events?.publish(
          statusEvents(
            claimed.map((c) => ({ runId: c.runId, ownerId: c.event.ownerId })),
            'running',
          ),
        );
      for (const run of claimed) this.#execute(run, claimSentAt + this.#stopAfterMs);
      if (this.#stopping) break;
      if (claimed.length > 0 && claimed.length === Math.min(free, 100)) continue; // there may be more
      await this.#sleep(
        failures > 0 ? Math.min(this.#o.pollMs * 2 ** failures, 10_000) : await this.#idleDelay(),
      );
    }
  }

  /** Poll interval, or less when a queued run (retry, run-at-time) falls due sooner. */
  async #idleDelay(): Promise<number> {
    // With attempts in flight the loop is woken when one ends; nothing to look up.
    if (this.#inFlight.size > 0) return this.#o.pollMs;
    try {
      const next = await nextQueuedRunAt(this.#o.db);
      if (next) return Math.max(0, Math.min(this.#o.pollMs, next.getTime() - Date.now()));
    } catch {
      // the claim loop reports database trouble; polling continues
    }
    return this.#o.pollMs;
  }

  #sleep(ms: number): Promise<void> {
    return this.#wakeSignal.sleep(ms);
  }

  #execute(run: ClaimedRun, stopBy: number): void {
    const controller = new AbortController();
    const done = this.#runAttempt(run, controller)
      .catch((error: unknown) =>
        this.#o.logger.error({ err: error, runId: run.runId }, 'run attempt crashed'),
      )
      .finally(() => {
        this.#inFlight.delete(run.runId);
        this.#startedAt.delete(run.runId);
        this.#releaseSlot(run.runId, false);
        this.wake();
      });
    this.#executing.add(run.runId);
    this.#inFlight.set(run.runId, {
      run,
      controller,
      done,
      claimedAt: performance.now(),
      stopBy,
    });
  }

  /**
   * The attempt's executor has returned: its slot may take another run. `wake`: claim now
   * (a workflow node's slot is taken up once its outcome is stored, which may have queued
   * what follows it: one claim for both).
   */
  #releaseSlot(runId: number, wake = true): void {
    if (this.#executing.delete(runId) && wake) this.wake();
  }

  async #runAttempt(run: ClaimedRun, controller: AbortController): Promise<void> {
    const fence = { runId: run.runId, attempt: run.attempt, owner: this.#o.owner };
    this.#startedAt.set(run.runId, performance.now());
    this.#o.observer?.attemptStarted?.(run);
    const log = this.#o.logger.child({
      runId: run.runId,
      attempt: run.attempt,
      eventId: run.event.id,
    });
    const selected = this.#o.executors.select(run);
    if ('error' in selected) {
      await this.#finish(run, fence, { status: 'failed', exitCode: null, error: selected.error });
      return;
    }
    const masker = new SecretMasker();
    const ownerId = run.event.ownerId;
    const logs = new RunLogWriter(this.#o.db, fence, {
      masker,
      onStored: (lastSeq, lines) => {
        this.#o.observer?.logStored?.(run, lines);
        void this.#o.events?.publish([{ kind: 'log', runId: run.runId, ownerId, lastSeq }]);
      },
      maxBytes: this.#o.logMaxBytes,
      storedBytes: run.logBytes,
      storedSeq: run.logSeq,
      onError: (error) => log.error({ err: error }, 'writing log lines failed'),
      onLost: (lines, why) => log.warn({ lines }, `log lines lost ${why}`),
    });
    let request: ExecutionRequest;
    try {
      request = await prepareAttempt(run, this.#o, masker);
    } catch (error) {
      // e.g. its secrets or server credentials cannot be decrypted with this orchestrator's key
      await logs.close();
      await this.#finish(run, fence, {
        status: 'failed',
        exitCode: null,
        error: `cannot prepare the run: ${(error as Error).message}`,
      });
      return;
    }
    const timeoutMs = run.event.timeoutSeconds * 1000;
    const timer = setTimeout(() => controller.abort('timeout' satisfies AbortReason), timeoutMs);
    let result: ExecutionResult;
    // Server states are written in the order they happen, and all before the outcome.
    let targetWrites = Promise.resolve();
    const onTarget = (target: TargetOutcome) => {
      targetWrites = targetWrites
        // An upsert: written again while the database is unavailable, before the outcome.
        .then(() => retryWhileUnavailable(() => recordRunTarget(this.#o.db, fence, target)))
        .then(
          () => undefined,
          (error: unknown) => log.error({ err: error }, 'recording a server state failed'),
        );
    };
    try {
      result = await selected.run(request, {
        signal: controller.signal,
        onLog: (line) => logs.push(line),
        onTarget,
      });
    } catch (error) {
      result = {
        status: 'failed',
        exitCode: null,
        error: `executor ${selected.kind} failed: ${(error as Error).message}`,
      };
    } finally {
      clearTimeout(timer);
      this.#releaseSlot(run.runId, run.workflowRunId === null);
      await targetWrites;
    }
    const reason = controller.signal.aborted
      ? (controller.signal.reason as AbortReason)
      : undefined;
    if (reason === 'timeout')
      logs.push({
        stream: 'system',
        at: new Date(),
        text: `timed out after ${run.event.timeoutSeconds} s: stopped`,
      });
    if (reason === 'cancel')
      logs.push({ stream: 'system', at: new Date(), text: 'cancelled: stopped' });
    await logs.close();
    if (reason === 'lease_lost' || reason === 'liveness_lost' || logs.fenceLost) {
      log.warn(
        'lease lost or not renewed in time: writing nothing (the lease sweep re-queues the run)',
      );
      return;
    }
    if (reason === 'shutdown') {
      const released = await releaseRuns(this.#o.db, this.#o.owner, [run.runId]);
      this.#announce(released);
      log.info('released on shutdown');
      return;
    }
    const outcome = attemptOutcome(run, result, reason);
    // The error text (an HTTP body, an executor's message), the result (an HTTP response)
    // and the output the script set are masked like the log.
    if (outcome.error) outcome.error = masker.maskLine(outcome.error);
    if (outcome.result) outcome.result = maskJson(masker, outcome.result);
    // So is the output the script set through the runtime API, in the same write.
    const finished = await this.#finish(run, fence, outcome, (output) => maskJson(masker, output));
    if (!finished)
      log.warn('lease lost before the outcome was written; another orchestrator owns this run now');
    else
      log.info(
        { status: finished.status, exitCode: outcome.exitCode, retryAt: finished.retryAt },
        'attempt finished',
      );
  }

  /** Writes the attempt's outcome (its output masked by `maskOutput`) and announces the run's new status to live views. */
  async #finish(
    run: ClaimedRun,
    fence: RunFence,
    outcome: AttemptOutcome,
    maskOutput?: (output: unknown) => unknown,
  ) {
    const finished = await this.#finisher.finish({
      fence,
      outcome,
      maskOutput,
      inWorkflow: run.workflowRunId !== null,
    });
    // (The next nodes of its workflow, queued in that commit, are claimed as the attempt
    // ends: the claim loop is woken then.)
    if (finished?.actionsQueued) this.#o.onActionsQueued?.();
    const began = this.#startedAt.get(run.runId);
    this.#startedAt.delete(run.runId);
    if (finished) {
      this.#announce([{ runId: run.runId, ownerId: run.event.ownerId, status: finished.status }]);
      this.#o.observer?.attemptFinished?.(
        run,
        finished.status,
        began === undefined ? 0 : performance.now() - began,
      );
    }
    return finished;
  }

  #announce(runs: { runId: number; ownerId: number; status: string }[]): void {
    if (runs.length > 0) void this.#o.events?.publish(statusEvents(runs));
  }
}
