// Database outages under load (M6): PostgreSQL becomes unreachable (every connection of the
// orchestrators cut, new ones refused) while runs execute, finish and log. Real run workers,
// the local executor and the lease sweep, on this test's own database behind a proxy.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createDatabase, type Db } from '@cronium/db';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  OutageProxy,
  type TestDatabase,
} from '@cronium/db/testing';
import { LocalExecutor } from '@cronium/executors';
import { createLogger } from '@cronium/logger';
import { claimRuns, readRunLogs, triggerRun } from '@cronium/run-queue';
import { ExecutorRegistry } from './executor-registry.ts';
import { MaintenanceLoop } from './maintenance-loop.ts';
import { RunWorker } from './run-worker.ts';
import { RunLogWriter } from './run-log-writer.ts';

jest.setTimeout(120_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// What the workers log, to check that the outages hit them mid-work.
let logged = '';
const destination = new PassThrough();
destination.on('data', (chunk: Buffer) => (logged += chunk.toString()));
const logger = createLogger({ service: 'test', level: 'warn', destination });

describe('database outages', () => {
  let t: TestDatabase;
  let proxy: OutageProxy;
  let userId: number;
  let dir: string;
  const pools: Db[] = [];
  const workers: RunWorker[] = [];
  const loops: MaintenanceLoop[] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
    userId = await insertTestUser(t.db);
    proxy = new OutageProxy(t.url);
    await proxy.start();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cronium-outage-'));
  });
  afterEach(async () => {
    proxy.restore();
    for (const loop of loops.splice(0)) loop.stop();
    await Promise.all(workers.splice(0).map((w) => w.stop(0)));
    await Promise.all(pools.splice(0).map((db) => db.destroy()));
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(async () => {
    await proxy.close();
    await t.destroy();
  });

  /** An orchestrator's moving parts, every connection through the proxy. */
  function orchestrator(id: string, options: { leaseMs: number; concurrency: number }) {
    const { db } = createDatabase({ url: proxy.url(t.url), poolMax: 4 });
    pools.push(db);
    const local = new LocalExecutor({ killGraceMs: 500, workRoot: dir });
    const worker = new RunWorker({
      db,
      logger,
      owner: id,
      concurrency: options.concurrency,
      leaseMs: options.leaseMs,
      leaseSafetyMs: 1_000,
      pollMs: 100,
      logMaxBytes: 1 << 20,
      executors: new ExecutorRegistry({ http: local, targets: { local } }),
      environmentFor: (run) => ({
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        CRONIUM_RUN_ID: String(run.runId),
        CRONIUM_RUN_ATTEMPT: String(run.attempt),
      }),
    });
    const maintenance = new MaintenanceLoop({
      db,
      logger,
      sweepMs: 200,
      purgeMs: 3_600_000,
      retentionDays: 30,
      auditRetentionDays: 365,
      onRequeued: () => worker.wake(),
    });
    worker.start();
    maintenance.start();
    workers.push(worker);
    loops.push(maintenance);
    return worker;
  }

  async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  }

  const markers = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l !== '');

  it('loses no run, runs none twice and accounts for every log line when PostgreSQL restarts under load', async () => {
    const LINES = 200;
    const RUNS = 60;
    const file = join(dir, 'markers');
    writeFileSync(file, '');
    const eventId = await insertTestEvent(t.db, userId, {
      concurrency_policy: 'allow',
      script: `for i in $(seq 1 ${LINES}); do echo "line $i"; [ $((i % 20)) = 0 ] && sleep 0.$((RANDOM % 4)); done; echo "$CRONIUM_RUN_ID" >> ${file}`,
    });
    const runIds: number[] = [];
    for (let i = 0; i < RUNS; i++)
      runIds.push(
        ((await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number }).runId,
      );
    logged = '';
    orchestrator('chaos-a', { leaseMs: 10_000, concurrency: 8 });
    orchestrator('chaos-b', { leaseMs: 10_000, concurrency: 8 });
    // Restarts of 3 s each, while runs are executing, logging and finishing: at least three,
    // and more (up to eight) while runs are left, until an outage has met a log write. Whether
    // one also meets a finish batch is chance (the count is printed); the next test has a
    // script finish while the database is away every time.
    const count = (text: string) => logged.split(text).length - 1;
    const openRuns = async () =>
      (
        await t.db
          .selectFrom('runs')
          .select('id')
          .where('event_id', '=', eventId)
          .where('finished_at', 'is', null)
          .execute()
      ).length;
    for (let round = 0; round < 8; round++) {
      const met = count('writing log lines failed') > 0;
      if (round >= 3 && (met || (await openRuns()) === 0)) break;
      await sleep(1_500);
      proxy.cut();
      await sleep(3_000);
      proxy.restore();
    }
    await until('every run to end', async () => (await openRuns()) === 0);

    // The outages met runs writing their logs.
    expect(count('writing log lines failed')).toBeGreaterThan(0);
    console.log(
      `outages: ${RUNS} runs, ${count('writing log lines failed')} log writers and ` +
        `${count('storing a finished run failed; retrying')} finish batches met an outage, ` +
        `${count('lease not renewed before it expires')} attempts stopped for want of a lease`,
    );
    const rows = await t.db
      .selectFrom('runs')
      .selectAll()
      .where('event_id', '=', eventId)
      .execute();
    expect(rows.map((r) => r.status)).toEqual(rows.map(() => 'succeeded'));
    // Each script appended its run id once: no run lost, none executed twice.
    expect(markers(file).sort()).toEqual(runIds.map(String).sort());
    for (const runId of runIds) {
      const logs = await readRunLogs(t.db, runId, 0, 10_000);
      const stored = logs.filter((l) => l.stream === 'stdout').length;
      const lost = logs
        .map((l) => /^(\d+) line\(s\) lost/.exec(l.data))
        .reduce((sum, m) => sum + (m ? Number(m[1]) : 0), 0);
      expect({ runId, accounted: stored + lost }).toEqual({ runId, accounted: LINES });
      // No line stored twice (a batch whose commit answer was cut is not written again).
      const texts = logs.filter((l) => l.stream === 'stdout').map((l) => l.data);
      expect(new Set(texts).size).toBe(texts.length);
    }
  });

  it('a run that finishes while PostgreSQL is unavailable for 5 s runs once and ends succeeded, its log complete', async () => {
    const file = join(dir, 'marker');
    writeFileSync(file, '');
    const eventId = await insertTestEvent(t.db, userId, {
      script: `echo before; sleep 1; echo "$CRONIUM_RUN_ID" >> ${file}; echo after`,
    });
    const { runId } = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number };
    orchestrator('finish-a', { leaseMs: 10_000, concurrency: 2 });
    await until('the run to start', async () =>
      (await readRunLogs(t.db, runId)).some((l) => l.data === 'before'),
    );
    proxy.cut(); // the script finishes while the database is away
    await sleep(5_000);
    expect(markers(file)).toEqual([String(runId)]);
    proxy.restore();
    await until('the run to end', async () => {
      const row = await t.db
        .selectFrom('runs')
        .select('status')
        .where('id', '=', runId)
        .executeTakeFirstOrThrow();
      return row.status !== 'running';
    });
    await sleep(1_500); // a re-run, if there were one, would have started by now
    const row = await t.db
      .selectFrom('runs')
      .selectAll()
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'succeeded', attempt: 1, lease_losses: 0, exit_code: 0 });
    expect(markers(file)).toEqual([String(runId)]);
    expect((await readRunLogs(t.db, runId)).map((l) => l.data)).toEqual(['before', 'after']);
  });

  it('past its memory bound, the log writer counts the lines it could not keep and says so in the run log', async () => {
    const { db } = createDatabase({ url: proxy.url(t.url), poolMax: 2 });
    pools.push(db);
    const eventId = await insertTestEvent(t.db, userId);
    const { runId } = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number };
    const [claimed] = await claimRuns(t.db, { owner: 'w', limit: 1, leaseMs: 60_000 });
    const lost: number[] = [];
    const writer = new RunLogWriter(
      db,
      { runId, attempt: claimed!.attempt, owner: 'w' },
      {
        maxBytes: 1 << 20,
        storedSeq: claimed!.logSeq,
        maxBufferedBytes: 100 * 80,
        onError: () => undefined,
        onLost: (lines) => lost.push(lines),
      },
    );
    writer.push({ stream: 'stdout', at: new Date(), text: 'line 0' });
    await sleep(200);
    proxy.cut();
    for (let i = 1; i <= 1000; i++)
      writer.push({ stream: 'stdout', at: new Date(), text: `line ${i}` });
    await sleep(1_000);
    proxy.restore();
    await writer.close();
    const logs = await readRunLogs(t.db, runId, 0, 10_000);
    const stored = logs.filter((l) => l.stream === 'stdout').map((l) => l.data);
    const notice = logs.find((l) => l.stream === 'system');
    expect(stored.length).toBeGreaterThan(50);
    expect(stored.length).toBeLessThan(1001);
    expect(lost).toEqual([1001 - stored.length]);
    expect(notice?.data).toBe(
      `${1001 - stored.length} line(s) lost while the database was unavailable`,
    );
    // The notice stands where the gap is: after the lines kept, before none of them.
    expect(logs.at(-1)?.stream).toBe('system');
  });

  it('stops an attempt whose lease cannot be renewed before it expires, so two copies never run at once', async () => {
    const file = join(dir, 'attempts');
    writeFileSync(file, '');
    const eventId = await insertTestEvent(t.db, userId, {
      script: `trap 'echo "stop $CRONIUM_RUN_ATTEMPT" >> ${file}; exit 143' TERM
echo "start $CRONIUM_RUN_ATTEMPT" >> ${file}
sleep 6 & wait
echo "end $CRONIUM_RUN_ATTEMPT" >> ${file}`,
    });
    const { runId } = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number };
    orchestrator('lease-a', { leaseMs: 3_000, concurrency: 2 });
    orchestrator('lease-b', { leaseMs: 3_000, concurrency: 2 });
    await until('attempt 1 to start', async () => markers(file).includes('start 1'));
    proxy.cut(); // longer than the lease: the attempt cannot keep it
    await sleep(5_000);
    proxy.restore();
    await until('the run to end', async () => {
      const row = await t.db
        .selectFrom('runs')
        .select('status')
        .where('id', '=', runId)
        .executeTakeFirstOrThrow();
      return row.status === 'succeeded';
    });
    // Attempt 1 was stopped (locally, while the database was away) before attempt 2 began.
    expect(markers(file)).toEqual(['start 1', 'stop 1', 'start 2', 'end 2']);
  });
});
