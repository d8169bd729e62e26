// The three SDKs against a real runtime API process-less server (the app, listening on a
// loopback port and a unix socket): the same contract in every language, errors included.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { signRunToken } from '@cronium/auth';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import { claimRuns, finishRun, triggerRun } from '@cronium/run-queue';
import { SDK_DIR } from '@cronium/sdk';
import { freePort } from '@cronium/service-kit/testing';
import { loadConfig } from '../config.ts';
import { createDeps, type RuntimeApiDeps } from '../deps.ts';

const run = promisify(execFile);
const SECRET = 's'.repeat(40);

describe('SDK contract (Node.js, Python, Bash) against the runtime API', () => {
  let t: TestDatabase;
  let deps: RuntimeApiDeps;
  let port: number;
  let userId: number;
  let eventId: number;
  const dir = mkdtempSync(join(tmpdir(), 'cronium-sdk-'));
  const socket = join(dir, 'run', 'api.sock');

  beforeAll(async () => {
    t = await createTestDatabase({ poolMax: 4 });
    userId = await insertTestUser(t.db);
    eventId = await insertTestEvent(t.db, userId, { concurrency_policy: 'allow' });
    port = await freePort();
    deps = createDeps(
      loadConfig({
        DATABASE_URL: t.url,
        CRONIUM_DATA_DIR: dir,
        CRONIUM_ENCRYPTION_KEY: 'ef'.repeat(32),
        CRONIUM_JWT_SECRET: SECRET,
        RUNTIME_API_PORT: String(port),
        RUNTIME_API_SOCKET: socket,
        LOG_LEVEL: 'silent',
      }),
      'test',
    );
    await deps.start();
  });
  afterAll(async () => {
    await deps.stop();
    await t.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  async function liveToken(input: unknown = null) {
    const { runId } = (await triggerRun(t.db, eventId, { trigger: 'manual', input })) as {
      runId: number;
    };
    const [claimed] = (await claimRuns(t.db, { owner: 'sdk', limit: 10, leaseMs: 60_000 })).filter(
      (c) => c.runId === runId,
    );
    return {
      runId,
      attempt: claimed!.attempt,
      token: signRunToken(SECRET, { runId, attempt: claimed!.attempt, eventId, userId }, 60),
    };
  }

  const scripts = {
    node: {
      file: 'probe.js',
      argv: ['node'],
      body: `
const cronium = require('cronium');
(async () => {
  console.log(JSON.stringify(await cronium.getInput()));
  await cronium.setOutput({ from: 'node' });
  console.log(await cronium.getVariable('absent'));
  try { await cronium.getVariable('1bad'); } catch (e) { console.log(e.name + ': ' + (e.status ?? 'local')); }
  await cronium.setVariable('n', { a: 1 });
  console.log(await cronium.getVariable('n'));
})().catch((e) => { console.log('error', e.name, e.status, e.message); process.exit(4); });`,
    },
    python: {
      file: 'probe.py',
      argv: ['python3'],
      body: `
import json, sys, cronium
try:
    print(json.dumps(cronium.get_input(), separators=(",", ":")))
    cronium.set_output({"from": "python"})
    print(cronium.getVariable("absent"))
    try:
        cronium.get_variable("1bad")
    except cronium.CroniumError as e:
        print("CroniumError: " + str(e.status or "local"))
    cronium.set_variable("n", {"a": 1})
    print(cronium.get_variable("n"))
except cronium.CroniumError as e:
    print("error CroniumError", e.status, e)
    sys.exit(4)`,
    },
    bash: {
      file: 'probe.sh',
      argv: ['bash'],
      body: `
cronium_get_input || exit 4
cronium_set_output '{"from":"bash"}' || exit 4
cronium_get_variable absent; echo "absent status $?"
cronium_get_variable 1bad 2>/dev/null; echo "CroniumError: local $?"
cronium_set_variable n '{"a":1}' || exit 4
cronium_get_variable n`,
    },
  } as const;

  async function probe(language: keyof typeof scripts, apiUrl: string, token: string) {
    const script = scripts[language];
    writeFileSync(join(dir, script.file), script.body);
    try {
      const { stdout } = await run(script.argv[0], [join(dir, script.file)], {
        cwd: dir,
        env: {
          PATH: process.env.PATH,
          NODE_PATH: join(SDK_DIR, 'node'),
          PYTHONPATH: join(SDK_DIR, 'python'),
          BASH_ENV: join(SDK_DIR, 'bash', 'cronium.sh'),
          CRONIUM_API_URL: apiUrl,
          CRONIUM_RUN_TOKEN: token,
        },
      });
      return { code: 0, lines: stdout.trim().split('\n') };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, lines: e.stdout.trim().split('\n'), stderr: e.stderr };
    }
  }

  it.each(['node', 'python', 'bash'] as const)(
    '%s: the contract over TCP and the unix socket',
    async (language) => {
      for (const url of [`http://127.0.0.1:${port}`, `unix://${socket}`]) {
        const { runId, token } = await liveToken({ k: [1, 'x'] });
        const result = await probe(language, url, token);
        const absent =
          language === 'bash' ? 'absent status 1' : language === 'node' ? 'null' : 'None';
        expect(result).toEqual({
          code: 0,
          lines: [
            '{"k":[1,"x"]}',
            absent,
            language === 'bash' ? 'CroniumError: local 2' : 'CroniumError: local',
            '{"a":1}',
          ],
        });
        const row = await t.db
          .selectFrom('runs')
          .select('output')
          .where('id', '=', runId)
          .executeTakeFirstOrThrow();
        expect(row.output).toEqual({ from: language });
      }
    },
  );

  it.each(['node', 'python', 'bash'] as const)(
    '%s: a call after the run ended fails with the API’s message',
    async (language) => {
      const { runId, attempt, token } = await liveToken();
      await finishRun(t.db, { runId, attempt, owner: 'sdk' }, { status: 'succeeded' });
      const result = await probe(language, `http://127.0.0.1:${port}`, token);
      expect(result.code).toBe(language === 'bash' ? 4 : 4);
      if (language === 'bash')
        expect(result.stderr).toMatch(/cronium: this run attempt is no longer running/);
      else expect(result.lines.at(-1)).toMatch(/^error CroniumError 403 .*no longer running/);
    },
  );

  it.each(['node', 'python', 'bash'] as const)(
    '%s: retries while the API is unreachable, then says so',
    async (language) => {
      const { token } = await liveToken();
      const closed = await freePort();
      const began = Date.now();
      const result = await probe(language, `http://127.0.0.1:${closed}`, token);
      expect(result.code).toBe(4);
      expect(Date.now() - began).toBeGreaterThan(500); // it retried with backoff
      const said = language === 'bash' ? result.stderr : result.lines.at(-1);
      expect(said).toMatch(/cannot reach the Cronium runtime API/);
    },
  );
});
