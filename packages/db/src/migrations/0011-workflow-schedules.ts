// Frozen in time. Workflows fire on cron schedules through the same scheduler, ledger and
// misfire policy as events: a due index, the misfire policy, and ledger rows that belong to a
// workflow (and the workflow run a slot started) instead of an event.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE workflows
      ADD COLUMN schedule_next_at timestamptz,
      ADD COLUMN misfire_policy text NOT NULL DEFAULT 'last' CHECK (misfire_policy IN ('all', 'last', 'none')),
      ADD COLUMN misfire_max_catchup integer NOT NULL DEFAULT 10 CHECK (misfire_max_catchup BETWEEN 1 AND 1000);
    CREATE INDEX workflows_schedule_due_idx ON workflows (schedule_next_at)
      WHERE status = 'active' AND schedule_cron IS NOT NULL;

    ALTER TABLE schedule_ticks
      ALTER COLUMN event_id DROP NOT NULL,
      ADD COLUMN workflow_id bigint REFERENCES workflows (id) ON DELETE CASCADE,
      ADD COLUMN workflow_run_id bigint REFERENCES workflow_runs (id) ON DELETE SET NULL,
      ADD CONSTRAINT schedule_ticks_one_target CHECK ((event_id IS NULL) <> (workflow_id IS NULL)),
      ADD CONSTRAINT schedule_ticks_workflow_slot UNIQUE (workflow_id, slot);
    CREATE INDEX schedule_ticks_workflow_run_idx ON schedule_ticks (workflow_run_id)
      WHERE workflow_run_id IS NOT NULL;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    DELETE FROM schedule_ticks WHERE workflow_id IS NOT NULL;
    ALTER TABLE schedule_ticks
      DROP CONSTRAINT schedule_ticks_one_target, DROP CONSTRAINT schedule_ticks_workflow_slot,
      DROP COLUMN workflow_run_id, DROP COLUMN workflow_id,
      ALTER COLUMN event_id SET NOT NULL;
    DROP INDEX IF EXISTS workflows_schedule_due_idx;
    ALTER TABLE workflows DROP COLUMN schedule_next_at, DROP COLUMN misfire_policy, DROP COLUMN misfire_max_catchup;
  `.execute(db);
}
