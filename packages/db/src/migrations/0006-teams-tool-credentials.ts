// Frozen in time. Microsoft Teams (a Workflows webhook) joins the tool kinds a user can store
// credentials for.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE tool_credentials DROP CONSTRAINT tool_credentials_kind_check`.execute(db);
  await sql`ALTER TABLE tool_credentials ADD CONSTRAINT tool_credentials_kind_check
    CHECK (kind IN ('email', 'slack', 'discord', 'teams', 'webhook'))`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`ALTER TABLE tool_credentials DROP CONSTRAINT tool_credentials_kind_check`.execute(db);
  await sql`ALTER TABLE tool_credentials ADD CONSTRAINT tool_credentials_kind_check
    CHECK (kind IN ('email', 'slack', 'discord', 'webhook'))`.execute(db);
}
