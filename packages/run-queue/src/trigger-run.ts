import type { Kysely } from 'kysely';
import type { Database } from '@cronium/db';
import {
  enqueueRun,
  lockEvent,
  requestCancelInTransaction,
  type EnqueueRequest,
  type EnqueueResult,
} from './enqueue-run.ts';

export class EventNotFoundError extends Error {
  constructor(eventId: number) {
    super(`event ${eventId} not found`);
    this.name = 'EventNotFoundError';
  }
}

/** Manual, webhook or one-off runs (`runAt` in the future): one transaction, policy applied. */
export async function triggerRun(
  db: Kysely<Database>,
  eventId: number,
  request: EnqueueRequest,
): Promise<EnqueueResult> {
  return db.transaction().execute(async (trx) => {
    const event = await lockEvent(trx, eventId);
    if (!event) throw new EventNotFoundError(eventId);
    return enqueueRun(trx, event, request);
  });
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
