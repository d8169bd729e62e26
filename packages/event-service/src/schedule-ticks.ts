// The schedule ledger of an event or a workflow: every due slot and what became of it.
import type { Db } from '@cronium/db';

/** The run a tick started, in the caller's words (an event's run, or a workflow run). */
type StartedRun = { run_id: number | null; workflow_run_id: number | null };

/**
 * The ledger of one schedule, newest first, at most `limit` ticks (1 to 1,000): the event's
 * (`event_id`) or the workflow's (`workflow_id`); `started` names the run each tick started.
 * The caller has checked that the principal owns the event or workflow.
 */
export async function scheduleTicks<Started extends object>(
  db: Db,
  owner: 'event_id' | 'workflow_id',
  id: number,
  limit: number,
  started: (row: StartedRun) => Started,
) {
  const rows = await db
    .selectFrom('schedule_ticks')
    .select(['slot', 'outcome', 'reason', 'run_id', 'workflow_run_id', 'created_at'])
    .where(owner, '=', id)
    .orderBy('slot', 'desc')
    .limit(Math.min(Math.max(limit, 1), 1_000))
    .execute();
  return rows.map((r) => ({
    slot: r.slot,
    outcome: r.outcome,
    reason: r.reason,
    ...started(r),
    recordedAt: r.created_at,
  }));
}
