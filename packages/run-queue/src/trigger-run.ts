import { sql, type Kysely } from 'kysely';
import type { Database } from '@cronium/db';
import {
  enqueueRun,
  lockEvent,
  requestCancelInTransaction,
  type EnqueueRequest,
  type EnqueueResult,
} from './enqueue-run.ts';
import { recordAudit } from '@cronium/db';
import { insertRun, type TriggerAudit } from './insert-run.ts';

export class EventNotFoundError extends Error {
  constructor(eventId: number) {
    super(`event ${eventId} not found`);
    this.name = 'EventNotFoundError';
  }
}

class PolicyChanged extends Error {}

const SERIALIZED = new Set(['skip', 'replace']);

/**
 * Manual, webhook or one-off runs, policy applied. A run for a later time (`runAt` in the
 * future) is inserted `scheduled`: it holds no slot and its policy is applied when the
 * scheduler promotes it at that time (`promoteScheduledRuns`), not now.
 * allow and queue only insert (the claim enforces queue's limit): one statement, which reads
 * the policy and takes the key-share lock that only keeps the event from being deleted
 * meanwhile, so concurrent triggers of one event do not wait for each other. skip and replace
 * decide from the active runs, so those decisions are serialized per event in a transaction:
 * an advisory lock first, then the row (in that order everywhere, so two triggers cannot
 * deadlock); a scheduler pass holding the row is waited for.
 */
export async function triggerRun(
  db: Kysely<Database>,
  eventId: number,
  request: EnqueueRequest,
  /**
   * `ownerId`: only that user's event (another's is "not found"); `audit`: who triggered it,
   * written as `run.trigger` with the run (or with the skip) in the same transaction.
   */
  options: { ownerId?: number; audit?: TriggerAudit } = {},
): Promise<EnqueueResult> {
  if (request.runAt && request.runAt.getTime() > Date.now()) {
    // Waits for its time without a slot; the policy is applied when it is promoted.
    const scheduled = await insertRun(db, eventId, request, { ...options, status: 'scheduled' });
    if (!scheduled) throw new EventNotFoundError(eventId);
    return { outcome: 'enqueued', runId: scheduled.id, run: scheduled, replaced: [] };
  }
  const run = await insertRun(db, eventId, request, { ...options, onlyUnserialized: true });
  if (run) return { outcome: 'enqueued', runId: run.id, run, replaced: [] };
  // The event is missing, or its policy needs the serialized path.
  for (let attempt = 1; ; attempt++) {
    let lookup = db.selectFrom('events').select('concurrency_policy').where('id', '=', eventId);
    if (options.ownerId !== undefined) lookup = lookup.where('owner_id', '=', options.ownerId);
    const policy = (await lookup.executeTakeFirst())?.concurrency_policy;
    if (!policy) throw new EventNotFoundError(eventId);
    try {
      return await db.transaction().execute(async (trx) => {
        let event;
        if (SERIALIZED.has(policy)) {
          await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`cronium:event:${eventId}`}, 0))`.execute(
            trx,
          );
          event = await lockEvent(trx, eventId);
        } else {
          event = await trx
            .selectFrom('events')
            .selectAll()
            .where('id', '=', eventId)
            .forKeyShare()
            .executeTakeFirst();
        }
        if (!event) throw new EventNotFoundError(eventId);
        // Changed between the read and the lock: start again under the right lock.
        if (SERIALIZED.has(event.concurrency_policy) !== SERIALIZED.has(policy))
          throw new PolicyChanged();
        const result = await enqueueRun(trx, event, request);
        if (options.audit)
          await recordAudit(trx, {
            ...options.audit,
            action: 'run.trigger',
            target_type: 'event',
            target_id: String(eventId),
            details:
              result.outcome === 'enqueued' ? { runId: result.runId } : { outcome: result.outcome },
          });
        return result;
      });
    } catch (error) {
      if (!(error instanceof PolicyChanged) || attempt >= 5) throw error;
    }
  }
}

/** Cancellation from any process: returns whether the run was still active. */
export async function requestCancel(
  db: Kysely<Database>,
  runId: number,
  reason = 'cancelled by request',
): Promise<boolean> {
  return db
    .transaction()
    .execute(async (trx) => (await requestCancelInTransaction(trx, [runId], reason)).length === 1);
}
