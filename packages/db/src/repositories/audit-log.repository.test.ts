import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../testing/index.ts';
import { purgeOldAuditEntries, recordAudit } from './audit-log.repository.ts';

// Review L10: the audit log keeps what strangers typed (the email of a failed sign-in), so it
// must not grow without end.
describe('audit log retention (real database)', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.destroy());

  it('deletes entries older than the retention, in batches, and keeps the rest', async () => {
    for (let i = 0; i < 25; i++)
      await recordAudit(t.db, {
        actor_kind: 'user',
        actor_ref: `old${i}@x`,
        action: 'session.sign_in_failed',
      });
    await sql`UPDATE audit_log SET occurred_at = now() - interval '400 days'`.execute(t.db);
    await recordAudit(t.db, {
      actor_kind: 'user',
      actor_ref: 'recent@x',
      action: 'session.sign_in_failed',
    });
    const removed = await purgeOldAuditEntries(t.db, { olderThanDays: 365, batchSize: 10 });
    expect(removed).toBe(25);
    const left = await t.db.selectFrom('audit_log').select('actor_ref').execute();
    expect(left.map((r) => r.actor_ref)).toEqual(['recent@x']);
  });
});
