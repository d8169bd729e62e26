import type { Kysely } from 'kysely';
import type { Database } from '@cronium/db';
import type { RunRow } from './insert-run.ts';

/** The unique index that makes an idempotency key name one run of an event (migration 0001). */
const IDEMPOTENCY_INDEX = 'runs_idempotency_key_idx';

/**
 * Whether a trigger failed because the event already has a run with its idempotency key: two
 * deliveries of the same request raced, and the other one's run is the answer to both.
 */
export function isIdempotencyConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string };
  return e?.code === '23505' && e.constraint === IDEMPOTENCY_INDEX;
}

/** The event's run created with this idempotency key, if any (purged runs are forgotten). */
export async function findRunByIdempotencyKey(
  db: Kysely<Database>,
  eventId: number,
  key: string,
): Promise<RunRow | undefined> {
  return db
    .selectFrom('runs')
    .selectAll()
    .where('event_id', '=', eventId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
}
