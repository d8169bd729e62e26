// Workflow latency: from starting a workflow run to its last step finished, with the real run
// worker and local executor (forks of the launch helper, as in the orchestrator), woken by
// LISTEN/NOTIFY. Two shapes: a 40-step chain of `true` (Windmill reports 2.97 s for this with
// JavaScript steps, Temporal 3.06 s, Kestra 9.05 s; target < 1 s), and a fan-out, 1 node to 100
// children to 1 join. The reference, measured in the same run: the same number of bare
// spawns of `bash -c true`, one after another (the floor for a chain of processes).
// Usage: node bench/src/workflow-latency.ts   (BENCH_REPEATS, BENCH_DATABASE_URL)
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { listenForNotifications, type Db } from '@cronium/db';
import { ExecutorRegistry, RunWorker } from '@cronium/engine';
import { checkedLookup, EgressPolicy } from '@cronium/egress';
import { HelperProcessLauncher, HttpExecutor, LocalExecutor } from '@cronium/executors';
import { createLogger } from '@cronium/logger';
import { CHANNELS, queuedBy, startWorkflowRun } from '@cronium/run-queue';
import { openBenchDatabase } from './bench-database.ts';
import { rawSamples, summarize, writeResults } from './results.ts';

const REPEATS = Number(process.env.BENCH_REPEATS ?? 10);
const CHAIN = 40;
const FAN = 100;
const silent = createLogger({ service: 'bench', level: 'silent', destination: new PassThrough() });

/** A workflow of one `true` event per node, with `edges` between node indexes. */
async function workflowOf(
  db: Db,
  userId: number,
  eventId: number,
  nodes: number,
  edges: [number, number][],
): Promise<number> {
  const { id } = await db
    .insertInto('workflows')
    .values({ owner_id: userId, name: `bench ${nodes} ${edges.length}` })
    .returning('id')
    .executeTakeFirstOrThrow();
  const rows = await db
    .insertInto('workflow_nodes')
    .values(
      Array.from({ length: nodes }, (_, i) => ({
        workflow_id: id,
        name: `n${i}`,
        event_id: eventId,
      })),
    )
    .returning('id')
    .execute();
  for (let at = 0; at < edges.length; at += 500)
    await db
      .insertInto('workflow_edges')
      .values(
        edges.slice(at, at + 500).map(([from, to]) => ({
          workflow_id: id,
          from_node_id: rows[from]!.id,
          to_node_id: rows[to]!.id,
          condition: 'on_success' as const,
        })),
      )
      .execute();
  return id;
}

/** Starts a run and waits for it to end (told by its notification); the elapsed ms. */
async function timeRun(
  db: Db,
  workflowId: number,
  ended: (id: number) => Promise<void>,
): Promise<number> {
  const began = performance.now();
  const started = await startWorkflowRun(db, workflowId, { trigger: 'manual' });
  if (started.outcome !== 'started') throw new Error(started.reason);
  await ended(started.workflowRunId);
  const elapsed = performance.now() - began;
  const run = await db
    .selectFrom('workflow_runs')
    .select('status')
    .where('id', '=', started.workflowRunId)
    .executeTakeFirstOrThrow();
  if (run.status !== 'succeeded') throw new Error(`workflow run ended ${run.status}`);
  return elapsed;
}

async function bareSpawns(count: number): Promise<number> {
  const began = performance.now();
  for (let i = 0; i < count; i++)
    await new Promise((resolve) => spawn('bash', ['-c', 'true']).on('close', resolve));
  return performance.now() - began;
}

const bench = await openBenchDatabase();
try {
  const { db, url } = await bench.create('bench_workflow', true);
  const { id: userId } = await db!
    .insertInto('users')
    .values({ email: 'workflow@x', password_hash: 'x' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const { id: eventId } = await db!
    .insertInto('events')
    .values({ owner_id: userId, name: 'noop', type: 'bash', script: 'true' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const launcher = new HelperProcessLauncher();
  const worker = new RunWorker({
    db: db!,
    logger: silent,
    owner: 'bench',
    concurrency: 32,
    leaseMs: 30_000,
    pollMs: 1_000,
    logMaxBytes: 1 << 20,
    executors: new ExecutorRegistry({
      http: new HttpExecutor({
        egress: async () =>
          checkedLookup(new EgressPolicy({ allow: [], allowMetadata: [] }), { admin: true }),
      }),
      targets: { local: new LocalExecutor({ launcher }) },
    }),
    environmentFor: () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin' }),
  });
  // Workflow runs that ended, by id: the run's end is a notification, not a poll.
  const waiting = new Map<number, () => void>();
  const checkEnded = async (id: number) => {
    const row = await db!
      .selectFrom('workflow_runs')
      .select('status')
      .where('id', '=', id)
      .executeTakeFirst();
    if (row && row.status !== 'running') waiting.get(id)?.();
  };
  const listener = listenForNotifications({
    url,
    channels: [CHANNELS.runsQueued, CHANNELS.workflowRuns],
    onNotification: (channel, payload) => {
      // As the orchestrator does: the worker's own echo is left alone.
      if (channel === CHANNELS.runsQueued) {
        if (queuedBy(payload) !== 'bench') worker.wake();
      } else void checkEnded(Number(payload));
    },
  });
  await new Promise((r) => setTimeout(r, 500)); // LISTEN established
  worker.start();
  const ended = (id: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`workflow run ${id} still running`)),
        120_000,
      );
      waiting.set(id, () => {
        clearTimeout(timer);
        waiting.delete(id);
        resolve();
      });
      void checkEnded(id);
    });

  const chain = await workflowOf(
    db!,
    userId,
    eventId,
    CHAIN,
    Array.from({ length: CHAIN - 1 }, (_, i) => [i, i + 1]),
  );
  const fan = await workflowOf(db!, userId, eventId, FAN + 2, [
    ...Array.from({ length: FAN }, (_, i) => [0, i + 1] as [number, number]),
    ...Array.from({ length: FAN }, (_, i) => [i + 1, FAN + 1] as [number, number]),
  ]);
  // One of each first: the helper, the pool and the plans warm up.
  await timeRun(db!, chain, ended);
  await timeRun(db!, fan, ended);
  const chainMs: number[] = [];
  const fanMs: number[] = [];
  const bareChainMs: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    chainMs.push(await timeRun(db!, chain, ended));
    fanMs.push(await timeRun(db!, fan, ended));
    bareChainMs.push(await bareSpawns(CHAIN));
  }
  // Where a chain step's time goes, from the last chain run's node runs (database clock).
  const last = await db!
    .selectFrom('workflow_runs')
    .select('id')
    .where('workflow_id', '=', chain)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
  const steps = await db!
    .selectFrom('runs')
    .select(['created_at', 'started_at', 'finished_at'])
    .where('workflow_run_id', '=', last.id)
    .orderBy('id')
    .execute();
  const gaps = {
    queuedAfterPreviousMs: [] as number[],
    claimMs: [] as number[],
    runMs: [] as number[],
  };
  steps.forEach((step, i) => {
    if (i > 0)
      gaps.queuedAfterPreviousMs.push(
        step.created_at.getTime() - steps[i - 1]!.finished_at!.getTime(),
      );
    gaps.claimMs.push(step.started_at!.getTime() - step.created_at.getTime());
    gaps.runMs.push(step.finished_at!.getTime() - step.started_at!.getTime());
  });
  await worker.stop(5_000);
  await launcher.close();
  await listener.close();
  const chainSummary = summarize(chainMs);
  writeResults(
    'workflow-latency',
    {
      postgres: bench.version,
      repeats: REPEATS,
      executor: 'local (bash `true`, through the launch helper)',
      chainSteps: CHAIN,
      chainMs: chainSummary,
      perStepMs: summarize(chainMs.map((ms) => ms / CHAIN)),
      // One chain run's steps: the next step queued after the previous ended (the advance),
      // claimed after it was queued, and its run (spawn, script, outcome stored).
      stepBreakdownMs: {
        queuedAfterPrevious: summarize(gaps.queuedAfterPreviousMs),
        claim: summarize(gaps.claimMs),
        run: summarize(gaps.runMs),
      },
      fanOut: `1 -> ${FAN} -> 1`,
      fanOutMs: summarize(fanMs),
      bareSequentialSpawnsMs: summarize(bareChainMs),
      published: { windmill: 2970, temporal: 3060, kestra: 9050 },
      target: '40-step chain < 1 s',
      met: chainSummary.p50 < 1000,
    },
    { chainMs: rawSamples(chainMs), fanOutMs: rawSamples(fanMs) },
  );
} finally {
  await bench.close();
}
