import type { Db } from '@cronium/db';
import { livenessSeenName, livenessSnapshot, sweepExpiredLeases } from '@cronium/run-queue';
import { announceSweptRuns, type SweptRunsAudience } from './announce-swept-runs.ts';

export interface LivenessMonitorOptions extends SweptRunsAudience {
  db: Db;
  /** This orchestrator's name (its own runs are never taken over here). */
  owner: string;
  /** This orchestrator's liveness session: peers are judged only while it is held. */
  session: { readonly live: boolean };
  /**
   * A peer whose lock has been gone this long, as seen by this orchestrator while its own
   * session was held throughout, has its runs taken back: longer than a peer needs to stop its
   * attempts once its own session is unconfirmed (the worker's `liveness.stopAfterMs`).
   */
  takeOverAfterMs: number;
  checkMs: number;
}

/**
 * Watches the other orchestrators' liveness locks and takes back, within seconds, the runs of
 * one whose session has ended: the same fenced hand-back as a lease expiry (the sweep),
 * before the lease runs out. Only orchestrators seen up since this one started are judged
 * so: a process of an older version takes no lock, and its runs wait for their leases.
 */
export class LivenessMonitor {
  readonly #o: LivenessMonitorOptions;
  readonly #seenUp = new Set<string>();
  /** performance.now() when each silent peer was first seen without its lock. */
  readonly #silentSince = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #checking = false;

  constructor(options: LivenessMonitorOptions) {
    this.#o = options;
  }

  start(): void {
    this.#timer = setInterval(() => void this.check(), this.#o.checkMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** This orchestrator's own session was lost: what it saw before proves nothing now. */
  livenessChanged(live: boolean): void {
    if (!live) this.#silentSince.clear();
  }

  async check(): Promise<void> {
    if (this.#checking) return;
    this.#checking = true;
    try {
      if (!this.#o.session.live) {
        this.#silentSince.clear();
        return;
      }
      const snapshot = await livenessSnapshot(this.#o.db, this.#o.owner);
      const now = performance.now();
      for (const owner of snapshot.up) this.#seenUp.add(owner);
      const silent = new Set(
        snapshot.silent.filter((owner) => this.#seenUp.has(livenessSeenName(owner))),
      );
      for (const owner of this.#silentSince.keys())
        if (!silent.has(owner)) this.#silentSince.delete(owner);
      const gone: string[] = [];
      for (const owner of silent) {
        const since = this.#silentSince.get(owner) ?? now;
        this.#silentSince.set(owner, since);
        if (now - since >= this.#o.takeOverAfterMs) gone.push(owner);
      }
      // Judged only if this session stayed up during the whole wait.
      if (gone.length === 0 || !this.#o.session.live) return;
      const swept = await sweepExpiredLeases(this.#o.db, gone);
      for (const owner of gone) this.#silentSince.delete(owner);
      announceSweptRuns(swept, this.#o, {
        message: 'orchestrators whose database session ended: their runs were taken back',
        context: { orchestrators: gone },
      });
    } catch (error) {
      this.#o.logger.error({ err: error }, 'liveness check failed');
    } finally {
      this.#checking = false;
    }
  }
}
