// Schedule fire latency: from a slot's due time to the moment the script's process starts
// (bash's $EPOCHREALTIME as its first act), with the real scheduler loop, run worker and
// local executor starting processes through the launch helper, woken by LISTEN/NOTIFY as in the
// orchestrator.
// Usage: node bench/src/fire-latency.ts   (BENCH_FIRES, BENCH_DATABASE_URL)
import { PassThrough } from 'node:stream';
import { sql } from 'kysely';
import { listenForNotifications } from '@cronium/db';
import { ExecutorRegistry, RunWorker, SchedulerLoop } from '@cronium/engine';
import { checkedLookup, EgressPolicy } from '@cronium/egress';
import { HelperProcessLauncher, HttpExecutor, LocalExecutor } from '@cronium/executors';
import { createLogger } from '@cronium/logger';
import { CHANNELS, readRunLogs } from '@cronium/run-queue';
import { openBenchDatabase } from './bench-database.ts';
import { rawSamples, summarize, writeResults } from './results.ts';

/** Measured firings of a per-second schedule, so about this many seconds. */
const FIRES = Number(process.env.BENCH_FIRES ?? 300);
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
    channels: [CHANNELS.runsQueued],
    onNotification: () => worker.wake(),
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
    },
    { latencyMs: rawSamples(latencies) },
  );
} finally {
  await bench.close();
}
