import { sql, type Kysely } from 'kysely';
import type { Database } from '@cronium/db';
import { enqueueRun, lockEvent } from './enqueue-run.ts';
import type { RunActionFence } from './run-actions.ts';

/** What became of an action that starts an event. */
export type ActionEventStart =
  | { outcome: 'enqueued'; runId: number }
  | { outcome: 'skipped'; reason: string }
  | { outcome: 'refused'; reason: string }
  /** The lease was lost (another orchestrator has the action): nothing was written. */
  | { outcome: 'lost' };

/**
 * Starts the event a conditional action names, with the finished run's output as the new
 * run's input, and records the action as done, in one transaction fenced by the action's
 * lease: the run is created exactly once, whichever orchestrator dies when. The target's
 * concurrency policy applies (a skip is recorded, not retried). Refused, and recorded as
 * failed: a target that is gone, someone else's, paused, or that leads back to the event
 * whose run this is (a loop that a concurrent edit slipped past the save-time check).
 */
export async function startActionEvent(
  db: Kysely<Database>,
  fence: RunActionFence,
  start: { targetEventId: number; sourceEventId: number; ownerId: number; input: unknown },
): Promise<ActionEventStart> {
  return db.transaction().execute(async (trx) => {
    const held = await trx
      .selectFrom('run_actions')
      .select('run_id')
      .where('run_id', '=', fence.runId)
      .where('action_id', '=', fence.actionId)
      .where('status', '=', 'running')
      .where('lease_owner', '=', fence.owner)
      .forUpdate()
      .executeTakeFirst();
    if (!held) return { outcome: 'lost' };
    // Same lock order as triggerRun's serialized path: advisory lock, then the row.
    await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`cronium:event:${start.targetEventId}`}, 0))`.execute(
      trx,
    );
    const event = await lockEvent(trx, start.targetEventId);
    let result: ActionEventStart;
    if (!event || Number(event.owner_id) !== start.ownerId)
      result = { outcome: 'refused', reason: `event ${start.targetEventId} is gone` };
    else if (event.status !== 'active')
      result = { outcome: 'refused', reason: `event ${start.targetEventId} is paused` };
    else if (await eventActionsLeadTo(trx, start.targetEventId, start.sourceEventId))
      result = {
        outcome: 'refused',
        reason: `event ${start.targetEventId} leads back to event ${start.sourceEventId}: runs would start each other forever`,
      };
    else {
      const enqueued = await enqueueRun(trx, event, { trigger: 'action', input: start.input });
      result =
        enqueued.outcome === 'enqueued'
          ? { outcome: 'enqueued', runId: enqueued.runId }
          : { outcome: 'skipped', reason: enqueued.reason };
    }
    await trx
      .updateTable('run_actions')
      .set({
        status: result.outcome === 'refused' ? 'failed' : 'succeeded',
        error: result.outcome === 'refused' ? result.reason : null,
        result: JSON.stringify({ kind: 'event', eventId: start.targetEventId, ...result }),
        finished_at: new Date(),
        lease_owner: null,
        lease_expires_at: null,
      })
      .where('run_id', '=', fence.runId)
      .where('action_id', '=', fence.actionId)
      .execute();
    return result;
  });
}

/**
 * Whether event `from`'s event-starting actions reach event `to`, directly or through other
 * events' (an action from `to` to `from` would close a loop).
 */
export async function eventActionsLeadTo(
  db: Kysely<Database>,
  from: number,
  to: number,
): Promise<boolean> {
  if (from === to) return true;
  const found = await sql<{ hit: boolean }>`
    WITH RECURSIVE reach(id) AS (
      SELECT ${from}::bigint
      UNION
      SELECT a.target_event_id FROM event_actions a JOIN reach r ON a.event_id = r.id
      WHERE a.target_event_id IS NOT NULL
    )
    SELECT EXISTS (SELECT 1 FROM reach WHERE id = ${to}) AS hit`.execute(db);
  return found.rows[0]?.hit === true;
}
