// Rotating both keys while scripts run, as docs/configuration.md tells an operator to: the
// runtime API and the orchestrator restart with the new keys beside the old ones, the
// re-encryption command moves every stored secret to the new master key while runs go on,
// and then the old keys are retired. No run fails or starts over, and every secret reads back
// unchanged with the new key alone.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMasterKey, SecretBox } from '@cronium/crypto';
import {
  insertServer,
  insertToolCredential,
  insertWebhook,
  openEventSecretEnv,
  readServerCredentials,
  readToolCredentialConfig,
  readVariable,
  readWebhookForDelivery,
  rotateWebhookSecret,
  sealEventSecretEnv,
  writeVariable,
} from '@cronium/db';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import { triggerRun } from '@cronium/run-queue';
import {
  freePort,
  spawnService,
  waitForStatus,
  type ServiceProcess,
} from '@cronium/service-kit/testing';
import { startOrchestrator, type OrchestratorProcess } from './orchestrator-process.test-helper.ts';

const OLD = { key: randomBytes(32).toString('hex'), jwt: randomBytes(32).toString('base64url') };
const NEW = { key: randomBytes(32).toString('hex'), jwt: randomBytes(32).toString('base64url') };
const ROOT = join(__dirname, '..', '..', '..');
const actor = { actor_kind: 'system' as const, actor_id: null, actor_ref: 'key-rotation test' };

// Each run reads every secret variable and its secret environment, and rewrites a secret
// variable of its own, round after round, through the SDK, for about 6 s.
const SCRIPT = `
const cronium = require('cronium');
(async () => {
  const { expected, own, token, rounds } = await cronium.getInput();
  for (let round = 0; round < rounds; round++) {
    for (const [key, value] of Object.entries(expected)) {
      const got = await cronium.getVariable(key);
      if (got !== value) throw new Error(key + ' read back as ' + JSON.stringify(got));
    }
    if (process.env.TOKEN !== token) throw new Error('the secret environment changed');
    await cronium.setVariable(own, 'round ' + round + ' of ' + own);
    await new Promise((r) => setTimeout(r, 200));
  }
  await cronium.setOutput({ rounds });
})();
`;

describe('rotating the master key and the runtime-token secret while runs execute', () => {
  let t: TestDatabase;
  let runtimeApi: ServiceProcess | undefined;
  let orchestrator: OrchestratorProcess | undefined;
  let apiPort: number;
  const dataDir = mkdtempSync(join(tmpdir(), 'cronium-rotation-'));
  const oldBox = new SecretBox(parseMasterKey(OLD.key));
  const newBox = new SecretBox(parseMasterKey(NEW.key));
  const expected: Record<string, string> = {};
  const token = `env-${randomBytes(12).toString('hex')}`;
  let owner: number;
  let eventId: number;

  const keysEnv = (keys: 'old' | 'both' | 'new') => ({
    CRONIUM_ENCRYPTION_KEY: keys === 'old' ? OLD.key : NEW.key,
    CRONIUM_JWT_SECRET: keys === 'old' ? OLD.jwt : NEW.jwt,
    ...(keys === 'both'
      ? { CRONIUM_ENCRYPTION_KEY_PREVIOUS: OLD.key, CRONIUM_JWT_SECRET_PREVIOUS: OLD.jwt }
      : {}),
  });

  async function startRuntimeApi(keys: 'old' | 'both' | 'new') {
    runtimeApi = spawnService(join(ROOT, 'apps', 'runtime-api', 'src', 'main.ts'), {
      DATABASE_URL: t.url,
      CRONIUM_DATA_DIR: dataDir,
      RUNTIME_API_PORT: String(apiPort),
      LOG_LEVEL: 'warn',
      ...keysEnv(keys),
    });
    await waitForStatus(`http://127.0.0.1:${apiPort}/ready`, 200, {
      process: runtimeApi,
      timeoutMs: 30_000,
    });
  }

  const startOrchestratorWith = (id: string, keys: 'old' | 'both' | 'new') =>
    startOrchestrator(t.url, id, {
      CRONIUM_DATA_DIR: dataDir,
      RUNTIME_API_URL: `http://127.0.0.1:${apiPort}`,
      ORCHESTRATOR_SHUTDOWN_GRACE_MS: '30000',
      ...keysEnv(keys),
    });

  /** The `keys` command, as an operator runs it (npm run keys -- ...). */
  async function keys(args: string[]): Promise<{ code: number | null; output: string }> {
    const cli = spawnService(
      join(ROOT, 'packages', 'launcher', 'bin', 'cronium.mjs'),
      {
        DATABASE_URL: t.url,
        CRONIUM_DATA_DIR: dataDir,
        ...keysEnv('both'),
      },
      ['keys', ...args],
    );
    const { code } = await cli.exited;
    return { code, output: cli.output() };
  }

  /** Runs that each rewrite a secret variable of their own, first written with `box`. */
  async function startRuns(count: number, batch: string, box: SecretBox): Promise<number[]> {
    const ids = [];
    for (let i = 0; i < count; i++) {
      const own = `OWN_${batch}_${i}`;
      await writeVariable(t.db, box, {
        ownerId: owner,
        key: own,
        value: `not written yet ${randomBytes(8).toString('hex')}`,
        secret: true,
        actor,
      });
      const result = await triggerRun(t.db, eventId, {
        trigger: 'manual',
        input: { expected, own, token, rounds: 30 },
      });
      if (result.outcome !== 'enqueued') throw new Error('not enqueued');
      ids.push(result.runId);
    }
    return ids;
  }

  async function waitFor(ids: number[], statuses: string[], timeoutMs = 60_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const runs = await t.db
        .selectFrom('runs')
        .select(['id', 'status', 'attempt', 'error'])
        .where('id', 'in', ids)
        .execute();
      if (runs.every((r) => statuses.includes(r.status))) return runs;
      if (Date.now() > deadline)
        throw new Error(
          `runs ${JSON.stringify(runs)}\n${orchestrator?.output().slice(-3000)}\n${runtimeApi?.output().slice(-2000)}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    t = await createTestDatabase({ poolMax: 5 });
    apiPort = await freePort();
    owner = await insertTestUser(t.db);
    // A secret in every encrypted column, sealed by the old key.
    for (let i = 0; i < 12; i++) {
      expected[`SECRET_${i}`] = `secret ${i} ${randomBytes(12).toString('hex')}`;
      await writeVariable(t.db, oldBox, {
        ownerId: owner,
        key: `SECRET_${i}`,
        value: expected[`SECRET_${i}`]!,
        secret: true,
        actor,
      });
    }
    eventId = await insertTestEvent(t.db, owner, {
      type: 'node',
      script: SCRIPT,
      concurrency_policy: 'allow',
      timeout_seconds: 120,
    });
    await t.db
      .updateTable('events')
      .set({ secret_env_encrypted: sealEventSecretEnv(oldBox, eventId, { TOKEN: token }) })
      .where('id', '=', eventId)
      .execute();
    await insertServer(t.db, oldBox, {
      ownerId: owner,
      name: 'remote',
      host: '127.0.0.1',
      username: 'runner',
      authMethod: 'password',
      credential: 'server password',
      passphrase: 'server passphrase',
    });
    await t.db.transaction().execute(async (trx) => {
      await insertToolCredential(trx, oldBox, {
        ownerId: owner,
        kind: 'webhook',
        name: 'notify',
        config: { url: 'https://hooks.example.com/in', method: 'POST' },
      });
      const hook = await insertWebhook(trx, oldBox, {
        ownerId: owner,
        target: { kind: 'event', id: eventId },
        name: 'inbound',
        publicId: 'rotation-test-hook',
        secret: 'crw_first-secret',
        secretPrefix: 'crw_firs',
      });
      // Rotated once: a current and a previous secret.
      await rotateWebhookSecret(trx, oldBox, hook.id, {
        secret: 'crw_second-secret',
        secretPrefix: 'crw_seco',
        graceSeconds: 3600,
      });
    });
    await startRuntimeApi('old');
    orchestrator = await startOrchestratorWith('rotation-1', 'old');
  }, 90_000);

  afterAll(async () => {
    await orchestrator?.stop(40_000);
    await runtimeApi?.stop(10_000);
    await t.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('interrupts no run, loses no secret, and leaves nothing under the old key', async () => {
    // Runs under the old keys: tokens signed with the old secret.
    const first = await startRuns(4, 'A', oldBox);
    await waitFor(first, ['running']);

    // 1. The runtime API restarts with both keys of each kind; the scripts' calls retry
    //    through the restart and their old tokens are still accepted.
    const { code: apiExit } = await runtimeApi!.stop(10_000);
    expect(apiExit).toBe(0);
    await startRuntimeApi('both');

    // 2. A new orchestrator with the new keys takes the new runs; the old one drains its own.
    const previous = orchestrator!;
    orchestrator = await startOrchestratorWith('rotation-2', 'both');
    const draining = previous.stop(40_000);
    const second = await startRuns(4, 'B', oldBox);
    await waitFor(second, ['running', 'succeeded']);

    // 3. Every stored secret is moved to the new key while the second runs execute. While the
    //    old orchestrator drains, it still has the old key: the command says so (exit 1), and
    //    declares the rotation done only once it is gone.
    const reencrypt = await keys(['reencrypt', '--batch-size', '5']);
    expect(reencrypt.output).toMatch(/re-encrypted \d+ values? in/);
    if (reencrypt.code !== 0)
      expect(reencrypt.output).toContain(
        `a running process has key ${oldBox.keyId} as its current key, not ${newBox.keyId}: orchestrator`,
      );

    expect((await draining).code).toBe(0);
    const done = await keys(['reencrypt']);
    expect(done.output).toMatch(/every encrypted value is under key/);
    expect(done.code).toBe(0);
    const runs = await waitFor([...first, ...second], ['succeeded', 'failed', 'timed_out']);
    // Every run succeeded in its first attempt: nothing was interrupted or started over.
    expect(runs.map((r) => [r.status, r.attempt, r.error])).toEqual(
      runs.map(() => ['succeeded', 1, null]),
    );

    const status = await keys(['status', '--json']);
    expect(status.code).toBe(0);
    const report = JSON.parse(status.output.trim().split('\n').at(-1)!) as {
      currentKeyId: string;
      columns: { column: string; total: number; outstanding: number }[];
      processes: { service: string; keyId: string }[];
    };
    expect(report.currentKeyId).toBe(newBox.keyId);
    // The running processes name their current key: the new one.
    expect(report.processes.map((p) => `${p.service}@${p.keyId}`).sort()).toEqual([
      `orchestrator@${newBox.keyId}`,
      `runtime-api@${newBox.keyId}`,
    ]);
    for (const column of report.columns) {
      expect(column.outstanding).toBe(0);
      expect(column.total).toBeGreaterThan(0);
    }

    // 4. Every secret reads back unchanged with the new key alone.
    for (const [key, value] of Object.entries(expected))
      expect(await readVariable(t.db, newBox, owner, key)).toEqual({ value, isSecret: true });
    for (const batch of ['A', 'B'])
      for (let i = 0; i < 4; i++)
        expect((await readVariable(t.db, newBox, owner, `OWN_${batch}_${i}`))?.value).toBe(
          `round 29 of OWN_${batch}_${i}`,
        );
    const { secret_env_encrypted } = await t.db
      .selectFrom('events')
      .select('secret_env_encrypted')
      .where('id', '=', eventId)
      .executeTakeFirstOrThrow();
    expect(openEventSecretEnv(newBox, eventId, secret_env_encrypted)).toEqual({ TOKEN: token });
    const server = await t.db.selectFrom('servers').select('id').executeTakeFirstOrThrow();
    expect(await readServerCredentials(t.db, newBox, server.id)).toEqual({
      credential: 'server password',
      passphrase: 'server passphrase',
    });
    const tool = await t.db.selectFrom('tool_credentials').select('id').executeTakeFirstOrThrow();
    expect((await readToolCredentialConfig(t.db, newBox, owner, tool.id))?.config).toEqual({
      url: 'https://hooks.example.com/in',
      method: 'POST',
    });
    expect((await readWebhookForDelivery(t.db, newBox, 'rotation-test-hook'))?.secrets).toEqual([
      'crw_second-secret',
      'crw_first-secret',
    ]);

    // 5. The old keys are retired: everything runs on the new ones alone.
    expect((await runtimeApi!.stop(10_000)).code).toBe(0);
    await startRuntimeApi('new');
    expect((await orchestrator!.stop(40_000)).code).toBe(0);
    orchestrator = await startOrchestratorWith('rotation-3', 'new');
    const last = await startRuns(1, 'C', newBox);
    expect((await waitFor(last, ['succeeded', 'failed', 'timed_out']))[0]).toMatchObject({
      status: 'succeeded',
    });
  }, 180_000);
});
