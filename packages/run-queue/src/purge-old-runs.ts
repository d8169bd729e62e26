import { sql, type Kysely } from 'kysely';
import type { Database } from '@cronium/db';

/**
 * Retention: deletes finished runs (their log lines and per-server records go with them),
 * finished workflow runs (their node records and child workflow runs go with them) and
 * schedule ticks older than `olderThanDays`, in bounded batches so a large purge never holds
 * long locks. Returns how many of each were removed.
 */
export async function purgeOldRuns(
  db: Kysely<Database>,
  options: { olderThanDays: number; batchSize?: number; maxBatches?: number },
): Promise<{ runs: number; workflowRuns: number; ticks: number }> {
  const batch = options.batchSize ?? 500;
  let runs = 0;
  let workflowRuns = 0;
  let ticks = 0;
  for (let i = 0; i < (options.maxBatches ?? 100); i++) {
    const deleted = await sql<{ n: number }>`
      WITH doomed AS (
        SELECT id FROM runs
        WHERE finished_at < now() - ${options.olderThanDays} * interval '1 day'
          AND status IN ('succeeded', 'failed', 'timed_out', 'cancelled', 'partial')
        LIMIT ${batch}
      ), gone AS (DELETE FROM runs WHERE id IN (SELECT id FROM doomed) RETURNING 1)
      SELECT count(*)::int AS n FROM gone`.execute(db);
    const n = deleted.rows[0]?.n ?? 0;
    runs += n;
    if (n < batch) break;
  }
  for (let i = 0; i < (options.maxBatches ?? 100); i++) {
    // Top-level runs only: a child workflow run goes with its parent (ON DELETE CASCADE).
    const deleted = await sql<{ n: number }>`
      WITH doomed AS (
        SELECT id FROM workflow_runs
        WHERE finished_at < now() - ${options.olderThanDays} * interval '1 day'
          AND status <> 'running' AND parent_run_id IS NULL
        LIMIT ${batch}
      ), gone AS (DELETE FROM workflow_runs WHERE id IN (SELECT id FROM doomed) RETURNING 1)
      SELECT count(*)::int AS n FROM gone`.execute(db);
    const n = deleted.rows[0]?.n ?? 0;
    workflowRuns += n;
    if (n < batch) break;
  }
  for (let i = 0; i < (options.maxBatches ?? 100); i++) {
    const deleted = await sql<{ n: number }>`
      WITH gone AS (
        DELETE FROM schedule_ticks WHERE id IN (
          SELECT id FROM schedule_ticks WHERE slot < now() - ${options.olderThanDays} * interval '1 day' LIMIT ${batch})
        RETURNING 1)
      SELECT count(*)::int AS n FROM gone`.execute(db);
    const n = deleted.rows[0]?.n ?? 0;
    ticks += n;
    if (n < batch) break;
  }
  return { runs, workflowRuns, ticks };
}
