// Frozen in time. A workflow node that sends a tool action (no event): its row in
// workflow_node_runs is its outbox entry while it is started. Any orchestrator's action worker
// claims it with a lease (an expired lease makes it claimable again), sends it, and records
// the end against that lease in the transaction that moves the workflow run on. Its input
// (built from its parents' outputs) is kept with it.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE workflow_node_runs
      ADD COLUMN send_due_at timestamptz,
      ADD COLUMN send_tries integer NOT NULL DEFAULT 0,
      ADD COLUMN lease_owner text,
      ADD COLUMN lease_expires_at timestamptz,
      ADD COLUMN input jsonb;
    CREATE INDEX workflow_node_runs_send_due_idx ON workflow_node_runs (send_due_at)
      WHERE send_due_at IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DROP INDEX IF EXISTS workflow_node_runs_send_due_idx;
    ALTER TABLE workflow_node_runs
      DROP COLUMN send_due_at, DROP COLUMN send_tries, DROP COLUMN lease_owner,
      DROP COLUMN lease_expires_at, DROP COLUMN input;
  `.execute(db);
}
