import { sql, type Kysely } from 'kysely';
import type { Database } from '@cronium/db';

export interface HeldRun {
  runId: number;
  attempt: number;
  cancelRequested: boolean;
}

/**
 * The heartbeat: extends the leases of exactly the attempts this orchestrator is executing
 * (not every row under its name: a restarted orchestrator with the same id must not keep
 * its dead predecessor's runs alive), in one statement, and reports which it still holds
 * and which were asked to cancel. An attempt missing from the answer was lost (its lease
 * expired and was swept): its worker must stop and write nothing.
 */
export async function renewLeases(
  db: Kysely<Database>,
  owner: string,
  leaseMs: number,
  attempts: { runId: number; attempt: number }[],
): Promise<HeldRun[]> {
  if (attempts.length === 0) return [];
  const rows = await sql<{ id: number; attempt: number; status: string }>`
    UPDATE runs r SET lease_expires_at = now() + ${leaseMs} * interval '1 millisecond'
    FROM unnest(${attempts.map((a) => a.runId)}::bigint[], ${attempts.map((a) => a.attempt)}::int[]) AS held(id, attempt)
    WHERE r.id = held.id AND r.attempt = held.attempt AND r.lease_owner = ${owner}
      AND r.status IN ('running', 'cancelling') AND r.lease_expires_at > now()
    RETURNING r.id, r.attempt, r.status`.execute(db);
  return rows.rows.map((r) => ({
    runId: r.id,
    attempt: r.attempt,
    cancelRequested: r.status === 'cancelling',
  }));
}
