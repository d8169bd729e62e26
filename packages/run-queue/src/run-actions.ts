import { sql, type Kysely } from 'kysely';
import type { Database } from '@cronium/db';
import type { EventType, RunStatus } from '@cronium/contracts';

/** A conditional action due for a finished run, claimed by one orchestrator (leased). */
export interface ClaimedRunAction {
  runId: number;
  actionId: number;
  /** This try's number (1 for the first). */
  tries: number;
  onOutcome: string;
  /** What it does: send a tool action, or start another event. */
  action:
    | { kind: 'tool'; credentialId: number; params: Record<string, unknown> }
    | { kind: 'event'; eventId: number };
  run: {
    id: number;
    eventId: number;
    eventName: string;
    eventType: EventType;
    ownerId: number;
    status: RunStatus;
    attempt: number;
    durationMs: number | null;
    exitCode: number | null;
    error: string | null;
    startedAt: Date | null;
    finishedAt: Date | null;
    input: unknown;
    output: unknown;
    condition: boolean | null;
  };
}

/** The key and the claim an action's end is written against. */
export interface RunActionFence {
  runId: number;
  actionId: number;
  owner: string;
}

/**
 * Claims up to `limit` due actions (oldest first, skipping those another orchestrator holds)
 * and leases them to `owner`; each comes with what its templates read of the run.
 */
export async function claimRunActions(
  db: Kysely<Database>,
  options: { owner: string; limit: number; leaseMs: number },
): Promise<ClaimedRunAction[]> {
  const result = await sql<{
    run_id: number;
    action_id: number;
    tries: number;
    on_outcome: string;
    tool_credential_id: number | null;
    tool_params: Record<string, unknown> | null;
    target_event_id: number | null;
    event_id: number;
    event_name: string;
    event_type: EventType;
    owner_id: number;
    status: RunStatus;
    attempt: number;
    duration_ms: number | null;
    exit_code: number | null;
    error: string | null;
    started_at: Date | null;
    finished_at: Date | null;
    input: unknown;
    output: unknown;
    condition: boolean | null;
  }>`
    WITH due AS (
      SELECT run_id, action_id FROM run_actions
      WHERE status = 'pending' AND run_at <= now()
      ORDER BY run_at LIMIT ${options.limit}
      FOR UPDATE SKIP LOCKED
    ), claimed AS (
      UPDATE run_actions ra SET status = 'running', tries = ra.tries + 1,
        lease_owner = ${options.owner},
        lease_expires_at = now() + ${options.leaseMs} * interval '1 millisecond'
      FROM due WHERE ra.run_id = due.run_id AND ra.action_id = due.action_id
      RETURNING ra.run_id, ra.action_id, ra.tries
    )
    SELECT c.run_id, c.action_id, c.tries, a.on_outcome, a.tool_credential_id, a.tool_params, a.target_event_id,
      r.event_id, e.name AS event_name, e.type AS event_type, r.owner_id, r.status, r.attempt, r.duration_ms,
      r.exit_code, r.error, r.started_at, r.finished_at, r.input, r.output, r.condition
    FROM claimed c
    JOIN event_actions a ON a.id = c.action_id
    JOIN runs r ON r.id = c.run_id
    JOIN events e ON e.id = r.event_id`.execute(db);
  return result.rows.map((row) => ({
    runId: Number(row.run_id),
    actionId: Number(row.action_id),
    tries: row.tries,
    onOutcome: row.on_outcome,
    action:
      row.target_event_id !== null
        ? { kind: 'event' as const, eventId: Number(row.target_event_id) }
        : {
            kind: 'tool' as const,
            credentialId: Number(row.tool_credential_id),
            params: row.tool_params ?? {},
          },
    run: {
      id: Number(row.run_id),
      eventId: Number(row.event_id),
      eventName: row.event_name,
      eventType: row.event_type,
      ownerId: Number(row.owner_id),
      status: row.status,
      attempt: row.attempt,
      durationMs: row.duration_ms,
      exitCode: row.exit_code,
      error: row.error,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      input: row.input,
      output: row.output,
      condition: row.condition,
    },
  }));
}

/** The last `count` lines of a run's log (masked when they were stored), oldest first. */
export async function lastRunLogLines(
  db: Kysely<Database>,
  runId: number,
  count: number,
): Promise<string[]> {
  const rows = await db
    .selectFrom('run_log_chunks')
    .select(['seq', 'data'])
    .where('run_id', '=', runId)
    .orderBy('seq', 'desc')
    .limit(count)
    .execute();
  return rows.reverse().map((row) => row.data);
}

/**
 * Records how an action ended, fenced by its lease: `succeeded`, `failed` (for good), or
 * `retryAt` to try again then. False when the lease was lost (another orchestrator has it).
 */
export async function finishRunAction(
  db: Kysely<Database>,
  fence: RunActionFence,
  end:
    | { status: 'succeeded'; result: Record<string, unknown> }
    | { status: 'failed'; error: string; result?: Record<string, unknown> }
    | { status: 'retry'; error: string; retryAt: Date },
): Promise<boolean> {
  const retry = end.status === 'retry';
  const updated = await db
    .updateTable('run_actions')
    .set({
      status: retry ? 'pending' : end.status,
      error: end.status === 'succeeded' ? null : end.error,
      result: 'result' in end && end.result ? JSON.stringify(end.result) : null,
      run_at: retry ? end.retryAt : sql`run_at`,
      finished_at: retry ? null : new Date(),
      lease_owner: null,
      lease_expires_at: null,
    })
    .where('run_id', '=', fence.runId)
    .where('action_id', '=', fence.actionId)
    .where('status', '=', 'running')
    .where('lease_owner', '=', fence.owner)
    .executeTakeFirst();
  return updated.numUpdatedRows > 0n;
}

/**
 * Hands back actions whose orchestrator stopped renewing their lease (it died): due again.
 * An action that was sent just before its orchestrator died is sent again (at least once);
 * one that was not, once. Returns how many were taken back.
 */
export async function sweepRunActionLeases(db: Kysely<Database>): Promise<number> {
  const updated = await db
    .updateTable('run_actions')
    .set({ status: 'pending', lease_owner: null, lease_expires_at: null, run_at: new Date() })
    .where('status', '=', 'running')
    .where('lease_expires_at', '<', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(updated.numUpdatedRows);
}
