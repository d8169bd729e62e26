import { sql } from 'kysely';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import type { ConcurrencyPolicy } from '@cronium/contracts';
import { claimRuns } from './claim-runs.ts';
import { cancelOwnerRuns } from './enqueue-run.ts';
import { nextScheduledRunAt, promoteScheduledRuns } from './promote-scheduled-runs.ts';
import { requestCancel, triggerRun } from './trigger-run.ts';

// Runs asked for a later time wait as `scheduled`, outside the event's concurrency, until
// they are promoted at their time with the policy applied then.
describe('scheduled runs', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.destroy());

  const inAMinute = () => new Date(Date.now() + 60_000);
  const status = async (runId: number) =>
    (
      await t.db
        .selectFrom('runs')
        .select('status')
        .where('id', '=', runId)
        .executeTakeFirstOrThrow()
    ).status;
  /** Moves a scheduled run's time to the past, as if its time had come. */
  const makeDue = (runId: number) =>
    sql`UPDATE runs SET run_at = now() - interval '1 second' WHERE id = ${runId}`.execute(t.db);
  const event = async (policy: ConcurrencyPolicy) =>
    insertTestEvent(t.db, await insertTestUser(t.db), {
      concurrency_policy: policy,
      max_concurrent_runs: 1,
    });
  const trigger = async (eventId: number, runAt?: Date) => {
    const result = await triggerRun(t.db, eventId, {
      trigger: 'manual',
      ...(runAt ? { runAt } : {}),
    });
    if (result.outcome !== 'enqueued') throw new Error(result.reason);
    return result.run;
  };

  it('waits as scheduled, is not claimed, and does not block a skip event meanwhile', async () => {
    const eventId = await event('skip');
    const later = await trigger(eventId, inAMinute());
    expect(later.status).toBe('scheduled');
    // The event takes runs now as if the scheduled one were not there.
    const now = await trigger(eventId);
    expect(now.status).toBe('queued');
    const claimed = await claimRuns(t.db, { owner: 'o1', limit: 10, leaseMs: 30_000 });
    expect(claimed.map((c) => c.runId)).toEqual([now.id]);
    expect(await status(later.id)).toBe('scheduled');
    // Not due yet: the promoter leaves it alone.
    expect((await promoteScheduledRuns(t.db, { horizon: new Date() })).queued).toEqual([]);
    expect((await nextScheduledRunAt(t.db))?.getTime()).toBe(later.run_at.getTime());
  });

  it('applies the skip policy at promotion time', async () => {
    const eventId = await event('skip');
    const later = await trigger(eventId, inAMinute());
    const running = await trigger(eventId);
    await claimRuns(t.db, { owner: 'o1', limit: 10, leaseMs: 30_000 });
    await makeDue(later.id);
    const result = await promoteScheduledRuns(t.db, { horizon: new Date() });
    expect(result.skipped.map((r) => r.runId)).toEqual([later.id]);
    const row = await t.db
      .selectFrom('runs')
      .select(['status', 'error', 'attempt'])
      .where('id', '=', later.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'cancelled', attempt: 0 });
    expect(row.error).toContain(`#${running.id} running`);
  });

  it('applies the replace policy at promotion time, then the run is claimed', async () => {
    const eventId = await event('replace');
    const later = await trigger(eventId, inAMinute());
    const running = await trigger(eventId);
    await claimRuns(t.db, { owner: 'o1', limit: 10, leaseMs: 30_000 });
    await makeDue(later.id);
    const result = await promoteScheduledRuns(t.db, { horizon: new Date() });
    expect(result.queued.map((r) => r.runId)).toEqual([later.id]);
    expect(await status(running.id)).toBe('cancelling');
    expect(await status(later.id)).toBe('queued');
  });

  it('promotes a run of an allow event that is free at its time, and it is claimed', async () => {
    const eventId = await event('allow');
    const later = await trigger(eventId, inAMinute());
    await makeDue(later.id);
    await promoteScheduledRuns(t.db, { horizon: new Date() });
    const claimed = await claimRuns(t.db, { owner: 'o1', limit: 10, leaseMs: 30_000 });
    expect(claimed.map((c) => c.runId)).toContain(later.id);
  });

  it('is cancelled at once, and never promoted', async () => {
    const eventId = await event('allow');
    const later = await trigger(eventId, inAMinute());
    expect(await requestCancel(t.db, later.id)).toBe(true);
    const row = await t.db
      .selectFrom('runs')
      .select(['status', 'finished_at', 'attempt'])
      .where('id', '=', later.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('cancelled');
    expect(row.finished_at).not.toBeNull();
    expect(row.attempt).toBe(0);
    await makeDue(later.id);
    const result = await promoteScheduledRuns(t.db, { horizon: new Date() });
    expect(result.queued.map((r) => r.runId)).not.toContain(later.id);
    expect(await requestCancel(t.db, later.id)).toBe(false);
  });

  it("is cancelled with its owner's other runs when the owner is disabled", async () => {
    const userId = await insertTestUser(t.db);
    const eventId = await insertTestEvent(t.db, userId);
    const later = await trigger(eventId, inAMinute());
    expect(
      await t.db.transaction().execute((trx) => cancelOwnerRuns(trx, userId, 'disabled')),
    ).toContain(later.id);
    expect(await status(later.id)).toBe('cancelled');
  });

  it('is promoted once by two promoters at the same moment', async () => {
    const eventIds = [await event('queue'), await event('allow'), await event('skip')];
    const runIds: number[] = [];
    for (const eventId of eventIds)
      for (let i = 0; i < 5; i++) runIds.push((await trigger(eventId, inAMinute())).id);
    await sql`UPDATE runs SET run_at = now() - interval '1 second' WHERE id = ANY(${runIds}::bigint[])`.execute(
      t.db,
    );
    const [a, b] = await Promise.all([
      promoteScheduledRuns(t.db, { horizon: new Date() }),
      promoteScheduledRuns(t.db, { horizon: new Date() }),
    ]);
    const promoted = [...a.queued, ...b.queued, ...a.skipped, ...b.skipped]
      .map((r) => r.runId)
      .filter((id) => runIds.includes(id));
    expect(promoted.sort()).toEqual([...runIds].sort());
    // As five triggers at once would: skip (max 1) keeps the first and skips the rest, since
    // a queued run is active; the other policies queue all five.
    const byEvent = await t.db
      .selectFrom('runs')
      .select(['event_id', 'status', (eb) => eb.fn.countAll<string>().as('n')])
      .where('id', 'in', runIds)
      .groupBy(['event_id', 'status'])
      .orderBy('event_id')
      .orderBy('status')
      .execute();
    expect(byEvent.map((r) => [r.event_id, r.status, Number(r.n)])).toEqual([
      [eventIds[0], 'queued', 5],
      [eventIds[1], 'queued', 5],
      [eventIds[2], 'cancelled', 4],
      [eventIds[2], 'queued', 1],
    ]);
  });
});
