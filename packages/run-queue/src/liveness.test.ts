import { sql } from 'kysely';
import { openLivenessSession, type LivenessSession } from '@cronium/db';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import { claimRuns } from './claim-runs.ts';
import { livenessSeenName, livenessSnapshot } from './liveness.ts';
import { sweepExpiredLeases } from './sweep-expired-leases.ts';
import { triggerRun } from './trigger-run.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('liveness sessions', () => {
  let t: TestDatabase;
  const sessions: LivenessSession[] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.close()));
    await t.destroy();
  });

  async function open(owner: string): Promise<LivenessSession> {
    const session = openLivenessSession({
      url: t.url,
      owner,
      pingMs: 100,
      keepaliveIdleSeconds: 40,
      onChange: () => undefined,
    });
    sessions.push(session);
    for (let i = 0; !session.live; i++) {
      if (i > 100) throw new Error('the session did not start');
      await sleep(20);
    }
    return session;
  }

  async function runHeldBy(owner: string): Promise<number> {
    const eventId = await insertTestEvent(t.db, await insertTestUser(t.db));
    const queued = await triggerRun(t.db, eventId, { trigger: 'manual' });
    if (queued.outcome !== 'enqueued') throw new Error('not enqueued');
    const [claimed] = await claimRuns(t.db, { owner, limit: 1, leaseMs: 60_000 });
    expect(claimed?.runId).toBe(queued.runId);
    return queued.runId;
  }

  it('sees who is up, and whose runs are held without a session', async () => {
    const a = await open('alpha');
    await open('beta');
    const runA = await runHeldBy('alpha');
    await runHeldBy('gamma'); // an orchestrator without a session (an older version, say)

    let snapshot = await livenessSnapshot(t.db, 'beta');
    expect(snapshot.up.sort()).toEqual(['alpha', 'beta']);
    expect(snapshot.silent).toEqual(['gamma']);
    // One's own runs are never judged.
    expect((await livenessSnapshot(t.db, 'gamma')).silent).toEqual([]);

    // A sweep naming alpha while its lock is held takes nothing.
    expect(await sweepExpiredLeases(t.db, ['alpha'])).toEqual([]);

    await a.close();
    snapshot = await livenessSnapshot(t.db, 'beta');
    expect(snapshot.up).toEqual(['beta']);
    expect(snapshot.silent.sort()).toEqual(['alpha', 'gamma']);
    expect(await sweepExpiredLeases(t.db, ['alpha'])).toEqual([
      { runId: runA, ownerId: expect.any(Number), status: 'queued' },
    ]);
    const run = await t.db
      .selectFrom('runs')
      .select(['status', 'error', 'lease_owner', 'lease_losses'])
      .where('id', '=', runA)
      .executeTakeFirstOrThrow();
    expect(run).toEqual({
      status: 'queued',
      error: 'attempt 1 lost: orchestrator alpha is gone (its database session ended)',
      lease_owner: null,
      lease_losses: 1,
    });
  });

  it('holds the lock again after the server ended its session', async () => {
    const session = await open('delta');
    const changes: boolean[] = [];
    const before = session.confirmedAt;
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
              WHERE application_name = 'cronium-live:delta'`.execute(t.db);
    for (let i = 0; session.live && i < 100; i++) await sleep(10);
    changes.push(session.live);
    for (let i = 0; !session.live && i < 200; i++) await sleep(20);
    changes.push(session.live);
    expect(changes).toEqual([false, true]);
    expect(session.confirmedAt).toBeGreaterThan(before);
    expect((await livenessSnapshot(t.db, 'x')).up).toContain('delta');
  });

  it('knows an orchestrator by the part of a long name its session shows', async () => {
    // PostgreSQL keeps 63 bytes of an application name: 50 characters of the orchestrator's.
    const long = `k8s-${'x'.repeat(60)}-4242-a1b2c3`;
    const other = `k8s-${'x'.repeat(60)}-4343-d4e5f6`;
    await open(long);
    const { up } = await livenessSnapshot(t.db, 'x');
    expect(up).toContain(livenessSeenName(long));
    expect(livenessSeenName(long)).toHaveLength(50);
    expect(livenessSeenName('delta')).toBe('delta');
    // The lock is keyed by the whole name: a sweep naming another with the same first 50
    // characters takes nothing of the first's, and the first's lock still protects its runs.
    await t.db.deleteFrom('runs').where('status', '=', 'queued').execute(); // earlier tests'
    const run = await runHeldBy(long);
    expect(await sweepExpiredLeases(t.db, [other, long])).toEqual([]);
    expect(
      (
        await t.db
          .selectFrom('runs')
          .select('status')
          .where('id', '=', run)
          .executeTakeFirstOrThrow()
      ).status,
    ).toBe('running');
  });
});
