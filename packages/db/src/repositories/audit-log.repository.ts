import type { Insertable, Kysely, Transaction } from 'kysely';
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
