import { sql, type Kysely } from 'kysely';
import type { Database } from '@cronium/db';
import type { FinalRunStatus } from '@cronium/contracts';
import { CHANNELS, type RunFence } from './queue-types.ts';
import { advanceWorkflowRuns, nodeStateOf } from './workflows/advance-workflow-runs.ts';

/** How an attempt ends: one of the final run statuses. */
export type AttemptStatus = FinalRunStatus;

export interface AttemptOutcome {
  status: AttemptStatus;
  exitCode?: number | null;
  error?: string | null;
  /** Executor-specific details (HTTP status and body, signal, ...). */
  result?: Record<string, unknown> | null;
  /** The failure cannot be helped by trying again (a 4xx answer): no retry, attempts or not. */
  noRetry?: boolean;
  /** The earliest the retry may start (a service's Retry-After), beyond the backoff. */
  retryAfterMs?: number;
}

export interface FinishResult {
  /** What the run is now: a final status, or `queued` when a retry was scheduled. */
  status: AttemptStatus | 'queued';
  retryAt: Date | null;
  /** Whether conditional actions were queued with this outcome (wake the action worker). */
  actionsQueued?: boolean;
}

/** Longest wait between two attempts, whatever the backoff settings. */
export const MAX_RETRY_DELAY_SECONDS = 30 * 24 * 3600;

/** Lease-loss re-runs allowed per run before it is failed (guards against poison runs). */
export const MAX_LEASE_LOSSES = 5;

export interface FinishItem {
  fence: RunFence;
  outcome: AttemptOutcome;
  /**
   * Rewrites the output the script stored through the runtime API (its secrets masked)
   * before the run becomes final, so no reader ever sees a final run with the raw output.
   */
  maskOutput?: (output: unknown) => unknown;
  /**
   * Whether the run is a node of a workflow run (it moves that run on, in the same
   * transaction). A batch in which every item says false is written without a transaction.
   */
  inWorkflow?: boolean;
}

interface FinishRow {
  id: number;
  status: AttemptStatus | 'queued';
  run_at: Date;
  /** The stored output (deferred rows), or a workflow node's final output. */
  output: unknown;
  workflow_run_id: number | null;
  condition: boolean | null;
  error: string | null;
  /** The row was left as it was: its output must be masked first (pass two). */
  deferred: boolean;
  /** Conditional actions the statement queued (for all its runs). */
  actions: number;
}

/**
 * Records the end of attempts, fenced: nothing changes for an item unless its owner still
 * holds that attempt (its result is then undefined). Failures and timeouts are retried with
 * exponential backoff while attempts remain (lease losses do not count against them), no
 * sooner than an outcome's `retryAfterMs`; an outcome with `noRetry` and cancellations never
 * are. A run flagged `cancelling` ends `cancelled` whatever the process
 * did. Many attempts are written in one statement (one commit), which is what lets a busy
 * orchestrator finish thousands of runs a second.
 *
 * A run whose item masks its output and that has an output to mask is not finished by that
 * statement, which returns the output instead; a second fenced statement finishes those runs
 * with the masked output in the same write. Runs without output (most of them) still take one
 * statement, and no final run ever holds an unmasked output.
 *
 * All of it is one transaction, which also moves on the workflow runs whose nodes ended (the
 * next nodes' runs are queued in the commit that stores the outcome: an orchestrator that
 * dies at any moment neither loses nor doubles a step).
 */
export async function finishRuns(
  db: Kysely<Database>,
  items: FinishItem[],
): Promise<(FinishResult | undefined)[]> {
  if (items.length === 0) return [];
  if (items.every((item) => item.inWorkflow === false)) return finishRunsIn(db, items);
  return db.transaction().execute((trx) => finishRunsIn(trx, items));
}

async function finishRunsIn(
  db: Kysely<Database>,
  items: FinishItem[],
): Promise<(FinishResult | undefined)[]> {
  const rows = new Map<number, FinishRow>();
  const first = await finishStatement(db, items, () => undefined);
  for (const row of first) rows.set(row.id, row);
  const deferred = items.filter((item) => rows.get(item.fence.runId)?.deferred);
  if (deferred.length > 0) {
    const masked = new Map(
      deferred.map((item) => [
        item.fence.runId,
        item.maskOutput!(rows.get(item.fence.runId)!.output),
      ]),
    );
    rows.clear();
    for (const row of first.filter((r) => !r.deferred)) rows.set(row.id, row);
    for (const row of await finishStatement(db, deferred, (item) => masked.get(item.fence.runId)))
      rows.set(row.id, row);
  }
  if ([...rows.values()].some((row) => row.status === 'queued'))
    await sql`SELECT pg_notify(${CHANNELS.runsQueued}, 'retry')`.execute(db);
  // Workflow nodes that ended move their workflow runs on in this same commit.
  const ended = [...rows.values()].filter(
    (row) => row.workflow_run_id !== null && !row.deferred && row.status !== 'queued',
  );
  if (ended.length > 0)
    await advanceWorkflowRuns(
      db,
      ended.map((row) => ({
        workflowRunId: Number(row.workflow_run_id),
        runId: row.id,
        state: nodeStateOf(row.status as AttemptStatus),
        output: row.output ?? null,
        condition: row.condition,
        error: row.error,
      })),
      // One worker's batch: it claims the next nodes itself as its attempts end.
      new Set(items.map((i) => i.fence.owner)).size === 1
        ? { queuedBy: items[0]!.fence.owner }
        : {},
    );
  return items.map((item) => {
    const row = rows.get(item.fence.runId);
    if (!row || row.deferred) return undefined;
    return {
      status: row.status,
      retryAt: row.status === 'queued' ? row.run_at : null,
      ...(row.actions > 0 ? { actionsQueued: true } : {}),
    };
  });
}

/**
 * One fenced statement over `items`. `replacement(item)` is the output to store for an item
 * (undefined: keep the stored one). An item that masks its output, has a stored output, is
 * not retried and gets no replacement is left unchanged and returned `deferred`.
 */
async function finishStatement(
  db: Kysely<Database>,
  items: FinishItem[],
  replacement: (item: FinishItem) => unknown,
): Promise<FinishRow[]> {
  const replacements = items.map(replacement);
  const result = await sql<FinishRow>`
    WITH input AS (
      SELECT * FROM unnest(
        ${items.map((i) => i.fence.runId)}::bigint[], ${items.map((i) => i.fence.attempt)}::int[],
        ${items.map((i) => i.fence.owner)}::text[], ${items.map((i) => i.outcome.status)}::text[],
        ${items.map((i) => i.outcome.exitCode ?? null)}::int[], ${items.map((i) => i.outcome.error ?? null)}::text[],
        ${items.map((i) => (i.outcome.result ? JSON.stringify(i.outcome.result) : null))}::text[],
        ${items.map((i) => i.maskOutput !== undefined)}::bool[],
        ${replacements.map((o) => o !== undefined)}::bool[],
        ${replacements.map((o) => (o === undefined ? null : JSON.stringify(o)))}::text[],
        ${items.map((i) => i.outcome.noRetry ?? false)}::bool[],
        ${items.map((i) => Math.min(Math.max(i.outcome.retryAfterMs ?? 0, 0), MAX_RETRY_DELAY_SECONDS * 1000))}::float8[]
      ) AS i(id, attempt, owner, status, exit_code, error, result, masks, replaces, output, no_retry, retry_after_ms)
    ), decided AS (
      SELECT r.id, i.exit_code, i.error, i.result::jsonb AS result,
        CASE WHEN r.status = 'cancelling' THEN 'cancelled' ELSE i.status END AS final_status,
        (r.status <> 'cancelling' AND i.status IN ('failed', 'timed_out') AND NOT i.no_retry
          AND r.attempt - r.lease_losses < r.max_attempts) AS retry,
        -- Backoff capped at 30 days, so a large factor cannot overflow the interval; a
        -- service's Retry-After pushes it later, never earlier.
        now() + greatest(
          least(e.retry_delay_seconds * power(e.retry_backoff_factor::float8, greatest(r.attempt - r.lease_losses - 1, 0)), ${MAX_RETRY_DELAY_SECONDS}),
          i.retry_after_ms / 1000.0) * interval '1 second' AS retry_at,
        i.replaces, i.output::jsonb AS new_output,
        (i.masks AND NOT i.replaces AND r.output IS NOT NULL) AS masks_first,
        r.output AS stored_output
      FROM input i
      JOIN runs r ON r.id = i.id AND r.attempt = i.attempt AND r.lease_owner = i.owner AND r.status IN ('running', 'cancelling')
      JOIN events e ON e.id = r.event_id
      FOR UPDATE OF r
    ), finished AS (
      UPDATE runs r SET
        status = CASE WHEN d.retry THEN 'queued' ELSE d.final_status END,
        run_at = CASE WHEN d.retry THEN d.retry_at ELSE r.run_at END,
        exit_code = d.exit_code,
        -- A cancelled run keeps the reason its cancellation was requested with.
        error = CASE WHEN d.final_status = 'cancelled' AND r.status = 'cancelling' THEN coalesce(r.error, d.error) ELSE d.error END,
        result = d.result,
        -- A retry starts clean: what a failed attempt set is not the next attempt's.
        output = CASE WHEN d.retry THEN NULL WHEN d.replaces THEN d.new_output ELSE r.output END,
        condition = CASE WHEN d.retry THEN NULL ELSE r.condition END,
        finished_at = CASE WHEN d.retry THEN NULL ELSE clock_timestamp() END,
        duration_ms = (extract(epoch FROM clock_timestamp() - r.started_at) * 1000)::int,
        lease_owner = NULL,
        lease_expires_at = NULL
      FROM decided d
      WHERE r.id = d.id AND (d.retry OR NOT d.masks_first)
      RETURNING r.id, r.status, r.run_at, r.event_id, r.condition, r.workflow_run_id, r.output, r.error
    ), due_actions AS (
      -- The event's conditional actions this outcome calls for, in the outcome's own commit
      -- (the outbox): an orchestrator that dies now leaves them due, not lost; the key keeps
      -- them from being queued twice.
      INSERT INTO run_actions (run_id, action_id)
      SELECT f.id, a.id FROM finished f JOIN event_actions a ON a.event_id = f.event_id
      WHERE f.status <> 'queued' AND (
        a.on_outcome = 'always'
        OR (a.on_outcome = 'success' AND f.status = 'succeeded')
        OR (a.on_outcome = 'failure' AND f.status IN ('failed', 'timed_out', 'partial'))
        OR (a.on_outcome = 'condition_true' AND f.condition IS TRUE)
        OR (a.on_outcome = 'condition_false' AND f.condition IS FALSE))
      ON CONFLICT DO NOTHING
      RETURNING run_id
    )
    SELECT id, status, run_at,
      CASE WHEN workflow_run_id IS NOT NULL THEN output END AS output, false AS deferred,
      (SELECT count(*) FROM due_actions)::int AS actions, workflow_run_id, condition, error
    FROM finished
    UNION ALL
    SELECT id, NULL, NULL, stored_output, true, 0, NULL, NULL, NULL
    FROM decided WHERE masks_first AND NOT retry`.execute(db);
  return result.rows.map((row) => ({ ...row, id: Number(row.id) }));
}

/** One attempt's end; see `finishRuns`. */
export async function finishRun(
  db: Kysely<Database>,
  fence: RunFence,
  outcome: AttemptOutcome,
): Promise<FinishResult | undefined> {
  const [result] = await finishRuns(db, [{ fence, outcome }]);
  return result;
}
