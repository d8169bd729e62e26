// Frozen in time. The events whose runs a claim must serialise (every concurrency policy but
// `allow`), so asking "is a run of a limited event waiting?" starts from those few events
// instead of scanning every queued run (which, with only `allow` runs queued, it read to the
// end on every claim).
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX events_limited_idx ON events (id) WHERE concurrency_policy <> 'allow'`.execute(
    db,
  );
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS events_limited_idx`.execute(db);
}
