// A real orchestrator running SSH events on real sshd servers: fan-out with one server down,
// host key pinning across a re-key, cancel of a remote process tree, and an orchestrator
// crash mid-run.
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { SecretBox, parseMasterKey } from '@cronium/crypto';
import { insertServer } from '@cronium/db';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import {
  privateSshdAvailable,
  startPrivateSshd,
  type PrivateSshd,
} from '@cronium/executors/testing';
import { readRunLogs, requestCancel, triggerRun } from '@cronium/run-queue';
import { startOrchestrator, type OrchestratorProcess } from './orchestrator-process.test-helper.ts';

const withSshd = privateSshdAvailable() || process.env.CI === 'true' ? describe : describe.skip;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function remoteProcesses(marker: string): string[] {
  try {
    return execFileSync('pgrep', ['-u', 'cronium-ssh', '-f', marker]).toString().trim().split('\n');
  } catch {
    return [];
  }
}

withSshd('orchestrator running SSH events', () => {
  let t: TestDatabase;
  let userId: number;
  let alpha: PrivateSshd;
  let beta: PrivateSshd;
  const box = new SecretBox(parseMasterKey('ab'.repeat(32)));
  const started: OrchestratorProcess[] = [];
  const start = async (id: string) => {
    const proc = await startOrchestrator(t.url, id, {
      ORCHESTRATOR_LEASE_MS: '2000',
      ORCHESTRATOR_SWEEP_MS: '300',
      ORCHESTRATOR_CONTAINERS: 'off',
      LOG_LEVEL: 'warn',
      // The test sshds are on loopback, which the egress policy keeps from ordinary users.
      EGRESS_ALLOW: '127.0.0.1',
    });
    started.push(proc);
    return proc;
  };

  beforeAll(async () => {
    t = await createTestDatabase({ poolMax: 5 });
    userId = await insertTestUser(t.db);
    [alpha, beta] = await Promise.all([startPrivateSshd(), startPrivateSshd()]);
  });
  afterEach(async () => {
    for (const proc of started.splice(0)) await proc.stop(5_000);
  });
  afterAll(async () => {
    await Promise.all([alpha?.stop(), beta?.stop()]);
    await t.destroy();
  });

  let serverCount = 0;
  const addServer = async (sshd: PrivateSshd, overrides: { port?: number } = {}) =>
    (
      await insertServer(t.db, box, {
        ownerId: userId,
        name: `server-${++serverCount}`,
        host: sshd.host,
        port: overrides.port ?? sshd.port,
        username: sshd.username,
        authMethod: 'private_key',
        credential: sshd.privateKey,
        hostKeyFingerprint: sshd.hostKeyFingerprint,
      })
    ).id;
  const sshEvent = async (serverIds: number[], script: string, extra = {}) => {
    const eventId = await insertTestEvent(t.db, userId, {
      target_kind: 'ssh',
      script,
      concurrency_policy: 'allow',
      ...extra,
    });
    await t.db
      .insertInto('event_servers')
      .values(serverIds.map((server_id) => ({ event_id: eventId, server_id })))
      .execute();
    return eventId;
  };
  const trigger = async (eventId: number) =>
    ((await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number }).runId;
  async function finished(runId: number, timeoutMs = 20_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = await t.db
        .selectFrom('runs')
        .selectAll()
        .where('id', '=', runId)
        .executeTakeFirstOrThrow();
      if (['succeeded', 'failed', 'partial', 'cancelled', 'timed_out'].includes(row.status))
        return row;
      if (Date.now() > deadline) throw new Error(`run ${runId} still ${row.status}`);
      await sleep(50);
    }
  }

  it('fans a run out to several servers; with one down it is partial, each server recorded', async () => {
    await start('ssh-fanout');
    const a = await addServer(alpha);
    const b = await addServer(beta);
    const down = await addServer(alpha, { port: 1 });
    const eventId = await sshEvent(
      [a, b, down],
      'echo "on $(hostname) as $(whoami) run $CRONIUM_RUN_ID"',
    );
    const runId = await trigger(eventId);
    const run = await finished(runId);
    expect(run.status).toBe('partial');
    expect(run.attempt).toBe(1); // partial is final: retrying would re-run the servers that succeeded
    expect(run.error).toMatch(/1 of 3 servers failed/);
    const targets = await t.db
      .selectFrom('run_targets')
      .selectAll()
      .where('run_id', '=', runId)
      .orderBy('server_id')
      .execute();
    expect(targets.map((r) => [r.server_id, r.status, r.exit_code])).toEqual([
      [a, 'succeeded', 0],
      [b, 'succeeded', 0],
      [down, 'failed', null],
    ]);
    expect(targets[2]!.error).toMatch(/cannot connect to server-3/);
    expect(targets.every((r) => r.started_at && r.finished_at)).toBe(true);
    const logs = await readRunLogs(t.db, runId);
    const stdout = logs.filter((l) => l.stream === 'stdout');
    expect(stdout.map((l) => l.server_id).sort()).toEqual([a, b]);
    expect(stdout[0]!.data).toMatch(new RegExp(`as cronium-ssh run ${runId}$`));
  }, 60_000);

  it('refuses a server whose host key changed between two runs', async () => {
    await start('ssh-rekey');
    const rekeyed = await startPrivateSshd();
    try {
      const server = await insertServer(t.db, box, {
        ownerId: userId,
        name: 'rekeyed',
        host: rekeyed.host,
        port: rekeyed.port,
        username: rekeyed.username,
        authMethod: 'private_key',
        credential: rekeyed.privateKey,
        hostKeyFingerprint: rekeyed.hostKeyFingerprint,
      });
      const eventId = await sshEvent([server.id], 'echo ran', { retry_max_attempts: 1 });
      expect((await finished(await trigger(eventId))).status).toBe('succeeded');
      await rekeyed.rekey();
      const second = await finished(await trigger(eventId));
      expect(second.status).toBe('failed');
      expect(second.error).toMatch(/host key of rekeyed .* has changed/);
      expect((await readRunLogs(t.db, second.id)).map((l) => l.data)).not.toContain('ran');
    } finally {
      await rekeyed.stop();
    }
  }, 60_000);

  it('cancels a remote process tree: nothing of it survives on the server', async () => {
    await start('ssh-cancel');
    const marker = randomInt(100_000, 999_999);
    const eventId = await sshEvent(
      [await addServer(alpha)],
      `sleep ${marker} & (sleep ${marker + 1}; echo never) & echo started; wait`,
    );
    const runId = await trigger(eventId);
    const deadline = Date.now() + 10_000;
    while (remoteProcesses(`sleep ${marker + 1}`).length === 0 && Date.now() < deadline)
      await sleep(50);
    await requestCancel(t.db, runId, 'stop it');
    const run = await finished(runId);
    expect(run.status).toBe('cancelled');
    expect(remoteProcesses(`sleep ${marker}`)).toEqual([]);
    expect(remoteProcesses(`sleep ${marker + 1}`)).toEqual([]);
    const target = await t.db
      .selectFrom('run_targets')
      .selectAll()
      .where('run_id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(target.status).toBe('cancelled');
  }, 60_000);

  it('a SIGKILLed orchestrator leaves nothing running remotely, and the run is re-run elsewhere', async () => {
    const first = await start('ssh-crash-a');
    const marker = randomInt(100_000, 999_999);
    const eventId = await sshEvent(
      [await addServer(beta)],
      `echo "attempt $CRONIUM_RUN_ATTEMPT"; [ "$CRONIUM_RUN_ATTEMPT" = 1 ] && sleep ${marker}; true`,
    );
    const runId = await trigger(eventId);
    const deadline = Date.now() + 10_000;
    while (remoteProcesses(`sleep ${marker}`).length === 0 && Date.now() < deadline)
      await sleep(50);
    first.child.kill('SIGKILL');
    await first.exited;
    // The launcher's watchdog sees its SSH session end and stops the script.
    const gone = Date.now() + 8_000;
    while (remoteProcesses(`sleep ${marker}`).length > 0 && Date.now() < gone) await sleep(100);
    expect(remoteProcesses(`sleep ${marker}`)).toEqual([]);
    await start('ssh-crash-b');
    const run = await finished(runId, 30_000);
    expect(run).toMatchObject({ status: 'succeeded', attempt: 2, lease_losses: 1 });
  }, 90_000);
});
