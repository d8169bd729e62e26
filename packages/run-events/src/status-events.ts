import type { RunEvent } from './run-event.ts';

interface RunOfOwner {
  runId: number;
  ownerId: number;
}

/** Status hints, one per run, each for its owner's live views. */
export function statusEvents(runs: readonly (RunOfOwner & { status: string })[]): RunEvent[];
/** Status hints for runs that all reached `status`. */
export function statusEvents(runs: readonly RunOfOwner[], status: string): RunEvent[];
export function statusEvents(
  runs: readonly (RunOfOwner & { status?: string })[],
  status?: string,
): RunEvent[] {
  return runs.map((r) => ({
    kind: 'status',
    runId: r.runId,
    ownerId: r.ownerId,
    status: status ?? r.status!,
  }));
}
