import { sql, type Kysely } from 'kysely';
import type { Database } from '@cronium/db';
import { applyConcurrencyPolicy, lockEvent } from './enqueue-run.ts';
import { CHANNELS } from './queue-types.ts';

/** A scheduled run that became `queued` (claimable at its `runAt`). */
export interface PromotedRun {
  runId: number;
  ownerId: number;
  runAt: Date;
}

export interface PromotionResult {
  queued: PromotedRun[];
  /** Runs the skip policy turned away at their time (now `cancelled`, the reason in `error`). */
  skipped: Omit<PromotedRun, 'runAt'>[];
}

/**
 * Promotes the scheduled runs due by `horizon` to `queued`, applying each event's concurrency
 * policy at that moment, as a new trigger's would be (skip, replace). A run keeps its `run_at`,
 * so one promoted a little ahead is claimed at its time. Per event, in a transaction that
 * takes the event's advisory lock and row lock in the order `triggerRun` does: two promoters
 * (two orchestrators) serialise on it, and the second finds the runs already promoted.
 */
export async function promoteScheduledRuns(
  db: Kysely<Database>,
  options: { horizon: Date; limit?: number },
): Promise<PromotionResult> {
  const result: PromotionResult = { queued: [], skipped: [] };
  const events = await sql<{ event_id: number }>`
    SELECT DISTINCT event_id FROM (
      SELECT event_id FROM runs WHERE status = 'scheduled' AND run_at <= ${options.horizon}
      ORDER BY run_at LIMIT ${options.limit ?? 500}
    ) due ORDER BY event_id`.execute(db);
  for (const { event_id: eventId } of events.rows) {
    await db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`cronium:event:${eventId}`}, 0))`.execute(
        trx,
      );
      const event = await lockEvent(trx, eventId);
      if (!event) return; // deleted meanwhile, with its runs
      const due = await trx
        .selectFrom('runs')
        .select(['id', 'owner_id', 'run_at'])
        .where('event_id', '=', eventId)
        .where('status', '=', 'scheduled')
        .where('run_at', '<=', options.horizon)
        .orderBy('run_at')
        .orderBy('id')
        .forUpdate()
        .execute();
      for (const run of due) {
        const decision = await applyConcurrencyPolicy(trx, event);
        if ('skipped' in decision) {
          await trx
            .updateTable('runs')
            .set({
              status: 'cancelled',
              error: `skipped at its time: ${decision.skipped}`,
              finished_at: sql`now()`,
            })
            .where('id', '=', run.id)
            .execute();
          result.skipped.push({ runId: run.id, ownerId: run.owner_id });
          continue;
        }
        await trx.updateTable('runs').set({ status: 'queued' }).where('id', '=', run.id).execute();
        result.queued.push({ runId: run.id, ownerId: run.owner_id, runAt: run.run_at });
      }
      if (due.length > 0)
        await sql`SELECT pg_notify(${CHANNELS.runsQueued}, ${String(eventId)})`.execute(trx);
    });
  }
  return result;
}

/** When the earliest scheduled run is due (the scheduler wakes for it). */
export async function nextScheduledRunAt(db: Kysely<Database>): Promise<Date | undefined> {
  const { rows } = await sql<{ next: Date | null }>`
    SELECT min(run_at) AS next FROM runs WHERE status = 'scheduled'`.execute(db);
  return rows[0]?.next ?? undefined;
}
