// Schedule fire latency: from a slot's due time to the moment the script's process starts
// (bash's $EPOCHREALTIME as its first act), with the real scheduler loop, run worker and
// local executor starting processes through the launch helper, woken by LISTEN/NOTIFY as in the
// orchestrator. Then, with the same loops, runs asked for a time (`runAt`, as
// POST /events/{id}/runs does): from that time to the script's start, the same way.
// Usage: node bench/src/fire-latency.ts   (BENCH_FIRES, BENCH_SCHEDULED_RUNS, BENCH_DATABASE_URL)
import { PassThrough } from 'node:stream';
import { sql } from 'kysely';
import { listenForNotifications } from '@cronium/db';
import { ExecutorRegistry, RunWorker, SchedulerLoop } from '@cronium/engine';
import { checkedLookup, EgressPolicy } from '@cronium/egress';
import { HelperProcessLauncher, HttpExecutor, LocalExecutor } from '@cronium/executors';
import { createLogger } from '@cronium/logger';
import { CHANNELS, readRunLogs, triggerRun } from '@cronium/run-queue';
import { openBenchDatabase } from './bench-database.ts';
import { rawSamples, summarize, writeResults } from './results.ts';

/** Measured firings of a per-second schedule, so about this many seconds. */
const FIRES = Number(process.env.BENCH_FIRES ?? 300);
/** Runs asked for a time a few seconds ahead, 100 ms apart (so about this many tenths of a second). */
const SCHEDULED_RUNS = Number(process.env.BENCH_SCHEDULED_RUNS ?? 100);
const silent = createLogger({ service: 'bench', level: 'silent', destination: new PassThrough() });

const bench = await openBenchDatabase();
try {
  const { db, url } = await bench.create('bench_fire', true);
  const { id: userId } = await db!
    .insertInto('users')
    .values({ email: 'fire@x', password_hash: 'x' })
    .returning('id')
    .executeTakeFirstOrThrow();
  // The orchestrator's way of starting processes: forks of a small helper process.
  const launcher = new HelperProcessLauncher();
  const worker = new RunWorker({
    db: db!,
    logger: silent,
    owner: 'bench',
    concurrency: 8,
    leaseMs: 30_000,
    pollMs: 1_000,
    logMaxBytes: 1 << 20,
    executors: new ExecutorRegistry({
      // The bench's events are not HTTP; an admin's policy all the same.
      http: new HttpExecutor({
        egress: async () =>
          checkedLookup(new EgressPolicy({ allow: [], allowMetadata: [] }), { admin: true }),
      }),
      targets: { local: new LocalExecutor({ launcher }) },
    }),
    environmentFor: () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin' }),
  });
  const scheduler = new SchedulerLoop({
    db: db!,
    logger: silent,
    misfireThresholdMs: 5_000,
    onEnqueued: (runs) => runs.forEach((run) => worker.wakeAt(run.runAt)),
  });
  const listener = listenForNotifications({
    url,
    channels: [CHANNELS.runsQueued, CHANNELS.scheduleChanged],
    onNotification: (channel) =>
      channel === CHANNELS.scheduleChanged ? scheduler.wake() : worker.wake(),
  });
  await new Promise((r) => setTimeout(r, 500)); // LISTEN established
  worker.start();
  scheduler.start();
  const { id: eventId } = await db!
    .insertInto('events')
    .values({
      owner_id: userId,
      name: 'fire',
      type: 'bash',
      script: 'echo "$EPOCHREALTIME"',
      schedule_cron: '* * * * * *',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // The first slot is not measured (see below): FIRES + 1 runs, bounded by a minute more.
  const deadline = Date.now() + (FIRES + 60) * 1000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 1_000));
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM runs WHERE event_id = ${eventId} AND status = 'succeeded'`.execute(
      db!,
    );
    if (rows[0]!.n >= FIRES + 1) break;
    if (Date.now() > deadline)
      throw new Error(`fewer than ${FIRES + 1} runs after ${FIRES + 60} s`);
  }
  // Runs asked for a time: the schedule paused, an event without one, each run asked for
  // 3 s ahead of when it is asked (100 ms apart), as the API would.
  await db!.updateTable('events').set({ status: 'paused' }).where('id', '=', eventId).execute();
  const { id: laterId } = await db!
    .insertInto('events')
    .values({ owner_id: userId, name: 'later', type: 'bash', script: 'echo "$EPOCHREALTIME"' })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (let i = 0; i < SCHEDULED_RUNS; i++) {
    await triggerRun(db!, laterId, { trigger: 'manual', runAt: new Date(Date.now() + 3_000) });
    await new Promise((r) => setTimeout(r, 100));
  }
  const laterDeadline = Date.now() + 60_000;
  for (;;) {
    await new Promise((r) => setTimeout(r, 1_000));
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM runs WHERE event_id = ${laterId} AND status = 'succeeded'`.execute(
      db!,
    );
    if (rows[0]!.n >= SCHEDULED_RUNS) break;
    if (Date.now() > laterDeadline)
      throw new Error(`fewer than ${SCHEDULED_RUNS} scheduled runs ran`);
  }
  await scheduler.stop();
  await worker.stop(5_000);
  await launcher.close();
  await listener.close();
  const runs = await db!
    .selectFrom('runs')
    .select(['id', 'scheduled_for', 'status', 'created_at', 'started_at'])
    .where('event_id', '=', eventId)
    .where('status', '=', 'succeeded')
    .orderBy('scheduled_for')
    .execute();
  const latencies: number[] = [];
  const enqueued: number[] = [];
  const claimed: number[] = [];
  for (const run of runs.slice(1, FIRES + 1)) {
    const [first] = await readRunLogs(db!, run.id, 0, 1);
    if (!first) continue;
    const due = run.scheduled_for!.getTime();
    latencies.push(Number(first.data) * 1000 - due);
    enqueued.push(run.created_at.getTime() - due);
    claimed.push(run.started_at!.getTime() - due);
  }
  const laterRuns = await db!
    .selectFrom('runs')
    .select(['id', 'run_at', 'started_at'])
    .where('event_id', '=', laterId)
    .where('status', '=', 'succeeded')
    .execute();
  const scheduledLatencies: number[] = [];
  for (const run of laterRuns) {
    const [first] = await readRunLogs(db!, run.id, 0, 1);
    if (first) scheduledLatencies.push(Number(first.data) * 1000 - run.run_at.getTime());
  }
  writeResults(
    'fire-latency',
    {
      fires: latencies.length,
      postgres: bench.version,
      schedule: '* * * * * * (every second)',
      executor: 'local (bash)',
      // The first slot is skipped: it may be seen while the schedule is being discovered.
      latencyMs: summarize(latencies),
      // Where the time goes: the schedule pass's transaction start and the claim's, after the due time.
      passStartedMs: summarize(enqueued),
      claimStartedMs: summarize(claimed),
      target: 'p99 < 20 ms',
      // Runs asked for a time (runAt), promoted from scheduled by the same scheduler loop.
      scheduledRuns: scheduledLatencies.length,
      scheduledRunLatencyMs: summarize(scheduledLatencies),
    },
    { latencyMs: rawSamples(latencies), scheduledRunLatencyMs: rawSamples(scheduledLatencies) },
  );
} finally {
  await bench.close();
}
