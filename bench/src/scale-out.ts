// Scale-out: throughput of no-op runs (bash `true` through the local executor) with 1, 2 and 3
// real orchestrator processes on one PostgreSQL database; then, with 2 and 3, the same while
// one orchestrator is SIGKILLed half-way through, and a check of every run against the runs
// table and the orchestrators' logs: none lost, none executed twice.
// Usage: node bench/src/scale-out.ts
//   (BENCH_SCALE_RUNS, BENCH_OWNERS, BENCH_ORCHESTRATORS, BENCH_DATABASE_URL)
import { sql } from 'kysely';
import type { Db } from '@cronium/db';
import { CHANNELS } from '@cronium/run-queue';
import { openBenchDatabase, type BenchDatabase } from './bench-database.ts';
import { startOrchestrator, type OrchestratorProcess } from './orchestrator-process.ts';
import { writeResults } from './results.ts';
import { checkRunLedger, type LedgerCheck } from './run-ledger.ts';

const RUNS = Number(process.env.BENCH_SCALE_RUNS ?? 3000);
/** Owners the runs are spread over: each owner may have 16 runs running (the default cap). */
const OWNERS = Number(process.env.BENCH_OWNERS ?? 8);
const COUNTS = (process.env.BENCH_ORCHESTRATORS ?? '1,2,3').split(',').map(Number);
const CONCURRENCY = 32;
const LEASE_MS = 10_000;
const SWEEP_MS = 1_000;
const FINAL = ['succeeded', 'failed', 'timed_out', 'cancelled', 'partial'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** As root, an orchestrator runs an owner's scripts as uid base + owner id. */
const UID_BASE = 1_950_000_000 + Math.floor(Math.random() * 40_000) * 1_000;

const ORCHESTRATOR_ENV = {
  ORCHESTRATOR_CONCURRENCY: String(CONCURRENCY),
  // Shorter than the defaults (30 s, 5 s): after the kill, its runs wait for their lease.
  ORCHESTRATOR_LEASE_MS: String(LEASE_MS),
  ORCHESTRATOR_SWEEP_MS: String(SWEEP_MS),
  // What is measured is the queue, not bubblewrap's namespaces (see local-overhead).
  ORCHESTRATOR_LOCAL_SANDBOX: 'off',
  ORCHESTRATOR_SHUTDOWN_GRACE_MS: '5000',
};

interface Batch {
  eventIds: number[];
  runs: number;
  /** The database's clock once the batch is committed. */
  queuedAt: Date;
}

async function createOwners(db: Db): Promise<number[]> {
  const rows = await db
    .insertInto('users')
    .values(
      Array.from({ length: OWNERS }, (_, i) => ({
        email: `scale${i}-${Date.now()}@example.com`,
        password_hash: 'x',
        // The local target is for administrators by default (ORCHESTRATOR_LOCAL=admins).
        role: 'admin' as const,
      })),
    )
    .returning('id')
    .execute();
  return rows.map((r) => r.id);
}

/** One `true` event per owner and `perOwner` queued runs of each, in one statement. */
async function queueBatch(db: Db, owners: number[], perOwner: number): Promise<Batch> {
  const events = await db
    .insertInto('events')
    .values(owners.map((owner_id) => ({ owner_id, name: 'noop', type: 'bash', script: 'true' })))
    .returning('id')
    .execute();
  const eventIds = events.map((e) => e.id);
  await sql`
    INSERT INTO runs (event_id, owner_id, trigger, status)
    SELECT e.id, e.owner_id, 'manual', 'queued'
    FROM events e CROSS JOIN generate_series(1, ${perOwner})
    WHERE e.id = ANY(${eventIds}::bigint[])`.execute(db);
  const { rows } = await sql<{ now: Date }>`SELECT clock_timestamp() AS now`.execute(db);
  await sql`SELECT pg_notify(${CHANNELS.runsQueued}, 'bench')`.execute(db);
  return { eventIds, runs: perOwner * owners.length, queuedAt: rows[0]!.now };
}

async function finishedCount(db: Db, batch: Batch): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM runs
    WHERE event_id = ANY(${batch.eventIds}::bigint[]) AND status = ANY(${FINAL}::text[])`.execute(
    db,
  );
  return rows[0]!.n;
}

/** Waits until every run of the batch is final (or `timeoutMs`); seconds to the last finish. */
async function drained(db: Db, batch: Batch, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while ((await finishedCount(db, batch)) < batch.runs && Date.now() < deadline) await sleep(50);
  const { rows } = await sql<{ last: Date | null }>`
    SELECT max(finished_at) AS last FROM runs WHERE event_id = ANY(${batch.eventIds}::bigint[])`.execute(
    db,
  );
  return ((rows[0]!.last ?? new Date()).getTime() - batch.queuedAt.getTime()) / 1000;
}

interface KillReport {
  victim: string;
  finishedBeforeKill: number;
  runningOnVictimAtKill: number;
}

/** SIGKILLs `victim` once half the batch is finished and it holds runs. */
async function killHalfWay(db: Db, batch: Batch, victim: OrchestratorProcess): Promise<KillReport> {
  const deadline = Date.now() + 600_000;
  let finished = await finishedCount(db, batch);
  while (finished < batch.runs / 2 && Date.now() < deadline) {
    await sleep(20);
    finished = await finishedCount(db, batch);
  }
  let holding = 0;
  for (let i = 0; i < 250 && holding === 0; i++) {
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM runs WHERE lease_owner = ${victim.id} AND status = 'running'`.execute(
      db,
    );
    holding = rows[0]!.n;
    if (holding === 0) await sleep(20);
  }
  await victim.kill();
  return { victim: victim.id, finishedBeforeKill: finished, runningOnVictimAtKill: holding };
}

const round = (n: number, digits = 3) => Math.round(n * 10 ** digits) / 10 ** digits;

async function configuration(bench: BenchDatabase, n: number) {
  const { url, db } = await bench.create(`bench_scale_${n}`, true);
  const owners = await createOwners(db!);
  const perOwner = Math.ceil(RUNS / OWNERS);
  const procs: OrchestratorProcess[] = [];
  const logs = new Map<string, string[]>();
  try {
    for (let i = 1; i <= n; i++) {
      const proc = await startOrchestrator(url, `scale-${n}-${i}`, {
        ...ORCHESTRATOR_ENV,
        // A uid range per orchestrator, as on machines of their own: after an owner's last
        // script ends, an orchestrator ends whatever is left of that uid, which would reach
        // the scripts another orchestrator on this machine runs as the same uid.
        ORCHESTRATOR_LOCAL_UID_BASE: String(UID_BASE + i * 100_000),
      });
      procs.push(proc);
      logs.set(proc.id, proc.logLines());
    }
    // Warm-up (not measured): connections, compiled code, the launch helper.
    await drained(db!, await queueBatch(db!, owners, 10), 120_000);

    const steady = await queueBatch(db!, owners, perOwner);
    const steadySeconds = await drained(db!, steady, 600_000);
    let killed: { batch: Batch; seconds: number; kill: KillReport } | undefined;
    if (n >= 2) {
      const batch = await queueBatch(db!, owners, perOwner);
      const kill = await killHalfWay(db!, batch, procs.at(-1)!);
      killed = { batch, kill, seconds: await drained(db!, batch, LEASE_MS + 300_000) };
    }
    for (const proc of procs.splice(0)) await proc.stop();
    // Checked once every log is complete (the processes have exited).
    const check = (batch: Batch): Promise<LedgerCheck> => checkRunLedger(db!, batch.eventIds, logs);
    return {
      orchestrators: n,
      throughput: {
        runs: steady.runs,
        seconds: round(steadySeconds),
        perSecond: Math.round(steady.runs / steadySeconds),
        check: await check(steady),
      },
      withKill: killed && {
        runs: killed.batch.runs,
        ...killed.kill,
        secondsIncludingRecovery: round(killed.seconds),
        check: await check(killed.batch),
      },
    };
  } finally {
    for (const proc of procs) await proc.stop();
  }
}

const bench = await openBenchDatabase();
try {
  const configurations = [];
  for (const n of COUNTS) configurations.push(await configuration(bench, n));
  const one = configurations.find((c) => c.orchestrators === 1)?.throughput.perSecond;
  writeResults('scale-out', {
    postgres: bench.version,
    executor: `local, bash \`true\`, ${process.getuid?.() === 0 ? 'as a uid per owner' : "as the benchmark's user"}, no bubblewrap`,
    owners: OWNERS,
    concurrencyPerOrchestrator: CONCURRENCY,
    maxRunningPerOwner: 16,
    leaseMs: LEASE_MS,
    sweepMs: SWEEP_MS,
    configurations: configurations.map((c) => ({
      ...c,
      speedupOverOne: one ? round(c.throughput.perSecond / one, 2) : undefined,
    })),
    target: '0 runs lost and 0 duplicated with one orchestrator SIGKILLed mid-run',
  });
} finally {
  await bench.close();
}
