// Throughput of no-op runs through Cronium's queue end to end (claim, execute with the fake
// executor, finish), side by side with graphile-worker draining the same number of no-op
// jobs on the same PostgreSQL at the same concurrency; then the same queue with the local
// executor running `true`.
// Usage: node bench/src/queue-throughput.ts
//   (BENCH_JOBS, BENCH_LOCAL_JOBS, BENCH_CONCURRENCY, BENCH_DATABASE_URL)
import { PassThrough } from 'node:stream';
import { sql } from 'kysely';
import { Logger as GraphileLogger, run as runGraphile, makeWorkerUtils } from 'graphile-worker';
import type { Db } from '@cronium/db';
import { ExecutorRegistry, RunWorker } from '@cronium/engine';
import { FakeExecutor, LocalExecutor, type Executor } from '@cronium/executors';
import { createLogger } from '@cronium/logger';
import { BENCH_POOL_MAX, openBenchDatabase } from './bench-database.ts';
import { writeResults } from './results.ts';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const LOCAL_JOBS = Number(process.env.BENCH_LOCAL_JOBS ?? 1_000);
/** Runs (Cronium) and jobs (graphile-worker) in flight at once: the same for both. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
/**
 * graphile-worker holds a connection per job it is running and warns below `concurrency`;
 * its own default is 10.
 */
const GRAPHILE_POOL = Math.max(10, CONCURRENCY);
/** Bound on each side's drain. */
const DEADLINE_MS = 600_000;
const silent = createLogger({ service: 'bench', level: 'silent', destination: new PassThrough() });

interface Throughput {
  jobs: number;
  concurrency: number;
  poolSize: number;
  seconds: number;
  perSecond: number;
}

function throughput(jobs: number, seconds: number, poolSize: number): Throughput {
  return {
    jobs,
    concurrency: CONCURRENCY,
    poolSize,
    seconds: Math.round(seconds * 1000) / 1000,
    perSecond: Math.round(jobs / seconds),
  };
}

async function cronium(db: Db, executor: Executor, jobs: number): Promise<Throughput> {
  const { id: userId } = await db
    .insertInto('users')
    .values({ email: `bench${Date.now()}@x`, password_hash: 'x' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const { id: eventId } = await db
    .insertInto('events')
    .values({
      owner_id: userId,
      name: 'noop',
      type: 'bash',
      script: 'true',
      concurrency_policy: 'allow',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await sql`
    INSERT INTO runs (event_id, owner_id, trigger, status)
    SELECT ${eventId}, ${userId}, 'manual', 'queued' FROM generate_series(1, ${jobs})`.execute(db);
  const worker = new RunWorker({
    db,
    logger: silent,
    owner: 'bench',
    concurrency: CONCURRENCY,
    leaseMs: 60_000,
    pollMs: 50,
    logMaxBytes: 1 << 20,
    executors: new ExecutorRegistry({ http: executor, targets: { local: executor } }),
    environmentFor: () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin' }),
  });
  const started = performance.now();
  worker.start();
  for (;;) {
    if (performance.now() - started > DEADLINE_MS)
      throw new Error(`Cronium did not finish ${jobs} runs in ${DEADLINE_MS / 1000} s`);
    const { rows } = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM runs WHERE event_id = ${eventId} AND status <> 'succeeded'`.execute(
      db,
    );
    if (rows[0]!.n === 0) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  const seconds = (performance.now() - started) / 1000;
  await worker.stop(0);
  return throughput(jobs, seconds, BENCH_POOL_MAX);
}

async function graphile(url: string, jobs: number): Promise<Throughput> {
  const utils = await makeWorkerUtils({
    connectionString: url,
    logger: new GraphileLogger(() => () => undefined),
  });
  await utils.migrate();
  for (let i = 0; i < jobs; i += 1000) {
    await utils.addJobs(
      Array.from({ length: Math.min(1000, jobs - i) }, () => ({ identifier: 'noop', payload: {} })),
    );
  }
  await utils.release();
  let done = 0;
  let finish: () => void = () => undefined;
  const allDone = new Promise<void>((resolve) => (finish = resolve));
  const started = performance.now();
  const runner = await runGraphile({
    connectionString: url,
    noHandleSignals: true,
    concurrency: CONCURRENCY,
    maxPoolSize: GRAPHILE_POOL,
    // Silent, as Cronium's side is: printing 10,000 lines would measure the terminal.
    logger: new GraphileLogger(() => () => undefined),
    taskList: { noop: async () => undefined },
  });
  runner.events.on('job:success', () => {
    done += 1;
    if (done === jobs) finish();
  });
  await Promise.race([
    allDone,
    new Promise((_, reject) =>
      setTimeout(
        () => reject(new Error(`graphile-worker did not finish ${jobs} jobs in time`)),
        DEADLINE_MS,
      ).unref(),
    ),
  ]);
  const seconds = (performance.now() - started) / 1000;
  await runner.stop();
  return throughput(jobs, seconds, GRAPHILE_POOL);
}

const bench = await openBenchDatabase();
try {
  const fakeDb = await bench.create('bench_fake', true);
  const fake = await cronium(fakeDb.db!, new FakeExecutor(), JOBS);
  const graphileDb = await bench.create('bench_graphile', false);
  const gw = await graphile(graphileDb.url, JOBS);
  const localDb = await bench.create('bench_local', true);
  const local = await cronium(localDb.db!, new LocalExecutor(), LOCAL_JOBS);
  writeResults('queue-throughput', {
    concurrency: CONCURRENCY,
    croniumFakeExecutor: fake,
    graphileWorker: gw,
    ratioCroniumToGraphile: Math.round((fake.perSecond / gw.perSecond) * 100) / 100,
    croniumLocalExecutorTrue: local,
  });
} finally {
  await bench.close();
}
