// Crash recovery: from the SIGKILL of the orchestrator running a run to the start of the run's
// next attempt on another orchestrator, over many kills. With liveness sessions (the default,
// ORCHESTRATOR_LIVENESS_MS=3000), and, as the reference in the same run, with leases only
// (ORCHESTRATOR_LIVENESS_MS=0, the default 30 s lease and 5 s sweep), over fewer kills.
// Usage: node bench/src/crash-recovery.ts (BENCH_KILLS, default 50; BENCH_LEASE_KILLS, default 5)
import type { Db } from '@cronium/db';
import { requestCancel, triggerRun } from '@cronium/run-queue';
import { openBenchDatabase } from './bench-database.ts';
import { startOrchestrator, type OrchestratorProcess } from './orchestrator-process.ts';
import { rawSamples, summarize, writeResults } from './results.ts';

const KILLS = Number(process.env.BENCH_KILLS ?? 50);
const LEASE_KILLS = Number(process.env.BENCH_LEASE_KILLS ?? 5);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(read: () => Promise<T | undefined>, ms: number): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(20);
  }
}

/** `kills` times: a run starts, its orchestrator is SIGKILLed, the next attempt starts. */
async function measure(db: Db, url: string, liveness: string, kills: number): Promise<number[]> {
  const env = { ORCHESTRATOR_LIVENESS_MS: liveness, ORCHESTRATOR_LOCAL_SANDBOX: 'off' };
  let serial = 0;
  const start = () => startOrchestrator(url, `recovery-${liveness}-${++serial}`, env);
  const { id: owner } = await db
    .insertInto('users')
    .values({
      email: `recovery-${liveness}-${Date.now()}@example.com`,
      password_hash: 'x',
      role: 'admin',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const { id: eventId } = await db
    .insertInto('events')
    .values({ owner_id: owner, name: `recovery ${liveness}`, type: 'bash', script: 'sleep 600' })
    .returning('id')
    .executeTakeFirstOrThrow();
  let live: OrchestratorProcess[] = [await start(), await start()];
  const samples: number[] = [];
  try {
    for (let i = 0; i < kills; i++) {
      await sleep(1_000); // every orchestrator has seen the others up
      const queued = await triggerRun(db, eventId, { trigger: 'manual' });
      if (queued.outcome !== 'enqueued') throw new Error('not enqueued');
      const runId = queued.runId;
      const holder = await until(async () => {
        const r = await db
          .selectFrom('runs')
          .select(['status', 'lease_owner'])
          .where('id', '=', runId)
          .executeTakeFirstOrThrow();
        return r.status === 'running' ? r.lease_owner! : undefined;
      }, 30_000);
      const victim = live.find((o) => o.id === holder)!;
      const killedAt = Date.now();
      await victim.kill();
      live = live.filter((o) => o !== victim);
      const next = await until(async () => {
        const r = await db
          .selectFrom('runs')
          .select(['attempt', 'started_at'])
          .where('id', '=', runId)
          .executeTakeFirstOrThrow();
        return r.attempt > 1 ? r : undefined;
      }, 120_000);
      samples.push(next.started_at!.getTime() - killedAt);
      console.log(`kill ${i + 1}/${kills} (${liveness}): ${samples.at(-1)} ms`);
      await requestCancel(db, runId);
      live.push(await start());
    }
  } finally {
    await Promise.all(live.map((o) => o.stop(20_000)));
  }
  return samples;
}

const bench = await openBenchDatabase();
try {
  const { url, db } = await bench.create('recovery', true);
  const withLiveness = await measure(db!, url, '3000', KILLS);
  const leasesOnly = await measure(db!, url, '0', LEASE_KILLS);
  writeResults(
    'crash-recovery',
    {
      postgres: bench.version,
      liveness: { livenessMs: 3000, ...summarize(withLiveness) },
      leasesOnly: { leaseMs: 30_000, sweepMs: 5_000, ...summarize(leasesOnly) },
    },
    { liveness: rawSamples(withLiveness), leasesOnly: rawSamples(leasesOnly) },
  );
} finally {
  await bench.close();
}
