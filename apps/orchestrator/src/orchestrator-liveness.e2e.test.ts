// Crash recovery in seconds: orchestrators hold a liveness lock in PostgreSQL, and a peer takes
// back the runs of one whose session ended after ORCHESTRATOR_LIVENESS_MS (3 s), not after its
// lease (30 s). An orchestrator cut off from the database stops its attempts before that, so a
// run never has two live copies.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  OutageProxy,
  type TestDatabase,
} from '@cronium/db/testing';
import { triggerRun } from '@cronium/run-queue';
import { startOrchestrator, type OrchestratorProcess } from './orchestrator-process.test-helper.ts';

jest.setTimeout(90_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('orchestrator liveness: a dead one is replaced in seconds', () => {
  let t: TestDatabase;
  let proxy: OutageProxy;
  let dir: string;
  const started: OrchestratorProcess[] = [];

  beforeAll(async () => {
    t = await createTestDatabase();
    proxy = new OutageProxy(t.url);
    await proxy.start();
    dir = mkdtempSync(join(tmpdir(), 'cronium-liveness-e2e-'));
    chmodSync(dir, 0o777); // scripts may run as another user than this test
  });
  afterAll(async () => {
    proxy.restore();
    for (const o of started) if (o.child.exitCode === null) await o.stop(10_000);
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
    await t.destroy();
  });

  async function start(id: string, url = t.url): Promise<OrchestratorProcess> {
    const o = await startOrchestrator(url, id, {
      // The marker files are this test's: no private /tmp.
      ORCHESTRATOR_LOCAL_SANDBOX: 'off',
      LOG_LEVEL: 'warn',
    });
    started.push(o);
    return o;
  }

  const run = (id: number) =>
    t.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  async function until<T>(what: string, read: () => Promise<T | undefined>, ms = 30_000) {
    const deadline = Date.now() + ms;
    for (;;) {
      const value = await read();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(20);
    }
  }

  /** A script that writes `<pid> <ms>` to the marker every 100 ms, `ticks` times. */
  async function heartbeatEvent(marker: string, ticks: number) {
    writeFileSync(marker, '');
    chmodSync(marker, 0o666);
    return insertTestEvent(t.db, await insertTestUser(t.db), {
      script: `for i in $(seq ${ticks}); do echo "$$ $(date +%s%3N)" >> ${marker}; sleep 0.1; done`,
      timeout_seconds: 120,
    });
  }

  it('starts a SIGKILLed orchestrator’s run again on another one within 5 s', async () => {
    const a = await start('liveness-a');
    const marker = join(dir, 'killed');
    const eventId = await heartbeatEvent(marker, 300);
    const { runId } = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number };
    await until('attempt 1 on a', async () => {
      const r = await run(runId);
      return r.status === 'running' && r.lease_owner === 'liveness-a' ? r : undefined;
    });
    const b = await start('liveness-b');
    await sleep(1_000); // b has seen a up

    a.child.kill('SIGKILL');
    const killedAt = Date.now();
    const second = await until('attempt 2', async () => {
      const r = await run(runId);
      return r.attempt === 2 && r.status === 'running' ? r : undefined;
    });
    const recoveredMs = Date.now() - killedAt;
    expect(second.lease_owner).toBe('liveness-b');
    expect(second.error).toBe(
      'attempt 1 lost: orchestrator liveness-a is gone (its database session ended)',
    );
    expect(recoveredMs).toBeLessThan(5_000);
    await b.stop(10_000);
  });

  it('stops the attempts of an orchestrator cut off from PostgreSQL before another takes them', async () => {
    const cutOff = await start('liveness-cut', proxy.url(t.url));
    const marker = join(dir, 'partition');
    const eventId = await heartbeatEvent(marker, 100);
    const { runId } = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number };
    await until('attempt 1 on the orchestrator behind the proxy', async () => {
      const r = await run(runId);
      return r.status === 'running' && r.lease_owner === 'liveness-cut' ? r : undefined;
    });
    const other = await start('liveness-other');
    await sleep(1_000);

    proxy.cut();
    const cutAt = Date.now();
    await until('attempt 2 elsewhere', async () => {
      const r = await run(runId);
      return r.attempt === 2 && r.status === 'running' ? r : undefined;
    });
    expect(Date.now() - cutAt).toBeLessThan(5_000);
    proxy.restore();
    const ended = await until('the end', async () => {
      const r = await run(runId);
      return ['succeeded', 'failed'].includes(r.status) ? r : undefined;
    });
    expect(ended).toMatchObject({ status: 'succeeded', attempt: 2, lease_owner: null });

    // Two processes wrote heartbeats, one after the other: the first had stopped before the
    // second began.
    const beats = readFileSync(marker, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split(' ').map(Number) as [number, number]);
    const pids = [...new Set(beats.map(([pid]) => pid))];
    expect(pids).toHaveLength(2);
    const lastOfFirst = Math.max(...beats.filter(([p]) => p === pids[0]).map(([, at]) => at));
    const firstOfSecond = Math.min(...beats.filter(([p]) => p === pids[1]).map(([, at]) => at));
    expect(lastOfFirst).toBeLessThan(firstOfSecond);
    // The cut-off orchestrator lives on and is back.
    expect(cutOff.child.exitCode).toBeNull();
    await other.stop(10_000);
    await cutOff.stop(10_000);
  });
});
