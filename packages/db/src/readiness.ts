import { sql, type Kysely } from 'kysely';
import type { CheckResult } from '@cronium/contracts';
import { pendingMigrations } from './migrate.ts';

/** Readiness of the database for a process: reachable, and every migration applied. */
export async function checkDatabase(db: Kysely<any>): Promise<CheckResult> {
  try {
    await sql`SELECT 1`.execute(db);
  } catch (error) {
    return { status: 'unhealthy', message: `database unreachable: ${(error as Error).message}` };
  }
  const pending = await pendingMigrations(db);
  if (pending.length > 0) {
    return { status: 'unhealthy', message: `migrations pending: ${pending.join(', ')}` };
  }
  return { status: 'healthy' };
}
