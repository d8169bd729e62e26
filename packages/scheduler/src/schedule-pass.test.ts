import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import type { MisfirePolicy } from '@cronium/contracts';
import { runSchedulePass } from './schedule-pass.ts';

const MIN = 60_000;

describe('schedule pass (fake clock, real Postgres)', () => {
  let t: TestDatabase;
  let userId: number;
  beforeAll(async () => {
    t = await createTestDatabase({ poolMax: 10 });
    userId = await insertTestUser(t.db);
  });
  afterAll(() => t.destroy());
  // Each test's schedules stop with it, so the next test's clock jump does not replay them.
  afterEach(() => t.db.updateTable('events').set({ status: 'paused' }).execute());

  const pass = (now: Date) => runSchedulePass(t.db, { now, misfireThresholdMs: 5_000 });
  const ticks = (eventId: number) =>
    t.db
      .selectFrom('schedule_ticks')
      .select(['slot', 'outcome', 'reason', 'run_id'])
      .where('event_id', '=', eventId)
      .orderBy('slot')
      .execute();
  const runs = (eventId: number) =>
    t.db
      .selectFrom('runs')
      .select(['id', 'scheduled_for', 'trigger', 'status'])
      .where('event_id', '=', eventId)
      .orderBy('scheduled_for')
      .execute();
  // Events are evaluated from when the scheduler first sees them; isolate each test in its own minute range.
  let base = Date.parse('2030-01-01T00:00:00Z');
  const nextBase = () => new Date((base += 24 * 3600e3));

  it('fires once per slot, and a clock stepping back an hour duplicates nothing', async () => {
    const t0 = nextBase();
    const eventId = await insertTestEvent(t.db, userId, { schedule_cron: '* * * * *' });
    await pass(t0);
    expect(await ticks(eventId)).toEqual([]);
    const first = await pass(new Date(t0.getTime() + MIN + 10));
    await pass(new Date(t0.getTime() + MIN + 20));
    await pass(new Date(t0.getTime() + 2 * MIN + 10));
    await pass(new Date(t0.getTime() + 2 * MIN + 10 - 3600e3));
    await pass(new Date(t0.getTime() + 2 * MIN + 30));
    const ledger = await ticks(eventId);
    expect(ledger.map((l) => [l.slot.getTime() - t0.getTime(), l.outcome])).toEqual([
      [MIN, 'enqueued'],
      [2 * MIN, 'enqueued'],
    ]);
    const created = await runs(eventId);
    expect(created).toHaveLength(2);
    expect(created.map((r) => r.trigger)).toEqual(['schedule', 'schedule']);
    expect(ledger.map((l) => l.run_id)).toEqual(created.map((r) => r.id));
    // The pass names the runs it created (live viewers are told they are queued).
    expect(first.runs).toEqual([
      { runId: created[0]!.id, ownerId: userId, runAt: new Date(t0.getTime() + MIN + 10) },
    ]);
  });

  it('queues a slot due within the lead ahead of time, claimable at the slot, and only once', async () => {
    const t0 = nextBase();
    const eventId = await insertTestEvent(t.db, userId, { schedule_cron: '* * * * *' });
    await pass(t0);
    const slot = new Date(t0.getTime() + MIN);
    const early = await runSchedulePass(t.db, {
      now: new Date(slot.getTime() - 40),
      misfireThresholdMs: 5_000,
      leadMs: 50,
    });
    expect(early.runs).toEqual([{ runId: expect.any(Number), ownerId: userId, runAt: slot }]);
    const queued = await t.db
      .selectFrom('runs')
      .select(['run_at', 'scheduled_for', 'status'])
      .where('event_id', '=', eventId)
      .execute();
    expect(queued).toEqual([{ run_at: slot, scheduled_for: slot, status: 'queued' }]);
    // Slots further away than the lead wait for their own pass; a later pass repeats nothing.
    await runSchedulePass(t.db, { now: slot, misfireThresholdMs: 5_000, leadMs: 50 });
    await pass(new Date(slot.getTime() + 1_000));
    expect((await ticks(eventId)).map((l) => l.slot)).toEqual([slot]);
  });

  it.each<[MisfirePolicy, number, string[]]>([
    ['none', 0, Array(10).fill('missed_downtime')],
    ['last', 1, [...Array(9).fill('missed_downtime'), 'enqueued']],
    ['all', 4, [...Array(4).fill('enqueued'), ...Array(6).fill('skipped_misfire_cap')]],
  ])(
    'accounts 10 slots missed during downtime under misfire policy %s',
    async (policy, expectedRuns, outcomes) => {
      const t0 = nextBase();
      const eventId = await insertTestEvent(t.db, userId, {
        schedule_cron: '* * * * *',
        misfire_policy: policy,
        misfire_max_catchup: 4,
        concurrency_policy: 'allow',
      });
      await pass(t0);
      // The engine is down for 10 slots and comes back 30 s after the 10th.
      await pass(new Date(t0.getTime() + 10 * MIN + 30_000));
      const ledger = await ticks(eventId);
      expect(ledger).toHaveLength(10);
      expect(ledger.map((l) => l.outcome)).toEqual(outcomes);
      expect(ledger.every((l) => l.reason && l.reason.length > 0)).toBe(true);
      expect(await runs(eventId)).toHaveLength(expectedRuns);
      // The next slot, seen on time, runs normally.
      await pass(new Date(t0.getTime() + 11 * MIN + 100));
      expect((await ticks(eventId)).at(-1)).toMatchObject({ outcome: 'enqueued', reason: null });
    },
  );

  it('records a slot skipped because the previous run is still active (policy skip)', async () => {
    const t0 = nextBase();
    const eventId = await insertTestEvent(t.db, userId, {
      schedule_cron: '* * * * *',
      concurrency_policy: 'skip',
    });
    await pass(t0);
    await pass(new Date(t0.getTime() + MIN + 10));
    await pass(new Date(t0.getTime() + 2 * MIN + 10));
    const ledger = await ticks(eventId);
    expect(ledger.map((l) => l.outcome)).toEqual(['enqueued', 'skipped_overlap']);
    expect(ledger[1]!.reason).toMatch(/still active .*policy skip/);
    expect(await runs(eventId)).toHaveLength(1);
  });

  it('runs a 02:30 job once on the spring-forward day and says why it ran at 03:00', async () => {
    const eventId = await insertTestEvent(t.db, userId, {
      schedule_cron: '30 2 * * *',
      schedule_timezone: 'America/New_York',
    });
    const start = new Date('2031-03-08T12:00:00Z'); // the day before the 2031 spring-forward (9 March)
    await pass(start);
    for (let h = 1; h <= 72; h++) await pass(new Date(start.getTime() + h * 3600e3 + 1000));
    const ledger = await ticks(eventId);
    expect(ledger.map((l) => l.slot.toISOString())).toEqual([
      '2031-03-09T07:00:00.000Z',
      '2031-03-10T06:30:00.000Z',
      '2031-03-11T06:30:00.000Z',
    ]);
    expect(ledger[0]!.reason).toMatch(/02:30 does not exist .* ran at 03:00/);
  });

  it('lets three replicas pass at the same instant without duplicating a tick or a run', async () => {
    const t0 = nextBase();
    const eventIds = await Promise.all(
      Array.from({ length: 20 }, () =>
        insertTestEvent(t.db, userId, { schedule_cron: '*/10 * * * * *' }),
      ),
    );
    await pass(t0);
    for (let s = 1; s <= 6; s++) {
      const now = new Date(t0.getTime() + s * 10_000 + 5);
      await Promise.all([pass(now), pass(now), pass(now)]);
    }
    for (const id of eventIds) {
      expect(await ticks(id)).toHaveLength(6);
      expect(await runs(id)).toHaveLength(6);
    }
  });

  it('summarises a very long outage in one ledger row instead of millions', async () => {
    const t0 = nextBase();
    const eventId = await insertTestEvent(t.db, userId, {
      schedule_cron: '* * * * * *',
      misfire_policy: 'none',
    });
    await pass(t0);
    await runSchedulePass(t.db, {
      now: new Date(t0.getTime() + 3 * 3600e3),
      misfireThresholdMs: 5_000,
      ledgerWindowMs: 60_000,
    });
    const ledger = await ticks(eventId);
    expect(ledger).toHaveLength(61);
    expect(ledger[0]!.reason).toMatch(/summarised in this one row/);
    // Within the window, slots older than the misfire threshold (5 s) are missed, the rest run.
    const outcomes = ledger.slice(1).map((l) => l.outcome);
    expect(outcomes.filter((o) => o === 'missed_downtime')).toHaveLength(54);
    expect(outcomes.slice(54)).toEqual(Array(6).fill('enqueued'));
  });

  it('applies the misfire policy to a whole 20-hour outage of a per-minute schedule', async () => {
    const t0 = nextBase();
    const last = await insertTestEvent(t.db, userId, {
      schedule_cron: '* * * * *',
      misfire_policy: 'last',
    });
    const all = await insertTestEvent(t.db, userId, {
      schedule_cron: '* * * * *',
      misfire_policy: 'all',
      misfire_max_catchup: 3,
    });
    await pass(t0);
    await pass(new Date(t0.getTime() + 20 * 3600e3 + 30_000));
    expect(await runs(last)).toHaveLength(1);
    expect(await runs(all)).toHaveLength(3);
    expect(await ticks(last)).toHaveLength(1200);
    expect((await ticks(all)).filter((l) => l.outcome === 'skipped_misfire_cap')).toHaveLength(
      1197,
    );
  });

  it('does not schedule paused events and accounts their missed slots on resume', async () => {
    const t0 = nextBase();
    const eventId = await insertTestEvent(t.db, userId, {
      schedule_cron: '* * * * *',
      misfire_policy: 'none',
    });
    await pass(t0);
    await t.db.updateTable('events').set({ status: 'paused' }).where('id', '=', eventId).execute();
    await pass(new Date(t0.getTime() + 3 * MIN + 10));
    expect(await ticks(eventId)).toEqual([]);
    await t.db.updateTable('events').set({ status: 'active' }).where('id', '=', eventId).execute();
    await pass(new Date(t0.getTime() + 3 * MIN + 20_000));
    expect((await ticks(eventId)).map((l) => l.outcome)).toEqual([
      'missed_downtime',
      'missed_downtime',
      'missed_downtime',
    ]);
  });
});

describe('workflow schedules (fake clock, real Postgres)', () => {
  let t: TestDatabase;
  let userId: number;
  beforeAll(async () => {
    t = await createTestDatabase({ poolMax: 10 });
    userId = await insertTestUser(t.db);
  });
  afterAll(() => t.destroy());
  afterEach(() => t.db.updateTable('workflows').set({ status: 'paused' }).execute());

  const pass = (now: Date) => runSchedulePass(t.db, { now, misfireThresholdMs: 5_000, leadMs: 50 });
  let base = Date.parse('2031-01-01T00:00:00Z');
  const nextBase = () => new Date((base += 24 * 3600e3));

  /** A scheduled workflow of one event node. */
  async function scheduledWorkflow(set: {
    cron: string;
    misfire?: MisfirePolicy;
    policy?: 'allow' | 'skip';
  }) {
    const eventId = await insertTestEvent(t.db, userId);
    const { id } = await t.db
      .insertInto('workflows')
      .values({
        owner_id: userId,
        name: `scheduled ${set.cron}`,
        schedule_cron: set.cron,
        misfire_policy: set.misfire ?? 'last',
        concurrency_policy: set.policy ?? 'allow',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('workflow_nodes')
      .values({ workflow_id: id, name: 'only', event_id: eventId })
      .execute();
    return { id, eventId };
  }
  const ledger = (workflowId: number) =>
    t.db
      .selectFrom('schedule_ticks')
      .select(['slot', 'outcome', 'reason', 'workflow_run_id', 'event_id'])
      .where('workflow_id', '=', workflowId)
      .orderBy('slot')
      .execute();

  it('starts a workflow run per slot, its root runs scheduled for the slot, in the same ledger', async () => {
    const t0 = nextBase();
    const wf = await scheduledWorkflow({ cron: '* * * * *' });
    await pass(t0);
    // 40 ms before the slot: queued ahead, claimable at the slot.
    const early = await pass(new Date(t0.getTime() + MIN - 40));
    await pass(new Date(t0.getTime() + MIN + 10));
    const ticks = await ledger(wf.id);
    expect(ticks.map((k) => [k.slot.getTime() - t0.getTime(), k.outcome, k.event_id])).toEqual([
      [MIN, 'enqueued', null],
    ]);
    const run = await t.db
      .selectFrom('workflow_runs')
      .selectAll()
      .where('id', '=', ticks[0]!.workflow_run_id!)
      .executeTakeFirstOrThrow();
    expect(run).toMatchObject({ trigger: 'schedule', status: 'running' });
    const root = await t.db
      .selectFrom('runs')
      .select(['id', 'scheduled_for', 'run_at', 'trigger'])
      .where('workflow_run_id', '=', run.id)
      .executeTakeFirstOrThrow();
    expect(root.scheduled_for).toEqual(new Date(t0.getTime() + MIN));
    expect(root.run_at).toEqual(new Date(t0.getTime() + MIN));
    expect(early.runs).toEqual([
      { runId: root.id, ownerId: userId, runAt: new Date(t0.getTime() + MIN) },
    ]);
  });

  it('applies the misfire policy after downtime, and skip while a run of it is running', async () => {
    const t0 = nextBase();
    const wf = await scheduledWorkflow({ cron: '* * * * *', misfire: 'last', policy: 'skip' });
    await pass(t0);
    // Five slots pass unseen: misfire policy last runs the latest once.
    await pass(new Date(t0.getTime() + 5 * MIN + 30_000));
    let ticks = await ledger(wf.id);
    expect(ticks.map((k) => k.outcome)).toEqual([
      'missed_downtime',
      'missed_downtime',
      'missed_downtime',
      'missed_downtime',
      'enqueued',
    ]);
    // The run it started is still running at the next slot: skipped, with the reason.
    await pass(new Date(t0.getTime() + 6 * MIN + 10));
    ticks = await ledger(wf.id);
    expect(ticks.at(-1)).toMatchObject({ outcome: 'skipped_overlap', workflow_run_id: null });
    expect(ticks.at(-1)!.reason).toMatch(/still running; policy skip/);
  });
});
