import { sql, type Kysely } from 'kysely';
import type { Database } from '@cronium/db';
import { CHANNELS } from './queue-types.ts';
import { MAX_LEASE_LOSSES } from './finish-run.ts';
import { advanceWorkflowRuns } from './workflows/advance-workflow-runs.ts';
import { livenessLockHeld } from './liveness.ts';

interface SweptRow {
  id: number;
  owner_id: number;
  status: SweptRun['status'];
  workflow_run_id: number | null;
  output: unknown;
  condition: boolean | null;
  error: string | null;
}

/** Workflow nodes whose runs the sweep ended move their workflow runs on, in its commit. */
async function advanceEndedNodes(db: Kysely<Database>, rows: SweptRow[]): Promise<void> {
  const ended = rows.filter((r) => r.status !== 'queued' && r.workflow_run_id !== null);
  if (ended.length > 0)
    await advanceWorkflowRuns(
      db,
      ended.map((r) => ({
        workflowRunId: Number(r.workflow_run_id),
        runId: Number(r.id),
        state: r.status === 'cancelled' ? 'cancelled' : 'failed',
        output: r.output ?? null,
        condition: r.condition,
        error: r.error,
      })),
    );
}

/** A run taken back from its orchestrator, and what it became. */
export interface SweptRun {
  runId: number;
  ownerId: number;
  status: 'queued' | 'failed' | 'cancelled';
}

/**
 * Any orchestrator may run this: runs whose lease expired (their orchestrator crashed,
 * froze or lost the database) become claimable again as the next attempt, without using up
 * the event's retries; a run that keeps losing its lease is failed after MAX_LEASE_LOSSES,
 * and one that was being cancelled ends cancelled.
 */
export async function sweepExpiredLeases(
  db: Kysely<Database>,
  /**
   * Orchestrators found gone by their liveness lock (see liveness.ts): their runs are taken
   * back as well, before their leases expire, if the lock is still free in this statement.
   */
  gone: string[] = [],
): Promise<SweptRun[]> {
  return db.transaction().execute((trx) => sweepIn(trx, gone));
}

async function sweepIn(db: Kysely<Database>, gone: string[]): Promise<SweptRun[]> {
  const rows = await sql<SweptRow>`
    UPDATE runs r SET
      status = CASE
        WHEN r.status = 'cancelling' THEN 'cancelled'
        WHEN r.lease_losses + 1 >= ${MAX_LEASE_LOSSES} THEN 'failed'
        ELSE 'queued' END,
      error = CASE
        WHEN r.status = 'cancelling' THEN 'cancelled (its orchestrator stopped before confirming)'
        WHEN r.lease_expires_at < now()
          THEN 'attempt ' || r.attempt || ' lost: orchestrator ' || r.lease_owner || ' stopped renewing its lease'
        ELSE 'attempt ' || r.attempt || ' lost: orchestrator ' || r.lease_owner || ' is gone (its database session ended)' END,
      finished_at = CASE WHEN r.status = 'cancelling' OR r.lease_losses + 1 >= ${MAX_LEASE_LOSSES} THEN now() ELSE NULL END,
      lease_losses = r.lease_losses + 1,
      -- Re-queued: the next attempt starts without what the lost one set.
      output = CASE WHEN r.status = 'cancelling' OR r.lease_losses + 1 >= ${MAX_LEASE_LOSSES} THEN r.output ELSE NULL END,
      condition = CASE WHEN r.status = 'cancelling' OR r.lease_losses + 1 >= ${MAX_LEASE_LOSSES} THEN r.condition ELSE NULL END,
      run_at = now(),
      lease_owner = NULL,
      lease_expires_at = NULL
    WHERE r.status IN ('running', 'cancelling')
      AND (r.lease_expires_at < now()
        OR (r.lease_owner = ANY(${gone}::text[]) AND NOT ${livenessLockHeld(sql.ref('r.lease_owner'))}))
    RETURNING r.id, r.owner_id, r.status, r.workflow_run_id, r.output, r.condition, r.error`.execute(
    db,
  );
  if (rows.rows.some((r) => r.status === 'queued'))
    await sql`SELECT pg_notify(${CHANNELS.runsQueued}, 'sweep')`.execute(db);
  await advanceEndedNodes(db, rows.rows);
  return rows.rows.map((r) => ({ runId: r.id, ownerId: r.owner_id, status: r.status }));
}

/**
 * Graceful shutdown: hands the runs this orchestrator still holds back to the queue at once
 * (their processes were stopped), so another orchestrator picks them up without waiting for
 * the lease to expire.
 */
export async function releaseRuns(
  db: Kysely<Database>,
  owner: string,
  runIds: number[],
): Promise<SweptRun[]> {
  if (runIds.length === 0) return [];
  return db.transaction().execute((trx) => releaseIn(trx, owner, runIds, null, 'shut down'));
}

/**
 * Hands back attempts this orchestrator stopped because its liveness session was lost, once
 * it is back: each only if the run is still at that attempt under this orchestrator (a peer
 * may have taken it over meanwhile, and this one may even have claimed it again since).
 */
export async function releaseAttempts(
  db: Kysely<Database>,
  owner: string,
  attempts: { runId: number; attempt: number }[],
): Promise<SweptRun[]> {
  if (attempts.length === 0) return [];
  return db.transaction().execute((trx) =>
    releaseIn(
      trx,
      owner,
      attempts.map((a) => a.runId),
      attempts.map((a) => a.attempt),
      'lost its database session',
    ),
  );
}

async function releaseIn(
  db: Kysely<Database>,
  owner: string,
  runIds: number[],
  attempts: number[] | null,
  why: string,
): Promise<SweptRun[]> {
  const rows = await sql<SweptRow>`
    UPDATE runs r SET
      status = CASE WHEN r.status = 'cancelling' THEN 'cancelled' ELSE 'queued' END,
      finished_at = CASE WHEN r.status = 'cancelling' THEN now() ELSE NULL END,
      error = 'attempt ' || r.attempt || ' released: orchestrator ' || r.lease_owner || ' ' || ${why},
      lease_losses = r.lease_losses + 1,
      output = CASE WHEN r.status = 'cancelling' THEN r.output ELSE NULL END,
      condition = CASE WHEN r.status = 'cancelling' THEN r.condition ELSE NULL END,
      run_at = now(), lease_owner = NULL, lease_expires_at = NULL
    FROM unnest(${runIds}::bigint[], ${attempts ?? runIds.map(() => null)}::int[]) AS released(id, attempt)
    WHERE r.id = released.id AND (released.attempt IS NULL OR r.attempt = released.attempt)
      AND r.lease_owner = ${owner} AND r.status IN ('running', 'cancelling')
    RETURNING r.id, r.owner_id, r.status, r.workflow_run_id, r.output, r.condition, r.error`.execute(
    db,
  );
  await sql`SELECT pg_notify(${CHANNELS.runsQueued}, 'release')`.execute(db);
  await advanceEndedNodes(db, rows.rows);
  return rows.rows.map((r) => ({ runId: r.id, ownerId: r.owner_id, status: r.status }));
}
