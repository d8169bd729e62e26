// Frozen in time. The scheduler finds due schedules by this column (indexed) instead of
// evaluating every event's cron expression on every pass. NULL means "compute it": writers
// that change a schedule set it to NULL and the scheduler fills it in.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE events ADD COLUMN schedule_next_at timestamptz;
    CREATE INDEX events_schedule_due_idx ON events (schedule_next_at NULLS FIRST)
      WHERE status = 'active' AND schedule_cron IS NOT NULL;
    DROP INDEX events_scheduled_idx;
    -- Attempts lost to an orchestrator (crash, lease expiry, shutdown release): they are
    -- re-run without using up the event's retries, up to a cap against poison runs.
    ALTER TABLE runs ADD COLUMN lease_losses integer NOT NULL DEFAULT 0;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE runs DROP COLUMN IF EXISTS lease_losses;
    DROP INDEX IF EXISTS events_schedule_due_idx;
    ALTER TABLE events DROP COLUMN IF EXISTS schedule_next_at;
    CREATE INDEX events_scheduled_idx ON events (id) WHERE status = 'active' AND schedule_cron IS NOT NULL;
  `.execute(db);
}
