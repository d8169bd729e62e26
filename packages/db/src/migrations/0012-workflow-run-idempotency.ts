// Frozen in time. A webhook that starts a workflow names each delivery, as it does for an
// event's run: a retried delivery finds the workflow run it created instead of starting another.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE workflow_runs ADD COLUMN idempotency_key text;
    CREATE UNIQUE INDEX workflow_runs_idempotency_key_idx ON workflow_runs (workflow_id, idempotency_key)
      WHERE idempotency_key IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP INDEX IF EXISTS workflow_runs_idempotency_key_idx;
    ALTER TABLE workflow_runs DROP COLUMN idempotency_key;
  `.execute(db);
}
