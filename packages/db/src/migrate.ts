import { sql, type Kysely } from 'kysely';
import { Migrator, type MigrationResult } from 'kysely/migration';
import { migrations } from './migrations/index.ts';

// An arbitrary, fixed 64-bit key: "cronium migrations". Every process takes it before
// migrating, so several processes starting at once migrate one after the other.
const MIGRATION_LOCK_KEY = 7_302_918_414_226_113n;

export interface MigrateResult {
  applied: string[];
}

function migrator(db: Kysely<any>): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

/**
 * Brings the schema to the latest version. Holds a session-level advisory lock on one
 * dedicated connection for the whole run; the later processes wait, then find nothing to do.
 */
export async function migrateToLatest(db: Kysely<any>): Promise<MigrateResult> {
  return db.connection().execute(async (connection) => {
    await sql`SELECT pg_advisory_lock(${MIGRATION_LOCK_KEY})`.execute(connection);
    try {
      const { error, results } = await migrator(connection).migrateToLatest();
      if (error) {
        const failed = results?.find((r: MigrationResult) => r.status === 'Error');
        throw new Error(`Migration ${failed?.migrationName ?? '(unknown)'} failed`, {
          cause: error,
        });
      }
      return {
        applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
      };
    } finally {
      await sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK_KEY})`.execute(connection);
    }
  });
}

/** Names of known migrations not yet applied; empty when the schema is current. */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const infos = await migrator(db).getMigrations();
  return infos.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
