import { sql } from 'kysely';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import { claimRuns } from './claim-runs.ts';
import { finishRun, finishRuns } from './finish-run.ts';
import { renewLeases } from './renew-leases.ts';
import { releaseRuns, sweepExpiredLeases } from './sweep-expired-leases.ts';
import { appendRunLogs, readRunLogs } from './append-run-logs.ts';
import { requestCancel, triggerRun } from './trigger-run.ts';
import { purgeOldRuns } from './purge-old-runs.ts';

describe('run lifecycle', () => {
  let t: TestDatabase;
  let userId: number;
  beforeAll(async () => {
    t = await createTestDatabase();
    userId = await insertTestUser(t.db);
  });
  afterAll(() => t.destroy());

  const run = (id: number) =>
    t.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const expireLease = (id: number) =>
    t.db
      .updateTable('runs')
      .set({ lease_expires_at: sql`now() - interval '1 second'` })
      .where('id', '=', id)
      .execute();

  it('goes queued -> running -> succeeded with attempt, times and exit code recorded', async () => {
    const eventId = await insertTestEvent(t.db, userId);
    const enq = await triggerRun(t.db, eventId, { trigger: 'manual', input: { n: 1 } });
    if (enq.outcome !== 'enqueued') throw new Error('not enqueued');
    // The trigger answers with the run as stored, without reading it again.
    expect(enq.run).toEqual(await run(enq.runId));
    expect(enq.run).toMatchObject({ status: 'queued', input: { n: 1 }, event_id: eventId });
    const [claimed] = await claimRuns(t.db, { owner: 'o1', limit: 10, leaseMs: 30_000 });
    expect(claimed).toMatchObject({
      runId: enq.runId,
      attempt: 1,
      input: { n: 1 },
      event: { id: eventId, type: 'bash', script: 'true' },
    });
    expect(await claimRuns(t.db, { owner: 'o2', limit: 10, leaseMs: 30_000 })).toEqual([]);
    const finished = await finishRun(
      t.db,
      { runId: enq.runId, attempt: 1, owner: 'o1' },
      { status: 'succeeded', exitCode: 0 },
    );
    expect(finished).toEqual({ status: 'succeeded', retryAt: null });
    const row = await run(enq.runId);
    expect(row).toMatchObject({ status: 'succeeded', attempt: 1, exit_code: 0, lease_owner: null });
    expect(row.started_at).toBeInstanceOf(Date);
    expect(row.finished_at!.getTime()).toBeGreaterThanOrEqual(row.started_at!.getTime());
    expect(row.duration_ms).toBeGreaterThanOrEqual(0);
  });

  it('claims by priority, then due time, and not before run_at', async () => {
    const low = await insertTestEvent(t.db, userId, { priority: 0 });
    const high = await insertTestEvent(t.db, userId, { priority: 10 });
    const later = await triggerRun(t.db, low, {
      trigger: 'manual',
      runAt: new Date(Date.now() + 60_000),
    });
    const a = await triggerRun(t.db, low, { trigger: 'manual' });
    const b = await triggerRun(t.db, high, { trigger: 'manual' });
    const claimed = await claimRuns(t.db, { owner: 'o1', limit: 10, leaseMs: 30_000 });
    expect(claimed.map((c) => c.runId)).toEqual([
      (b as { runId: number }).runId,
      (a as { runId: number }).runId,
    ]);
    expect(claimed.map((c) => c.runId)).not.toContain((later as { runId: number }).runId);
    for (const c of claimed) await finishRun(t.db, c, { status: 'succeeded' });
  });

  it('says how long each claimed run waited since it was due, on both claim paths', async () => {
    // allow: the single-statement path; queue (a per-event limit): the transactional one.
    const unlimited = await insertTestEvent(t.db, userId, { concurrency_policy: 'allow' });
    const limited = await insertTestEvent(t.db, userId, {
      concurrency_policy: 'queue',
      max_concurrent_runs: 1,
    });
    const due = async (eventId: number, agoMs: number) => {
      const r = await triggerRun(t.db, eventId, {
        trigger: 'manual',
        runAt: new Date(Date.now() - agoMs),
      });
      if (r.outcome !== 'enqueued') throw new Error('not enqueued');
      return r.runId;
    };
    const ids = [await due(unlimited, 120_000), await due(limited, 300_000)];
    const claimed = await claimRuns(t.db, { owner: 'o1', limit: 10, leaseMs: 30_000 });
    expect(claimed.map((c) => c.runId).sort()).toEqual([...ids].sort());
    for (const c of claimed) {
      const row = await run(c.runId);
      // The claim's start minus the due time, as the database stored both.
      expect(c.queueWaitMs).toBeCloseTo(row.started_at!.getTime() - row.run_at.getTime(), -1);
      expect(c.queueWaitMs).toBeGreaterThanOrEqual(c.runId === ids[0] ? 120_000 : 300_000);
      await finishRun(t.db, c, { status: 'succeeded' });
    }
  });

  it('retries failures and timeouts with exponential backoff, then fails for good', async () => {
    const eventId = await insertTestEvent(t.db, userId, {
      retry_max_attempts: 3,
      retry_delay_seconds: 10,
      retry_backoff_factor: 3,
    });
    const enq = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number };
    const delays: number[] = [];
    for (const status of ['failed', 'timed_out', 'failed'] as const) {
      await t.db
        .updateTable('runs')
        .set({ run_at: sql`now()` })
        .where('id', '=', enq.runId)
        .execute();
      const [claimed] = await claimRuns(t.db, { owner: 'o1', limit: 1, leaseMs: 30_000 });
      // Each attempt starts without what the previous one set.
      expect(await run(enq.runId)).toMatchObject({ output: null, condition: null });
      await t.db
        .updateTable('runs')
        .set({ output: JSON.stringify({ attempt: claimed!.attempt }), condition: true })
        .where('id', '=', enq.runId)
        .execute();
      const before = Date.now();
      const result = await finishRun(t.db, claimed!, {
        status,
        exitCode: 1,
        error: `attempt ${claimed!.attempt}`,
      });
      if (result?.retryAt) delays.push(Math.round((result.retryAt.getTime() - before) / 1000));
    }
    expect(delays).toEqual([10, 30]);
    expect(await run(enq.runId)).toMatchObject({
      status: 'failed',
      attempt: 3,
      error: 'attempt 3',
      exit_code: 1,
      // The last attempt's values stay on the finished run.
      output: { attempt: 3 },
      condition: true,
    });
  });

  it('finishes a run with its output masked in the same write, and leaves runs without output to one statement', async () => {
    const eventId = await insertTestEvent(t.db, userId);
    const ids: number[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(
        ((await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number }).runId,
      );
    const claimed = await claimRuns(t.db, { owner: 'o1', limit: 3, leaseMs: 30_000 });
    const [withOutput, withoutOutput, stale] = ids.map((id) =>
      claimed.find((c) => c.runId === id)!,
    );
    for (const id of [withOutput!.runId, stale!.runId])
      await t.db
        .updateTable('runs')
        .set({ output: JSON.stringify({ token: 's3cret', list: ['s3cret!'] }) })
        .where('id', '=', id)
        .execute();
    const seen: unknown[] = [];
    const maskOutput = (output: unknown) => {
      seen.push(output);
      return JSON.parse(JSON.stringify(output).replaceAll('s3cret', '***'));
    };
    const results = await finishRuns(t.db, [
      { fence: withOutput!, outcome: { status: 'succeeded', exitCode: 0 }, maskOutput },
      { fence: withoutOutput!, outcome: { status: 'succeeded', exitCode: 0 }, maskOutput },
      // Another orchestrator's fence: nothing is written and nothing is masked for it.
      { fence: { ...stale!, owner: 'other' }, outcome: { status: 'succeeded' }, maskOutput },
    ]);
    expect(results).toEqual([
      { status: 'succeeded', retryAt: null },
      { status: 'succeeded', retryAt: null },
      undefined,
    ]);
    // Only the run that had an output was given to the mask.
    expect(seen).toEqual([{ token: 's3cret', list: ['s3cret!'] }]);
    expect(await run(withOutput!.runId)).toMatchObject({
      status: 'succeeded',
      output: { token: '***', list: ['***!'] },
      lease_owner: null,
    });
    expect(await run(withoutOutput!.runId)).toMatchObject({ status: 'succeeded', output: null });
    expect(await run(stale!.runId)).toMatchObject({ status: 'running', lease_owner: 'o1' });
  });

  it('does not mask the output of an attempt that is retried: the retry clears it', async () => {
    const eventId = await insertTestEvent(t.db, userId, { retry_max_attempts: 2 });
    const enq = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number };
    const [claimed] = await claimRuns(t.db, { owner: 'o1', limit: 1, leaseMs: 30_000 });
    await t.db
      .updateTable('runs')
      .set({ output: JSON.stringify('s3cret') })
      .where('id', '=', enq.runId)
      .execute();
    let masked = 0;
    const maskOutput = (output: unknown) => (masked++, output);
    const [result] = await finishRuns(t.db, [
      { fence: claimed!, outcome: { status: 'failed', exitCode: 1 }, maskOutput },
    ]);
    expect(result).toMatchObject({ status: 'queued' });
    expect(masked).toBe(0);
    expect(await run(enq.runId)).toMatchObject({ status: 'queued', output: null });
  });

  it('does not retry an outcome marked noRetry, and retries no sooner than its retryAfterMs', async () => {
    const eventId = await insertTestEvent(t.db, userId, {
      retry_max_attempts: 5,
      retry_delay_seconds: 1,
      retry_backoff_factor: 1,
    });
    const first = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number };
    const [a] = await claimRuns(t.db, { owner: 'o1', limit: 1, leaseMs: 30_000 });
    const before = Date.now();
    const waited = await finishRun(t.db, a!, {
      status: 'failed',
      error: '429',
      retryAfterMs: 120_000,
    });
    expect(waited?.status).toBe('queued');
    // The service's two minutes, not the event's one second.
    expect(waited!.retryAt!.getTime() - before).toBeGreaterThanOrEqual(119_000);

    const second = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number };
    const [b] = (await claimRuns(t.db, { owner: 'o1', limit: 5, leaseMs: 30_000 })).filter(
      (c) => c.runId === second.runId,
    );
    expect(await finishRun(t.db, b!, { status: 'failed', error: '400', noRetry: true })).toEqual({
      status: 'failed',
      retryAt: null,
    });
    expect(await run(second.runId)).toMatchObject({ status: 'failed', attempt: 1 });
    expect((await run(first.runId)).status).toBe('queued');
  });

  it('caps the backoff instead of overflowing on large factors and many attempts', async () => {
    const eventId = await insertTestEvent(t.db, userId, {
      retry_max_attempts: 12,
      retry_delay_seconds: 86_400,
      retry_backoff_factor: 10,
    });
    const enq = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number };
    let last: Date | null = null;
    for (let i = 0; i < 11; i++) {
      await t.db
        .updateTable('runs')
        .set({ run_at: sql`now()` })
        .where('id', '=', enq.runId)
        .execute();
      const [claimed] = await claimRuns(t.db, { owner: 'o1', limit: 1, leaseMs: 30_000 });
      last = (await finishRun(t.db, claimed!, { status: 'failed', exitCode: 1 }))!.retryAt;
    }
    expect(Math.round((last!.getTime() - Date.now()) / 864e5)).toBe(30);
  });

  it('cancels a queued run at once and a running one through cancelling, never retried', async () => {
    const eventId = await insertTestEvent(t.db, userId, { retry_max_attempts: 5 });
    const queued = (await triggerRun(t.db, eventId, {
      trigger: 'manual',
      runAt: new Date(Date.now() + 60_000),
    })) as { runId: number };
    expect(await requestCancel(t.db, queued.runId)).toBe(true);
    expect(await run(queued.runId)).toMatchObject({ status: 'cancelled' });
    expect(await requestCancel(t.db, queued.runId)).toBe(false);

    const running = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number };
    const [claimed] = await claimRuns(t.db, { owner: 'o1', limit: 1, leaseMs: 30_000 });
    expect(await requestCancel(t.db, running.runId)).toBe(true);
    expect((await run(running.runId)).status).toBe('cancelling');
    expect(await renewLeases(t.db, 'o1', 30_000, [claimed!])).toEqual([
      { runId: running.runId, attempt: 1, cancelRequested: true },
    ]);
    expect(await finishRun(t.db, claimed!, { status: 'failed', exitCode: 143 })).toEqual({
      status: 'cancelled',
      retryAt: null,
    });
  });

  it('fences a stale attempt: after its lease expired and another orchestrator took over, it changes nothing', async () => {
    const eventId = await insertTestEvent(t.db, userId);
    const enq = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number };
    const [stale] = await claimRuns(t.db, { owner: 'old', limit: 1, leaseMs: 30_000 });
    expect(
      await appendRunLogs(t.db, stale!, [{ stream: 'stdout', at: new Date(), text: 'from old' }]),
    ).toBe(1);
    await expireLease(enq.runId);
    expect(await renewLeases(t.db, 'old', 30_000, [stale!])).toEqual([]);
    expect(await sweepExpiredLeases(t.db)).toEqual([
      { runId: enq.runId, ownerId: expect.any(Number), status: 'queued' },
    ]);
    const [fresh] = await claimRuns(t.db, { owner: 'new', limit: 1, leaseMs: 30_000 });
    expect(fresh).toMatchObject({ runId: enq.runId, attempt: 2 });

    expect(
      await appendRunLogs(t.db, stale!, [
        { stream: 'stdout', at: new Date(), text: 'stale write' },
      ]),
    ).toBeUndefined();
    expect(await finishRun(t.db, stale!, { status: 'failed', exitCode: 1 })).toBeUndefined();
    expect(
      await appendRunLogs(t.db, fresh!, [{ stream: 'stdout', at: new Date(), text: 'from new' }]),
    ).toBe(2);
    expect(await finishRun(t.db, fresh!, { status: 'succeeded', exitCode: 0 })).toEqual({
      status: 'succeeded',
      retryAt: null,
    });
    const logs = await readRunLogs(t.db, enq.runId);
    expect(logs.map((l) => [l.seq, l.attempt, l.data])).toEqual([
      [1, 1, 'from old'],
      [2, 2, 'from new'],
    ]);
    expect(await run(enq.runId)).toMatchObject({
      status: 'succeeded',
      attempt: 2,
      lease_losses: 1,
    });
  });

  it('renews only the attempts named, not every lease under the same owner name', async () => {
    const eventId = await insertTestEvent(t.db, userId);
    await triggerRun(t.db, eventId, { trigger: 'manual' });
    await triggerRun(t.db, eventId, { trigger: 'manual' });
    const [first, second] = await claimRuns(t.db, {
      owner: 'same-name',
      limit: 2,
      leaseMs: 30_000,
    });
    const held = await renewLeases(t.db, 'same-name', 30_000, [first!]);
    expect(held.map((h) => h.runId)).toEqual([first!.runId]);
    for (const c of [first!, second!]) await finishRun(t.db, c, { status: 'succeeded' });
  });

  it('releases held runs on shutdown so another orchestrator takes them at once', async () => {
    const eventId = await insertTestEvent(t.db, userId);
    const enq = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number };
    const [claimed] = await claimRuns(t.db, { owner: 'leaving', limit: 1, leaseMs: 30_000 });
    expect(await releaseRuns(t.db, 'leaving', [claimed!.runId])).toEqual([
      { runId: claimed!.runId, ownerId: claimed!.event.ownerId, status: 'queued' },
    ]);
    const [again] = await claimRuns(t.db, { owner: 'staying', limit: 1, leaseMs: 30_000 });
    expect(again).toMatchObject({ runId: enq.runId, attempt: 2 });
    await finishRun(t.db, again!, { status: 'succeeded' });
  });

  it('fails a run that keeps losing its lease instead of re-running it forever', async () => {
    const eventId = await insertTestEvent(t.db, userId);
    const enq = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number };
    const outcomes: string[] = [];
    for (let i = 0; i < 5; i++) {
      await claimRuns(t.db, { owner: `o${i}`, limit: 1, leaseMs: 30_000 });
      await expireLease(enq.runId);
      outcomes.push(...(await sweepExpiredLeases(t.db)).map((s) => s.status));
    }
    expect(outcomes).toEqual(['queued', 'queued', 'queued', 'queued', 'failed']);
    expect((await run(enq.runId)).error).toMatch(/stopped renewing its lease/);
  });

  it('numbers log lines densely across appends', async () => {
    const eventId = await insertTestEvent(t.db, userId);
    await triggerRun(t.db, eventId, { trigger: 'manual' });
    const [claimed] = await claimRuns(t.db, { owner: 'o1', limit: 1, leaseMs: 30_000 });
    const at = new Date();
    await appendRunLogs(t.db, claimed!, [
      { stream: 'stdout', at, text: 'a' },
      { stream: 'stderr', at, text: 'b' },
    ]);
    await appendRunLogs(t.db, claimed!, [{ stream: 'stdout', at, text: 'c' }]);
    const logs = await readRunLogs(t.db, claimed!.runId);
    expect(logs.map((l) => [l.seq, l.stream, l.data])).toEqual([
      [1, 'stdout', 'a'],
      [2, 'stderr', 'b'],
      [3, 'stdout', 'c'],
    ]);
    expect((await readRunLogs(t.db, claimed!.runId, 2)).map((l) => l.data)).toEqual(['c']);
    await finishRun(t.db, claimed!, { status: 'succeeded' });
  });

  it('purges finished runs, their logs and old ticks past retention', async () => {
    const eventId = await insertTestEvent(t.db, userId);
    const enq = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number };
    const [claimed] = await claimRuns(t.db, { owner: 'o1', limit: 1, leaseMs: 30_000 });
    await appendRunLogs(t.db, claimed!, [{ stream: 'stdout', at: new Date(), text: 'old' }]);
    await finishRun(t.db, claimed!, { status: 'succeeded' });
    await t.db
      .updateTable('runs')
      .set({ finished_at: sql`now() - interval '40 days'` })
      .where('id', '=', enq.runId)
      .execute();
    await t.db
      .insertInto('schedule_ticks')
      .values({
        event_id: eventId,
        slot: new Date(Date.now() - 41 * 864e5),
        outcome: 'missed_downtime',
      })
      .execute();
    const purged = await purgeOldRuns(t.db, { olderThanDays: 30 });
    expect(purged.runs).toBeGreaterThanOrEqual(1);
    expect(purged.ticks).toBe(1);
    expect(
      await t.db.selectFrom('runs').select('id').where('id', '=', enq.runId).executeTakeFirst(),
    ).toBeUndefined();
    expect(await readRunLogs(t.db, enq.runId)).toEqual([]);
  });
});
