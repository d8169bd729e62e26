import type { Logger } from '@cronium/logger';
import { statusEvents, type RunEvent } from '@cronium/run-events';
import type { SweptRun } from '@cronium/run-queue';

export interface SweptRunsAudience {
  logger: Logger;
  /** Where the new status of each swept run is announced (live views). */
  events?: { publish(events: RunEvent[]): Promise<void> };
  /** Runs were taken back (wake the claim loop). */
  onRequeued: () => void;
}

/**
 * Tells what a sweep took back (by lease expiry or from an orchestrator found gone): a
 * warning naming the runs, their new status on the live bus, and a wake-up for the claim
 * loop, which may take the re-queued ones at once.
 */
export function announceSweptRuns(
  swept: readonly SweptRun[],
  audience: SweptRunsAudience,
  warning: { message: string; context?: Record<string, unknown> },
): void {
  if (swept.length === 0) return;
  audience.logger.warn({ ...warning.context, runs: swept }, warning.message);
  void audience.events?.publish(statusEvents(swept));
  audience.onRequeued();
}
