// Claiming fairly between owners (round-robin, per-owner cap) and never for an owner who is
// not active.
import { sql } from 'kysely';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import { claimRuns } from './claim-runs.ts';

describe('claiming fairly by owner', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.destroy());
  afterEach(async () => {
    await sql`UPDATE runs SET status = 'cancelled' WHERE status IN ('queued', 'running')`.execute(
      t.db,
    );
  });

  async function queue(ownerId: number, eventId: number, count: number, priority: number) {
    await sql`
      INSERT INTO runs (event_id, owner_id, trigger, status, priority)
      SELECT ${eventId}, ${ownerId}, 'manual', 'queued', ${priority}
      FROM generate_series(1, ${count})`.execute(t.db);
  }

  for (const policy of ['allow', 'queue'] as const) {
    it(`gives a one-run owner a turn beside a 50-run owner of higher priority (${policy})`, async () => {
      const a = await insertTestUser(t.db);
      const b = await insertTestUser(t.db);
      const overrides = { concurrency_policy: policy, max_concurrent_runs: 100 };
      await queue(a, await insertTestEvent(t.db, a, overrides), 50, 100);
      await queue(b, await insertTestEvent(t.db, b, overrides), 1, 0);
      const claimed = await claimRuns(t.db, { owner: 'o', limit: 10, leaseMs: 30_000 });
      expect(claimed).toHaveLength(10);
      expect(claimed.filter((c) => c.event.ownerId === b)).toHaveLength(1);
    });
  }

  it('alternates between owners: each owner gets its share of a claim', async () => {
    const owners = [
      await insertTestUser(t.db),
      await insertTestUser(t.db),
      await insertTestUser(t.db),
    ];
    for (const [i, owner] of owners.entries())
      await queue(owner, await insertTestEvent(t.db, owner), 20, i * 10);
    const claimed = await claimRuns(t.db, { owner: 'o', limit: 9, leaseMs: 30_000 });
    for (const owner of owners)
      expect(claimed.filter((c) => c.event.ownerId === owner)).toHaveLength(3);
  });

  it('never starts more than maxRunningPerOwner runs of one owner, counting what already runs', async () => {
    const a = await insertTestUser(t.db);
    const b = await insertTestUser(t.db);
    await queue(a, await insertTestEvent(t.db, a), 20, 0);
    await queue(
      b,
      await insertTestEvent(t.db, b, { concurrency_policy: 'queue', max_concurrent_runs: 20 }),
      20,
      0,
    );
    const options = { owner: 'o', limit: 100, leaseMs: 30_000, maxRunningPerOwner: 3 };
    const first = await claimRuns(t.db, options);
    expect(first.filter((c) => c.event.ownerId === a)).toHaveLength(3);
    expect(first.filter((c) => c.event.ownerId === b)).toHaveLength(3);
    expect(await claimRuns(t.db, options)).toEqual([]);
    // Two claimers at once (two orchestrators) cannot overshoot the cap either.
    await sql`UPDATE runs SET status = 'succeeded' WHERE status = 'running'`.execute(t.db);
    const both = await Promise.all([
      claimRuns(t.db, { ...options, owner: 'p' }),
      claimRuns(t.db, { ...options, owner: 'q' }),
    ]);
    for (const owner of [a, b])
      expect(both.flat().filter((c) => c.event.ownerId === owner).length).toBeLessThanOrEqual(3);
    const running = await sql<{ owner_id: number; n: number }>`
      SELECT owner_id, count(*)::int AS n FROM runs WHERE status = 'running' GROUP BY owner_id`.execute(
      t.db,
    );
    for (const row of running.rows) expect(row.n).toBeLessThanOrEqual(3);
  });

  it('claims no run of an owner who is disabled', async () => {
    const a = await insertTestUser(t.db);
    await queue(a, await insertTestEvent(t.db, a), 2, 0);
    await queue(a, await insertTestEvent(t.db, a, { concurrency_policy: 'queue' }), 2, 0);
    await t.db.updateTable('users').set({ status: 'disabled' }).where('id', '=', a).execute();
    expect(await claimRuns(t.db, { owner: 'o', limit: 10, leaseMs: 30_000 })).toEqual([]);
    await t.db.updateTable('users').set({ status: 'active' }).where('id', '=', a).execute();
    expect(await claimRuns(t.db, { owner: 'o', limit: 10, leaseMs: 30_000 })).toHaveLength(3);
  });
});
