import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import { findRunByIdempotencyKey, isIdempotencyConflict } from './idempotent-run.ts';
import { triggerRun } from './trigger-run.ts';

describe('idempotency keys of runs', () => {
  let t: TestDatabase;
  let userId: number;
  beforeAll(async () => {
    t = await createTestDatabase();
    userId = await insertTestUser(t.db);
  });
  afterAll(() => t.destroy());

  const runsOf = async (eventId: number) =>
    (await t.db.selectFrom('runs').select('id').where('event_id', '=', eventId).execute()).length;

  it.each(['allow', 'skip', 'replace'] as const)(
    'one run per key and event, with nothing else written by the refused trigger (%s)',
    async (policy) => {
      const eventId = await insertTestEvent(t.db, userId, {
        concurrency_policy: policy,
        max_concurrent_runs: 5,
      });
      const audit = { actor_kind: 'system' as const, actor_id: null, ip: null, user_agent: null };
      const first = await triggerRun(
        t.db,
        eventId,
        { trigger: 'webhook', input: { n: 1 }, idempotencyKey: 'delivery-1' },
        { audit: { ...audit, actor_ref: 'webhook:7' } },
      );
      if (first.outcome !== 'enqueued') throw new Error('not enqueued');
      expect(first.run.idempotency_key).toBe('delivery-1');
      const again = triggerRun(t.db, eventId, {
        trigger: 'webhook',
        input: { n: 2 },
        idempotencyKey: 'delivery-1',
      });
      const error = await again.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isIdempotencyConflict(error)).toBe(true);
      expect(await runsOf(eventId)).toBe(1);
      // replace cancels active runs first: the refused trigger's transaction cancelled nothing.
      expect((await findRunByIdempotencyKey(t.db, eventId, 'delivery-1'))?.status).toBe('queued');
      expect((await findRunByIdempotencyKey(t.db, eventId, 'delivery-1'))?.id).toBe(first.runId);
      // The same key on another event, and no key at all, are other runs.
      const other = await insertTestEvent(t.db, userId);
      const elsewhere = await triggerRun(t.db, other, {
        trigger: 'webhook',
        idempotencyKey: 'delivery-1',
      });
      expect(elsewhere.outcome).toBe('enqueued');
      await triggerRun(t.db, eventId, { trigger: 'webhook' });
      expect(await runsOf(eventId)).toBe(2);
      const audits = await t.db
        .selectFrom('audit_log')
        .select(['actor_kind', 'actor_ref', 'details'])
        .where('action', '=', 'run.trigger')
        .where('target_id', '=', String(eventId))
        .execute();
      if (policy === 'allow')
        expect(audits).toEqual([
          { actor_kind: 'system', actor_ref: 'webhook:7', details: { runId: first.runId } },
        ]);
      else expect(audits.map((a) => a.actor_ref)).toEqual(['webhook:7']);
    },
  );

  it('finds nothing for a key no run has', async () => {
    const eventId = await insertTestEvent(t.db, userId);
    expect(await findRunByIdempotencyKey(t.db, eventId, 'nope')).toBeUndefined();
    expect(isIdempotencyConflict(new Error('x'))).toBe(false);
  });
});
