import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema/database.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/** One attempt as a running script's token names it. */
export interface AttemptRef {
  runId: number;
  attempt: number;
}

export interface LiveAttempt {
  runId: number;
  attempt: number;
  eventId: number;
  ownerId: number;
}

/**
 * The attempt if it is the one running now (its run running or being cancelled, this
 * attempt, the lease not expired); undefined otherwise. Every runtime API call starts here,
 * so a token stops working the moment its attempt ends or loses its lease.
 */
export async function findLiveAttempt(
  db: Executor,
  ref: AttemptRef,
): Promise<LiveAttempt | undefined> {
  const row = await db
    .selectFrom('runs')
    .select(['id', 'attempt', 'event_id', 'owner_id'])
    .where('id', '=', ref.runId)
    .where('attempt', '=', ref.attempt)
    .where('status', 'in', ['running', 'cancelling'])
    .where('lease_expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return row
    ? { runId: row.id, attempt: row.attempt, eventId: row.event_id, ownerId: row.owner_id }
    : undefined;
}

export async function readRunInput(db: Executor, runId: number): Promise<unknown> {
  const row = await db
    .selectFrom('runs')
    .select('input')
    .where('id', '=', runId)
    .executeTakeFirst();
  return row?.input ?? null;
}

/** Sets the run's output or condition, only while `ref` is the running attempt. */
export async function setRunResultField(
  db: Executor,
  ref: AttemptRef,
  field: { output: unknown } | { condition: boolean },
): Promise<boolean> {
  const set =
    'output' in field ? { output: JSON.stringify(field.output) } : { condition: field.condition };
  const result = await db
    .updateTable('runs')
    .set(set)
    .where('id', '=', ref.runId)
    .where('attempt', '=', ref.attempt)
    .where('status', 'in', ['running', 'cancelling'])
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function readRunCondition(db: Executor, runId: number): Promise<boolean | null> {
  const row = await db
    .selectFrom('runs')
    .select('condition')
    .where('id', '=', runId)
    .executeTakeFirst();
  return row?.condition ?? null;
}

export interface RunContext {
  event: { id: number; name: string; type: string; tags: string[] };
  run: {
    id: number;
    attempt: number;
    trigger: string;
    scheduledFor: string | null;
    inputSize: number;
  };
  userId: number;
  workflow: { runId: number; id: number } | null;
}

/** What `getEventContext()` returns, from the run and its event. */
export async function readRunContext(db: Executor, runId: number): Promise<RunContext | undefined> {
  const row = await db
    .selectFrom('runs as r')
    .innerJoin('events as e', 'e.id', 'r.event_id')
    .leftJoin('workflow_runs as wr', 'wr.id', 'r.workflow_run_id')
    .select([
      'r.id',
      'r.attempt',
      'r.trigger',
      'r.scheduled_for',
      'r.owner_id',
      'r.workflow_run_id',
      'wr.workflow_id',
      'e.id as event_id',
      'e.name',
      'e.type',
      'e.tags',
      sql<number>`coalesce(octet_length(r.input::text), 0)`.as('input_size'),
    ])
    .where('r.id', '=', runId)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    event: { id: row.event_id, name: row.name, type: row.type, tags: row.tags },
    run: {
      id: row.id,
      attempt: row.attempt,
      // A retry keeps reporting how the run was first started.
      trigger: row.trigger,
      scheduledFor: row.scheduled_for ? row.scheduled_for.toISOString() : null,
      inputSize: row.input_size,
    },
    userId: row.owner_id,
    workflow:
      row.workflow_run_id !== null && row.workflow_id !== null
        ? { runId: row.workflow_run_id, id: row.workflow_id }
        : null,
  };
}
