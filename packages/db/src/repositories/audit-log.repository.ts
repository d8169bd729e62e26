import { sql, type Insertable, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../schema/database.ts';
import type { AuditLogTable } from '../schema/accounts.tables.ts';

type Executor = Kysely<Database> | Transaction<Database>;

export type AuditEntry = Omit<Insertable<AuditLogTable>, 'id' | 'occurred_at'>;

/** Appends to the audit log; pass the transaction of the change it describes. */
export async function recordAudit(db: Executor, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({ ...entry, details: JSON.stringify(entry.details ?? {}) })
    .execute();
}

/**
 * Retention of the audit log: deletes entries older than `olderThanDays`, in bounded batches
 * so a large purge never holds long locks (review L10: part of what it holds comes from
 * strangers, such as the email typed at a failed sign-in). Returns how many went.
 */
export async function purgeOldAuditEntries(
  db: Kysely<Database>,
  options: { olderThanDays: number; batchSize?: number; maxBatches?: number },
): Promise<number> {
  const batch = options.batchSize ?? 1_000;
  let removed = 0;
  for (let i = 0; i < (options.maxBatches ?? 100); i++) {
    const deleted = await sql<{ n: number }>`
      WITH gone AS (
        DELETE FROM audit_log WHERE id IN (
          SELECT id FROM audit_log
           WHERE occurred_at < now() - ${options.olderThanDays} * interval '1 day'
           LIMIT ${batch})
        RETURNING 1)
      SELECT count(*)::int AS n FROM gone`.execute(db);
    const n = deleted.rows[0]?.n ?? 0;
    removed += n;
    if (n < batch) break;
  }
  return removed;
}
