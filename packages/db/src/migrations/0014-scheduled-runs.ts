// Frozen in time. Runs asked for a later time wait as `scheduled` (no concurrency slot, no
// place in the claim's queue) until the scheduler promotes them to `queued` at their time; this
// index finds the earliest one and the due ones without reading the other runs.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    CREATE INDEX runs_scheduled_run_at_idx ON runs (run_at) WHERE status = 'scheduled';
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS runs_scheduled_run_at_idx;`.execute(db);
}
