import { sql } from 'kysely';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import type { ConcurrencyPolicy } from '@cronium/contracts';
import { claimRuns } from './claim-runs.ts';
import { finishRun } from './finish-run.ts';
import { triggerRun } from './trigger-run.ts';
import { renewLeases } from './renew-leases.ts';

// 200 simultaneous triggers of one event under each policy, drained by four concurrent
// "orchestrators". Never more runs held at once than the policy allows, and none lost:
// every trigger ends as a finished run, a cancelled (replaced) run, or a counted skip.
describe.each<[ConcurrencyPolicy, number]>([
  ['allow', 1],
  ['skip', 1],
  ['queue', 2],
  ['replace', 1],
])('concurrency policy %s (max %i)', (policy, maxConcurrent) => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase({ poolMax: 30 });
  });
  afterAll(() => t.destroy());

  it('holds the limit under a burst of 200 triggers and loses nothing', async () => {
    const userId = await insertTestUser(t.db);
    const eventId = await insertTestEvent(t.db, userId, {
      concurrency_policy: policy,
      max_concurrent_runs: maxConcurrent,
    });
    let maxHeldSeen = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        const { rows } = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM runs WHERE event_id = ${eventId} AND status IN ('running', 'cancelling')`.execute(
          t.db,
        );
        maxHeldSeen = Math.max(maxHeldSeen, rows[0]!.n);
      }
    })();

    let triggersDone = false;
    const finished = new Set<number>();
    const worker = async (owner: string) => {
      while (!triggersDone || (await pendingCount()) > 0) {
        const claimed = await claimRuns(t.db, { owner, limit: 5, leaseMs: 30_000 });
        if (claimed.length === 0) {
          await new Promise((r) => setTimeout(r, 5));
          continue;
        }
        const held = await renewLeases(t.db, owner, 30_000, claimed);
        for (const c of claimed) {
          const cancel = held.find((h) => h.runId === c.runId)?.cancelRequested;
          const result = await finishRun(t.db, c, { status: cancel ? 'cancelled' : 'succeeded' });
          if (result) finished.add(c.runId);
        }
      }
    };
    const pendingCount = async () => {
      const { rows } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM runs WHERE event_id = ${eventId} AND status IN ('queued', 'running', 'cancelling')`.execute(
        t.db,
      );
      return rows[0]!.n;
    };

    const workers = ['a', 'b', 'c', 'd'].map((o) => worker(o));
    const results = await Promise.all(
      Array.from({ length: 200 }, () => triggerRun(t.db, eventId, { trigger: 'manual' })),
    );
    triggersDone = true;
    await Promise.all(workers);
    sampling = false;
    await sampler;

    const enqueued = results.filter((r) => r.outcome === 'enqueued');
    const skipped = results.filter((r) => r.outcome === 'skipped_overlap');
    expect(enqueued.length + skipped.length).toBe(200);
    const runs = await t.db
      .selectFrom('runs')
      .select(['id', 'status'])
      .where('event_id', '=', eventId)
      .execute();
    expect(runs).toHaveLength(enqueued.length);
    expect(runs.filter((r) => !['succeeded', 'cancelled'].includes(r.status))).toEqual([]);

    if (policy === 'allow') {
      expect(skipped).toHaveLength(0);
      expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    } else {
      expect(maxHeldSeen).toBeLessThanOrEqual(maxConcurrent);
    }
    if (policy === 'queue') {
      expect(skipped).toHaveLength(0);
      expect(runs.every((r) => r.status === 'succeeded')).toBe(true);
    }
    if (policy === 'skip') expect(skipped.length).toBeGreaterThan(0);
    if (policy === 'replace') {
      expect(skipped).toHaveLength(0);
      // The newest trigger's run is never the one replaced.
      const last = runs.reduce((a, b) => (a.id > b.id ? a : b));
      expect(last.status).toBe('succeeded');
    }
  });
});
