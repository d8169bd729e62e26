// Chaos: three orchestrators on one database, a schedule that fires every second and a stream
// of manual runs, and one orchestrator SIGKILLed every few seconds (a new one started in its
// place). No schedule slot is lost or run twice, every run ends succeeded (a script runs to its
// end twice only when its orchestrator was killed right after it ended), and every run the
// killed orchestrator held starts again within 5 s.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import { CHANNELS, triggerRun } from '@cronium/run-queue';
import { startOrchestrator, type OrchestratorProcess } from './orchestrator-process.test-helper.ts';

// A kill every 7 s: a run taken back within 5 s has time to finish before the next one (a run
// lost five times in a row is failed on purpose, as a poison run).
const CHAOS_MS = 45_000;
const KILL_EVERY_MS = 7_000;
const TRIGGER_EVERY_MS = 400;
const FINAL = ['succeeded', 'failed', 'timed_out', 'cancelled'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

jest.setTimeout(180_000);

describe('chaos: orchestrators SIGKILLed under a per-second schedule and manual runs', () => {
  let t: TestDatabase;
  let dir: string;
  const everyone: OrchestratorProcess[] = [];
  let serial = 0;

  beforeAll(async () => {
    t = await createTestDatabase({ poolMax: 8 });
    dir = mkdtempSync(join(tmpdir(), 'cronium-chaos-'));
    chmodSync(dir, 0o777);
  });
  afterAll(async () => {
    await Promise.all(everyone.filter((o) => o.child.exitCode === null).map((o) => o.stop(20_000)));
    rmSync(dir, { recursive: true, force: true });
    await t.destroy();
  });

  async function start(): Promise<OrchestratorProcess> {
    const o = await startOrchestrator(t.url, `chaos-${++serial}`, {
      ORCHESTRATOR_LOCAL_SANDBOX: 'off',
      ORCHESTRATOR_SHUTDOWN_GRACE_MS: '15000',
      LOG_LEVEL: 'warn',
    });
    everyone.push(o);
    return o;
  }

  it('loses and doubles nothing, and restarts interrupted runs within 5 s', async () => {
    const marker = join(dir, 'marker');
    writeFileSync(marker, '');
    chmodSync(marker, 0o666);
    const script = (seconds: number) =>
      `echo "$CRONIUM_RUN_ID $CRONIUM_RUN_ATTEMPT start" >> ${marker}; sleep ${seconds}; ` +
      `echo "$CRONIUM_RUN_ID $CRONIUM_RUN_ATTEMPT end" >> ${marker}`;
    const owner = await insertTestUser(t.db);
    let live: OrchestratorProcess[] = await Promise.all([start(), start(), start()]);

    const endsAt = new Date(Date.now() + CHAOS_MS);
    const scheduled = await insertTestEvent(t.db, owner, {
      script: script(0.5),
      schedule_cron: '* * * * * *',
      schedule_timezone: 'UTC',
      schedule_ends_at: endsAt,
      timeout_seconds: 60,
    });
    await sql`SELECT pg_notify(${CHANNELS.scheduleChanged}, '')`.execute(t.db);
    const manual = await insertTestEvent(t.db, owner, { script: script(1), timeout_seconds: 60 });

    const manualRuns: number[] = [];
    const recoveries: { runId: number; attempt: number; killedAt: number; afterMs?: number }[] = [];
    /** The next attempt's start, for each run taken from a killed orchestrator. */
    const trackRecoveries = async () => {
      const pending = recoveries.filter((k) => k.afterMs === undefined);
      if (pending.length === 0) return;
      const rows = await t.db
        .selectFrom('runs')
        .select(['id', 'attempt', 'started_at'])
        .where(
          'id',
          'in',
          pending.map((k) => k.runId),
        )
        .execute();
      for (const k of pending) {
        const row = rows.find((r) => r.id === k.runId)!;
        if (row.attempt > k.attempt) k.afterMs = row.started_at!.getTime() - k.killedAt;
      }
    };
    let nextKill = Date.now() + KILL_EVERY_MS;
    const replacements: Promise<OrchestratorProcess>[] = [];
    while (Date.now() < endsAt.getTime()) {
      const result = await triggerRun(t.db, manual, { trigger: 'manual' });
      if (result.outcome === 'enqueued') manualRuns.push(result.runId);
      if (Date.now() >= nextKill) {
        nextKill += KILL_EVERY_MS;
        // The one holding the most runs goes.
        const held = await t.db
          .selectFrom('runs')
          .select(['id', 'attempt', 'lease_owner'])
          .where('status', '=', 'running')
          .execute();
        const count = (o: OrchestratorProcess) => held.filter((r) => r.lease_owner === o.id).length;
        const victim = [...live].sort((a, b) => count(b) - count(a))[0]!;
        victim.child.kill('SIGKILL');
        const killedAt = Date.now();
        for (const r of held.filter((h) => h.lease_owner === victim.id))
          recoveries.push({ runId: r.id, attempt: r.attempt, killedAt });
        live = live.filter((o) => o !== victim);
        replacements.push(
          start().then((o) => {
            live.push(o);
            return o;
          }),
        );
      }
      await trackRecoveries();
      await sleep(TRIGGER_EVERY_MS);
    }
    await Promise.all(replacements);

    // Everything ends.
    const deadline = Date.now() + 60_000;
    let runs;
    for (;;) {
      runs = await t.db
        .selectFrom('runs')
        .select(['id', 'event_id', 'status', 'attempt', 'scheduled_for', 'started_at', 'error'])
        .where('event_id', 'in', [scheduled, manual])
        .execute();
      await trackRecoveries();
      if (runs.every((r) => FINAL.includes(r.status))) break;
      if (Date.now() > deadline) throw new Error(`runs did not end: ${JSON.stringify(runs)}`);
      await sleep(200);
    }
    expect(recoveries.length).toBeGreaterThan(0);

    // Every run succeeded, and its script ran to the end in its last attempt. An earlier
    // attempt may also have written its end: only one whose orchestrator was killed in the
    // instant between the script's end and its outcome being stored (it was never recorded,
    // so the run ran again, as with any at-least-once queue); never one that was not killed.
    expect(runs.filter((r) => r.status !== 'succeeded')).toEqual([]);
    const lines = readFileSync(marker, 'utf8').split('\n').filter(Boolean);
    const ended = new Map<number, Set<number>>();
    for (const line of lines.filter((l) => l.endsWith(' end'))) {
      const [runId, attempt] = line.split(' ').map(Number) as [number, number];
      ended.set(runId, (ended.get(runId) ?? new Set()).add(attempt));
    }
    const killed = new Set(recoveries.map((k) => `${k.runId}/${k.attempt}`));
    expect(runs.filter((r) => !ended.get(r.id)?.has(r.attempt)).map((r) => r.id)).toEqual([]);
    const unexplained = runs.flatMap((r) =>
      [...(ended.get(r.id) ?? [])]
        .filter((attempt) => attempt !== r.attempt && !killed.has(`${r.id}/${attempt}`))
        .map((attempt) => `${r.id}/${attempt}`),
    );
    expect(unexplained).toEqual([]);
    expect(new Set(runs.filter((r) => r.event_id === manual).map((r) => r.id))).toEqual(
      new Set(manualRuns),
    );

    // One run per second of the schedule, none missing in between and none twice.
    const slots = runs
      .filter((r) => r.event_id === scheduled)
      .map((r) => r.scheduled_for!.getTime())
      .sort((a, b) => a - b);
    expect(new Set(slots).size).toBe(slots.length);
    expect(slots.at(-1)! - slots[0]!).toBe((slots.length - 1) * 1000);
    expect(slots.length).toBeGreaterThan(CHAOS_MS / 1000 - 5);

    // Each run the killed orchestrator held started again within 5 s of the kill.
    const late = recoveries.filter((k) => !(k.afterMs! < 5_000));
    expect(late).toEqual([]);
  });
});
