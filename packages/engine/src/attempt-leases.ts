import type { Db } from '@cronium/db';
import type { Logger } from '@cronium/logger';
import type { AbortReason } from '@cronium/executors';
import { releaseAttempts, renewLeases, type ClaimedRun } from '@cronium/run-queue';

/** After a failed lease renewal, the next try comes this soon (not a whole heartbeat later). */
const RENEW_RETRY_MS = 500;

/** An attempt in flight, as far as its lease is concerned. */
export interface LeasedAttempt {
  run: ClaimedRun;
  /** When the claim returned; a heartbeat that began earlier cannot know this attempt. */
  claimedAt: number;
  controller: AbortController;
  /**
   * performance.now() past which this attempt must not run without a renewed lease: counted
   * from when the last successful claim or renewal was sent, which is no later than when the
   * database set the lease, so this passes before the lease does.
   */
  stopBy: number;
}

export interface AttemptLeasesOptions {
  db: Db;
  logger: Logger;
  owner: string;
  leaseMs: number;
  /** From the send time of a claim or renewal to when its attempts must be stopped. */
  stopAfterMs: number;
  /** See RunWorkerOptions.liveness. */
  liveness?: {
    session: { readonly live: boolean; readonly confirmedAt: number };
    stopAfterMs: number;
  };
  /** The attempts in flight, by run id. */
  attempts: ReadonlyMap<number, LeasedAttempt>;
  /** Whether an attempt's script still runs (one that has ended is only storing its outcome). */
  isExecuting(runId: number): boolean;
  /** Runs handed back to the queue (their new status for live views). */
  onReleased(runs: { runId: number; ownerId: number; status: string }[]): void;
}

/**
 * Keeps the leases of a worker's attempts: renews them on a heartbeat (a third of the lease),
 * aborts an attempt whose lease was lost or whose run was asked to cancel, and stops an
 * attempt before its lease could expire unrenewed (the database was unavailable) or once the
 * liveness session has gone unconfirmed, for then another orchestrator may take the run over,
 * and two copies must never run at once.
 */
export class AttemptLeases {
  readonly #o: AttemptLeasesOptions;
  #heartbeat: NodeJS.Timeout | undefined;
  #watch: NodeJS.Timeout | undefined;
  #renewing = false;
  #renewRetry: NodeJS.Timeout | undefined;
  /** Attempts stopped when the liveness session was lost, to hand back once it is back. */
  readonly #abandoned = new Map<number, number>();

  constructor(options: AttemptLeasesOptions) {
    this.#o = options;
  }

  start(): void {
    const { leaseMs, liveness } = this.#o;
    this.#heartbeat = setInterval(() => void this.renew(), Math.max(250, Math.floor(leaseMs / 3)));
    this.#watch = setInterval(
      () => this.#stopUnrenewed(),
      Math.max(
        50,
        Math.min(
          1_000,
          Math.floor(leaseMs / 20),
          Math.floor((liveness?.stopAfterMs ?? Infinity) / 6),
        ),
      ),
    );
  }

  stop(): void {
    clearInterval(this.#heartbeat);
    clearInterval(this.#watch);
    clearTimeout(this.#renewRetry);
  }

  /**
   * The liveness session is back: attempts stopped while it was gone go back to the queue
   * now rather than when their leases run out.
   */
  async handBackAbandoned(): Promise<void> {
    if (this.#abandoned.size === 0) return;
    const attempts = [...this.#abandoned].map(([runId, attempt]) => ({ runId, attempt }));
    try {
      const released = await releaseAttempts(this.#o.db, this.#o.owner, attempts);
      for (const { runId } of attempts) this.#abandoned.delete(runId);
      this.#o.onReleased(released);
      if (released.length > 0)
        this.#o.logger.info(
          { runs: released.map((r) => r.runId) },
          'liveness session back: runs stopped meanwhile handed back to the queue',
        );
    } catch (error) {
      // Their leases run out and the sweep takes them instead.
      this.#o.logger.warn({ err: error }, 'handing back runs stopped without liveness failed');
    }
  }

  /** Heartbeat: renew leases; abort attempts that were lost or asked to cancel. */
  async renew(): Promise<void> {
    const attempts = this.#o.attempts;
    // One renewal at a time: while the database hangs, heartbeats must not pile up.
    if (attempts.size === 0 || this.#renewing) return;
    this.#renewing = true;
    const began = performance.now();
    const asked = [...attempts.values()].map((a) => ({
      runId: a.run.runId,
      attempt: a.run.attempt,
    }));
    try {
      const held = await renewLeases(this.#o.db, this.#o.owner, this.#o.leaseMs, asked);
      const heldIds = new Map(held.map((h) => [h.runId, h]));
      for (const [runId, attempt] of attempts) {
        if (attempt.claimedAt > began) continue; // claimed while this heartbeat was in flight
        const h = heldIds.get(runId);
        if (!h || h.attempt !== attempt.run.attempt)
          attempt.controller.abort('lease_lost' satisfies AbortReason);
        else {
          attempt.stopBy = Math.max(attempt.stopBy, began + this.#o.stopAfterMs);
          if (h.cancelRequested) attempt.controller.abort('cancel' satisfies AbortReason);
        }
      }
    } catch (error) {
      this.#o.logger.error({ err: error }, 'renewing leases failed');
      // Try again soon rather than a whole heartbeat later: a database that comes back for a
      // moment between outages must be used before the leases run out.
      clearTimeout(this.#renewRetry);
      this.#renewRetry = setTimeout(() => void this.renew(), RENEW_RETRY_MS);
      this.#renewRetry.unref();
    } finally {
      this.#renewing = false;
    }
  }

  /**
   * Stops attempts whose lease could not be renewed in time, and every running attempt once
   * the liveness session has gone unconfirmed too long. What such an attempt ends with is not
   * written.
   */
  #stopUnrenewed(): void {
    const now = performance.now();
    const liveness = this.#o.liveness;
    if (liveness && now - liveness.session.confirmedAt > liveness.stopAfterMs) {
      for (const attempt of this.#o.attempts.values()) {
        // An attempt whose script has ended is only storing its outcome: nothing to stop.
        if (attempt.controller.signal.aborted || !this.#o.isExecuting(attempt.run.runId)) continue;
        this.#o.logger.warn(
          { runId: attempt.run.runId, attempt: attempt.run.attempt },
          'liveness session not confirmed in time (database unreachable): stopping the attempt',
        );
        this.#abandoned.set(attempt.run.runId, attempt.run.attempt);
        attempt.controller.abort('liveness_lost' satisfies AbortReason);
      }
    }
    for (const attempt of this.#o.attempts.values()) {
      if (now < attempt.stopBy || attempt.controller.signal.aborted) continue;
      this.#o.logger.warn(
        { runId: attempt.run.runId, attempt: attempt.run.attempt },
        'lease not renewed before it expires (database unavailable): stopping the attempt',
      );
      attempt.controller.abort('lease_lost' satisfies AbortReason);
    }
  }
}
