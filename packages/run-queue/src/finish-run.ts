import { sql, type Kysely } from 'kysely';
import type { Database } from '@cronium/db';
import { FINAL_RUN_STATUSES, type FinalRunStatus } from '@cronium/contracts';
import { CHANNELS, type RunFence } from './queue-types.ts';

/** How an attempt ends: one of the final run statuses. */
export type AttemptStatus = FinalRunStatus;

export interface AttemptOutcome {
  status: AttemptStatus;
  exitCode?: number | null;
  error?: string | null;
  /** Executor-specific details (HTTP status and body, signal, ...). */
  result?: Record<string, unknown> | null;
}

export interface FinishResult {
  /** What the run is now: a final status, or `queued` when a retry was scheduled. */
  status: AttemptStatus | 'queued';
  retryAt: Date | null;
  /**
   * The output the script stored through the runtime API during the attempt, as kept (null
   * when none, or when a retry cleared it), so the caller can mask it without reading the row
   * again (`replaceFinishedOutput`).
   */
  output: unknown;
}

/** Longest wait between two attempts, whatever the backoff settings. */
export const MAX_RETRY_DELAY_SECONDS = 30 * 24 * 3600;

/** Lease-loss re-runs allowed per run before it is failed (guards against poison runs). */
export const MAX_LEASE_LOSSES = 5;

export interface FinishItem {
  fence: RunFence;
  outcome: AttemptOutcome;
}

/**
 * Records the end of attempts, fenced: nothing changes for an item unless its owner still
 * holds that attempt (its result is then undefined). Failures and timeouts are retried with
 * exponential backoff while attempts remain (lease losses do not count against them);
 * cancellations never are. A run flagged `cancelling` ends `cancelled` whatever the process
 * did. Many attempts are written in one statement (one commit), which is what lets a busy
 * orchestrator finish thousands of runs a second.
 */
export async function finishRuns(
  db: Kysely<Database>,
  items: FinishItem[],
): Promise<(FinishResult | undefined)[]> {
  if (items.length === 0) return [];
  const result = await sql<{
    id: number;
    status: AttemptStatus | 'queued';
    run_at: Date;
    output: unknown;
  }>`
    WITH input AS (
      SELECT * FROM unnest(
        ${items.map((i) => i.fence.runId)}::bigint[], ${items.map((i) => i.fence.attempt)}::int[],
        ${items.map((i) => i.fence.owner)}::text[], ${items.map((i) => i.outcome.status)}::text[],
        ${items.map((i) => i.outcome.exitCode ?? null)}::int[], ${items.map((i) => i.outcome.error ?? null)}::text[],
        ${items.map((i) => (i.outcome.result ? JSON.stringify(i.outcome.result) : null))}::text[]
      ) AS i(id, attempt, owner, status, exit_code, error, result)
    ), decided AS (
      SELECT r.id, i.exit_code, i.error, i.result::jsonb AS result,
        CASE WHEN r.status = 'cancelling' THEN 'cancelled' ELSE i.status END AS final_status,
        (r.status <> 'cancelling' AND i.status IN ('failed', 'timed_out')
          AND r.attempt - r.lease_losses < r.max_attempts) AS retry,
        -- Backoff capped at 30 days, so a large factor cannot overflow the interval.
        now() + least(e.retry_delay_seconds * power(e.retry_backoff_factor::float8, greatest(r.attempt - r.lease_losses - 1, 0)), ${MAX_RETRY_DELAY_SECONDS})
          * interval '1 second' AS retry_at
      FROM input i
      JOIN runs r ON r.id = i.id AND r.attempt = i.attempt AND r.lease_owner = i.owner AND r.status IN ('running', 'cancelling')
      JOIN events e ON e.id = r.event_id
      FOR UPDATE OF r
    )
    UPDATE runs r SET
      status = CASE WHEN d.retry THEN 'queued' ELSE d.final_status END,
      run_at = CASE WHEN d.retry THEN d.retry_at ELSE r.run_at END,
      exit_code = d.exit_code,
      -- A cancelled run keeps the reason its cancellation was requested with.
      error = CASE WHEN d.final_status = 'cancelled' AND r.status = 'cancelling' THEN coalesce(r.error, d.error) ELSE d.error END,
      result = d.result,
      -- A retry starts clean: what a failed attempt set is not the next attempt's.
      output = CASE WHEN d.retry THEN NULL ELSE r.output END,
      condition = CASE WHEN d.retry THEN NULL ELSE r.condition END,
      finished_at = CASE WHEN d.retry THEN NULL ELSE clock_timestamp() END,
      duration_ms = (extract(epoch FROM clock_timestamp() - r.started_at) * 1000)::int,
      lease_owner = NULL,
      lease_expires_at = NULL
    FROM decided d
    WHERE r.id = d.id
    RETURNING r.id, r.status, r.run_at, r.output`.execute(db);
  const byId = new Map(result.rows.map((row) => [row.id, row]));
  if (result.rows.some((row) => row.status === 'queued'))
    await sql`SELECT pg_notify(${CHANNELS.runsQueued}, 'retry')`.execute(db);
  return items.map((item) => {
    const row = byId.get(item.fence.runId);
    return row
      ? {
          status: row.status,
          retryAt: row.status === 'queued' ? row.run_at : null,
          output: row.output ?? null,
        }
      : undefined;
  });
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

/**
 * Replaces the output of an attempt that has just finished (with its secrets masked): only
 * while the run is still at that attempt and final, so a later attempt's output is never
 * touched.
 */
export async function replaceFinishedOutput(
  db: Kysely<Database>,
  run: { runId: number; attempt: number },
  output: unknown,
): Promise<void> {
  await sql`
    UPDATE runs SET output = ${JSON.stringify(output)}::jsonb
    WHERE id = ${run.runId} AND attempt = ${run.attempt}
      AND status IN (${sql.join([...FINAL_RUN_STATUSES])})`.execute(db);
}
