import { sql, type Kysely } from 'kysely';
import type { Database } from '@cronium/db';
import type { RunFence } from './queue-types.ts';

export interface RunTargetState {
  serverId: number;
  status: 'running' | 'succeeded' | 'failed' | 'timed_out' | 'cancelled';
  exitCode: number | null;
  error?: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

/**
 * Records where one server of a multi-server attempt stands (one row per run, server and
 * attempt), fenced like every other write of an attempt: nothing is written once the
 * attempt no longer holds the run. Returns whether it was written.
 */
export async function recordRunTarget(
  db: Kysely<Database>,
  fence: RunFence,
  target: RunTargetState,
): Promise<boolean> {
  const result = await sql`
    INSERT INTO run_targets (run_id, server_id, attempt, status, exit_code, error, started_at, finished_at)
    SELECT r.id, ${target.serverId}, r.attempt, ${target.status}, ${target.exitCode}, ${target.error ?? null},
      ${target.startedAt}, ${target.finishedAt}
    FROM runs r
    WHERE r.id = ${fence.runId} AND r.attempt = ${fence.attempt} AND r.lease_owner = ${fence.owner}
    ON CONFLICT (run_id, server_id, attempt) DO UPDATE SET
      status = excluded.status, exit_code = excluded.exit_code, error = excluded.error,
      finished_at = excluded.finished_at`.execute(db);
  return (result.numAffectedRows ?? 0n) > 0n;
}
