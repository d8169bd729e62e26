// A disabled user's code stops running (M7): their runs are cancelled, their schedules stop
// firing, the claim skips them and their running script's token stops working.
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import { claimRuns, readLiveRunField, triggerRun } from '@cronium/run-queue';
import { OWNER_DISABLED_REASON, runSchedulePass } from '@cronium/scheduler';
import { setUserDisabled, type Principal } from './index.ts';

const meta = { ip: '127.0.0.1', userAgent: 'jest' };

describe('disabling a user', () => {
  let t: TestDatabase;
  let admin: Principal;
  beforeAll(async () => {
    t = await createTestDatabase({ poolMax: 5 });
    const adminId = await insertTestUser(t.db, { role: 'admin' });
    admin = { userId: adminId, role: 'admin', via: 'session', scopes: 'all', credentialId: 0 };
  });
  afterAll(() => t.destroy());

  it('cancels their runs and stops their per-second schedule until they are enabled again', async () => {
    const userId = await insertTestUser(t.db);
    const scheduled = await insertTestEvent(t.db, userId, {
      schedule_cron: '* * * * * *',
      concurrency_policy: 'allow',
    });
    const manual = await insertTestEvent(t.db, userId, { concurrency_policy: 'allow' });
    const start = new Date(Date.now() - 10_000);
    const pass = (offsetMs: number) =>
      runSchedulePass(t.db, {
        now: new Date(start.getTime() + offsetMs),
        misfireThresholdMs: 5_000,
      });
    await pass(0); // the schedule is seen: it fires from here on
    expect((await pass(2_000)).enqueued).toBe(2);
    // One of the user's runs is running (its script holds a live token), the others queued.
    const [running] = await claimRuns(t.db, { owner: 'o', limit: 1, leaseMs: 60_000 });
    const ref = {
      runId: running!.runId,
      attempt: running!.attempt,
      eventId: running!.event.id,
      ownerId: userId,
    };
    expect(await readLiveRunField(t.db, ref, 'input')).toBeDefined();
    await triggerRun(t.db, manual, { trigger: 'manual' });

    await setUserDisabled(t.db, admin, userId, true, meta);
    const runs = await t.db
      .selectFrom('runs')
      .select(['id', 'status', 'error'])
      .where('owner_id', '=', userId)
      .execute();
    expect(runs.find((r) => r.id === running!.runId)).toMatchObject({
      status: 'cancelling',
      error: 'cancelled: its owner was disabled',
    });
    expect(runs.filter((r) => r.id !== running!.runId).map((r) => r.status)).toEqual([
      'cancelled',
      'cancelled',
    ]);
    // The running script's token no longer reads or writes anything.
    expect(await readLiveRunField(t.db, ref, 'input')).toBeUndefined();

    // The next slots create no run; one ledger row says why.
    const before = runs.length;
    expect((await pass(4_000)).enqueued).toBe(0);
    expect((await pass(6_000)).enqueued).toBe(0);
    expect(
      await t.db.selectFrom('runs').select('id').where('owner_id', '=', userId).execute(),
    ).toHaveLength(before);
    const parked = await t.db
      .selectFrom('schedule_ticks')
      .select(['outcome', 'reason'])
      .where('event_id', '=', scheduled)
      .where('outcome', '<>', 'enqueued')
      .execute();
    expect(parked).toEqual([{ outcome: 'skipped_paused', reason: OWNER_DISABLED_REASON }]);
    // A run queued behind the admin's back (a race with the disable) is not claimed.
    await t.db
      .insertInto('runs')
      .values({ event_id: manual, owner_id: userId, trigger: 'manual', status: 'queued' })
      .execute();
    expect(await claimRuns(t.db, { owner: 'o', limit: 10, leaseMs: 60_000 })).toEqual([]);

    // Enabled again: the schedule fires from then on, without running the slots it missed.
    await setUserDisabled(t.db, admin, userId, false, meta);
    const resumed = await runSchedulePass(t.db, {
      now: new Date(Date.now() + 1_500),
      misfireThresholdMs: 5_000,
    });
    expect(resumed.enqueued).toBeGreaterThanOrEqual(1);
    expect(resumed.enqueued).toBeLessThanOrEqual(2);
  });
});
