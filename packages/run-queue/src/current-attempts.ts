import { sql, type Kysely } from 'kysely';
import type { Database } from '@cronium/db';

/** Which of the given (run, attempt, owner) triples are still the held attempt of their run. */
export async function currentAttempts(
  db: Kysely<Database>,
  attempts: { runId: number; attempt: number; orchestrator: string }[],
): Promise<Set<string>> {
  if (attempts.length === 0) return new Set();
  const { rows } = await sql<{ id: number; attempt: number; lease_owner: string }>`
    SELECT r.id, r.attempt, r.lease_owner FROM runs r
    JOIN unnest(${attempts.map((a) => a.runId)}::bigint[], ${attempts.map((a) => a.attempt)}::int[],
                ${attempts.map((a) => a.orchestrator)}::text[]) AS c(id, attempt, owner)
      ON r.id = c.id AND r.attempt = c.attempt AND r.lease_owner = c.owner
    WHERE r.status IN ('running', 'cancelling')`.execute(db);
  return new Set(rows.map((r) => `${r.id}:${r.attempt}:${r.lease_owner}`));
}
