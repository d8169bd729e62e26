import { sql, type Kysely } from 'kysely';
import type { CheckResult } from '@cronium/contracts';
import { pendingMigrations } from './migrate.ts';

/**
 * Readiness of the database for a process: reachable, and every migration applied. The
 * driver's own message (host names, user names, why authentication failed) is `cause`: for
 * the process's log, never for the public answer (review L7).
 */
export async function checkDatabase(db: Kysely<any>): Promise<CheckResult & { cause?: string }> {
  try {
    await sql`SELECT 1`.execute(db);
  } catch (error) {
    return {
      status: 'unhealthy',
      message: 'database unreachable',
      cause: (error as Error).message,
    };
  }
  const pending = await pendingMigrations(db);
  if (pending.length > 0) {
    return { status: 'unhealthy', message: `migrations pending: ${pending.join(', ')}` };
  }
  return { status: 'healthy' };
}
