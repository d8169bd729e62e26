import { purgeOldAuditEntries, type Db } from '@cronium/db';
import { purgeOldRuns, sweepExpiredLeases, timeOutWorkflowRuns } from '@cronium/run-queue';
import { announceSweptRuns, type SweptRunsAudience } from './announce-swept-runs.ts';

/**
 * Housekeeping any orchestrator may do, with no leader: re-queue runs whose lease expired and
 * end workflow runs past their deadline (every `sweepMs`), and purge runs and audit entries past retention (every `purgeMs`).
 */
export interface MaintenanceOptions extends SweptRunsAudience {
  db: Db;
  sweepMs: number;
  purgeMs: number;
  retentionDays: number;
  /** Audit entries older than this are deleted. */
  auditRetentionDays: number;
  /** Extra clean-up on every sweep (the container reaper); returns what it removed. */
  reap?: () => Promise<number>;
}

export class MaintenanceLoop {
  readonly #o: MaintenanceOptions;
  #timers: NodeJS.Timeout[] = [];

  constructor(options: MaintenanceOptions) {
    this.#o = options;
  }

  start(): void {
    void this.sweep();
    this.#timers.push(setInterval(() => void this.sweep(), this.#o.sweepMs));
    this.#timers.push(setInterval(() => void this.purge(), this.#o.purgeMs));
  }

  async sweep(): Promise<void> {
    try {
      const swept = await sweepExpiredLeases(this.#o.db);
      announceSweptRuns(swept, this.#o, {
        message: 'runs whose orchestrator stopped renewing its lease were taken back',
      });
    } catch (error) {
      this.#o.logger.error({ err: error }, 'lease sweep failed');
    }
    try {
      const timedOut = await timeOutWorkflowRuns(this.#o.db);
      if (timedOut.length > 0)
        this.#o.logger.warn({ workflowRuns: timedOut }, 'workflow runs timed out');
    } catch (error) {
      this.#o.logger.error({ err: error }, 'workflow timeout sweep failed');
    }
    if (this.#o.reap) {
      try {
        const removed = await this.#o.reap();
        if (removed > 0)
          this.#o.logger.warn(
            { removed },
            'removed containers of attempts that are no longer current',
          );
      } catch (error) {
        this.#o.logger.error({ err: error }, 'container reaper failed');
      }
    }
  }

  async purge(): Promise<void> {
    try {
      const purged = await purgeOldRuns(this.#o.db, { olderThanDays: this.#o.retentionDays });
      const auditEntries = await purgeOldAuditEntries(this.#o.db, {
        olderThanDays: this.#o.auditRetentionDays,
      });
      if (purged.runs + purged.workflowRuns + purged.ticks + auditEntries > 0)
        this.#o.logger.info({ ...purged, auditEntries }, 'retention purge');
    } catch (error) {
      this.#o.logger.error({ err: error }, 'retention purge failed');
    }
  }

  stop(): void {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
  }
}
