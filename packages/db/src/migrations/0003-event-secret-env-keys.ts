// Frozen in time. The names of an event's secret environment variables, in clear beside the
// encrypted values, so the API can say which are set without decrypting anything.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE events ADD COLUMN secret_env_keys text[] NOT NULL DEFAULT '{}';
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE events DROP COLUMN IF EXISTS secret_env_keys;
  `.execute(db);
}
