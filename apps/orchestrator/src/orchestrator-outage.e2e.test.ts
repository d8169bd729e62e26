// A real orchestrator process (leases only) whose database goes away for 5 s (every connection
// cut, new ones refused, through a proxy in front of this test's own database) around the
// moment a run's script finishes: the script runs once, the run ends succeeded, its log is
// complete, and the process lives on.
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
import { readRunLogs, triggerRun } from '@cronium/run-queue';
import { startOrchestrator, type OrchestratorProcess } from './orchestrator-process.test-helper.ts';

jest.setTimeout(60_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('orchestrator across a database outage', () => {
  let t: TestDatabase;
  let proxy: OutageProxy;
  let orchestrator: OrchestratorProcess | undefined;
  let dir: string;

  beforeAll(async () => {
    t = await createTestDatabase();
    proxy = new OutageProxy(t.url);
    await proxy.start();
    dir = mkdtempSync(join(tmpdir(), 'cronium-outage-e2e-'));
    chmodSync(dir, 0o777); // scripts may run as another user than this test
  });
  afterAll(async () => {
    proxy.restore();
    await orchestrator?.stop(5_000);
    await proxy.close();
    rmSync(dir, { recursive: true, force: true });
    await t.destroy();
  });

  it('writes the marker once, ends succeeded with its whole log, when PostgreSQL is away for 5 s around the finish', async () => {
    const marker = join(dir, 'marker');
    writeFileSync(marker, '');
    chmodSync(marker, 0o666);
    orchestrator = await startOrchestrator(proxy.url(t.url), 'outage-e2e', {
      ORCHESTRATOR_LEASE_MS: '10000',
      // Leases only: with a liveness session (orchestrator-liveness.e2e.test.ts) an attempt
      // is stopped once the session is unconfirmed for half of ORCHESTRATOR_LIVENESS_MS.
      ORCHESTRATOR_LIVENESS_MS: '0',
      ORCHESTRATOR_SWEEP_MS: '300',
      // The marker is a file of this test's: a bubblewrap sandbox would give the script a
      // private /tmp (its own user, without the sandbox, still reaches this 0777 directory).
      ORCHESTRATOR_LOCAL_SANDBOX: 'off',
      LOG_LEVEL: 'warn',
    });
    const eventId = await insertTestEvent(t.db, await insertTestUser(t.db), {
      script: `echo before; sleep 1; echo "$CRONIUM_RUN_ID" >> ${marker}; echo after`,
    });
    const { runId } = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number };
    for (let i = 0; !(await readRunLogs(t.db, runId)).some((l) => l.data === 'before'); i++) {
      if (i > 200) throw new Error('the run did not start');
      await sleep(50);
    }
    proxy.cut();
    await sleep(5_000);
    const lines = () => readFileSync(marker, 'utf8').split('\n').filter(Boolean);
    expect(lines()).toEqual([String(runId)]); // the script finished while the database was away
    proxy.restore();
    const row = async () =>
      t.db.selectFrom('runs').selectAll().where('id', '=', runId).executeTakeFirstOrThrow();
    for (let i = 0; (await row()).status === 'running'; i++) {
      if (i > 300) throw new Error('the run did not end');
      await sleep(50);
    }
    await sleep(1_500); // a re-run, if there were one, would have started by now
    expect(await row()).toMatchObject({ status: 'succeeded', attempt: 1, lease_losses: 0 });
    expect(lines()).toEqual([String(runId)]);
    expect((await readRunLogs(t.db, runId)).map((l) => `${l.stream}:${l.data}`)).toEqual([
      'stdout:before',
      'stdout:after',
    ]);
    expect(orchestrator.child.exitCode).toBeNull();
    expect(orchestrator.child.signalCode).toBeNull();
  });
});
