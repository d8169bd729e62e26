// executeToolAction from each SDK (Node.js, Python, Bash) against a real runtime API and a
// local webhook receiver: one of the run owner's credentials by name, the same result shape
// in every language, the owner's egress policy, a per-attempt limit and an audit entry.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { signRunToken } from '@cronium/auth';
import { SecretBox, parseMasterKey } from '@cronium/crypto';
import { insertToolCredential } from '@cronium/db';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import { claimRuns, triggerRun } from '@cronium/run-queue';
import { SDK_DIR } from '@cronium/sdk';
import { freePort } from '@cronium/service-kit/testing';
import { loadConfig } from '../config.ts';
import { createDeps, type RuntimeApiDeps } from '../deps.ts';

const exec = promisify(execFile);
const SECRET = 's'.repeat(40);
const KEY = 'ef'.repeat(32);

describe('executeToolAction from the SDKs', () => {
  let t: TestDatabase;
  let deps: RuntimeApiDeps;
  let port: number;
  let sink: Server;
  let sinkUrl: string;
  const bodies: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'cronium-tools-'));
  let admin: { userId: number; eventId: number };
  let user: { userId: number; eventId: number };

  beforeAll(async () => {
    sink = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        bodies.push(body);
        response.writeHead(body.includes('"refuse"') ? 400 : 200).end('ok');
      });
    });
    await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
    sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}/hook`;
    t = await createTestDatabase({ poolMax: 4 });
    const box = new SecretBox(parseMasterKey(KEY));
    for (const role of ['admin', 'user'] as const) {
      const userId = await insertTestUser(t.db, { role });
      const eventId = await insertTestEvent(t.db, userId, { concurrency_policy: 'allow' });
      await t.db.transaction().execute((trx) =>
        insertToolCredential(trx, box, {
          ownerId: userId,
          kind: 'webhook',
          name: 'sink',
          config: { url: sinkUrl, method: 'POST' },
        }),
      );
      if (role === 'admin') admin = { userId, eventId };
      else user = { userId, eventId };
    }
    port = await freePort();
    deps = createDeps(
      loadConfig({
        DATABASE_URL: t.url,
        CRONIUM_DATA_DIR: dir,
        CRONIUM_ENCRYPTION_KEY: KEY,
        CRONIUM_JWT_SECRET: SECRET,
        RUNTIME_API_PORT: String(port),
        RUNTIME_API_SOCKET: 'off',
        RUNTIME_API_TOOL_ACTIONS_PER_MINUTE: '4',
        LOG_LEVEL: 'silent',
      }),
      'test',
    );
    await deps.start();
  });
  afterAll(async () => {
    await deps.stop();
    await t.destroy();
    await new Promise((resolve) => sink.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  async function liveToken(owner: { userId: number; eventId: number }) {
    const { runId } = (await triggerRun(t.db, owner.eventId, { trigger: 'manual' })) as {
      runId: number;
    };
    const [claimed] = (await claimRuns(t.db, { owner: 'sdk', limit: 10, leaseMs: 60_000 })).filter(
      (c) => c.runId === runId,
    );
    const claims = {
      runId,
      attempt: claimed!.attempt,
      eventId: owner.eventId,
      userId: owner.userId,
    };
    return { runId, token: signRunToken(SECRET, claims, 60) };
  }

  const scripts = {
    node: [
      'probe.js',
      'node',
      `const cronium = require('cronium');
(async () => {
  console.log(JSON.stringify(await cronium.executeToolAction('sink', { body: process.env.BODY })));
  try { await cronium.executeToolAction('nope', { body: 'x' }); } catch (e) { console.log('error ' + e.status); }
})();`,
    ],
    python: [
      'probe.py',
      'python3',
      `import json, os, cronium
print(json.dumps(cronium.execute_tool_action("sink", {"body": os.environ["BODY"]}), separators=(",", ":")))
try:
    cronium.executeToolAction("nope", {"body": "x"})
except cronium.CroniumError as e:
    print("error %d" % e.status)`,
    ],
    bash: [
      'probe.sh',
      'bash',
      `cronium_execute_tool_action sink "{\\"body\\":$(printf '%s' "$BODY" | sed 's/"/\\\\"/g; s/^/"/; s/$/"/')}"
cronium_execute_tool_action nope '{"body":"x"}' 2>/dev/null; echo "error $?"`,
    ],
  } as const;

  async function probe(language: keyof typeof scripts, token: string, body: string) {
    const [file, interpreter, source] = scripts[language];
    writeFileSync(join(dir, file), source);
    const { stdout } = await exec(interpreter, [join(dir, file)], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        NODE_PATH: join(SDK_DIR, 'node'),
        PYTHONPATH: join(SDK_DIR, 'python'),
        BASH_ENV: join(SDK_DIR, 'bash', 'cronium.sh'),
        CRONIUM_API_URL: `http://127.0.0.1:${port}`,
        CRONIUM_RUN_TOKEN: token,
        BODY: body,
      },
    }).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
    return stdout.trim().split('\n');
  }

  it.each(['node', 'python', 'bash'] as const)(
    '%s: sends with the owner’s credential by name, and gets the same result shape',
    async (language) => {
      const { runId, token } = await liveToken(admin);
      bodies.length = 0;
      const lines = await probe(language, token, `{"from":"${language}","run":{{ run.id }}}`);
      expect(JSON.parse(lines[0]!)).toEqual({ ok: true, status: 200, detail: expect.any(String) });
      expect(bodies.map((b) => JSON.parse(b))).toEqual([{ from: language, run: runId }]);
      // An unknown credential name is the API's 404, through each SDK's own error.
      expect(lines[1]).toBe(language === 'bash' ? 'error 2' : 'error 404');
      const audit = await t.db
        .selectFrom('audit_log')
        .select(['action', 'actor_kind', 'actor_ref', 'details'])
        .where('action', '=', 'tool_action.execute')
        .where('actor_ref', 'like', `run:${runId}:%`)
        .execute();
      expect(audit).toEqual([
        expect.objectContaining({
          actor_kind: 'run',
          details: { kind: 'webhook', ok: true, status: 200 },
        }),
      ]);
    },
  );

  it('reports a refusal as a result that will not get better by trying again', async () => {
    const { token } = await liveToken(admin);
    const lines = await probe('node', token, '{"refuse": true}');
    expect(JSON.parse(lines[0]!)).toMatchObject({ ok: false, retryable: false, status: 400 });
  });

  it('sends nothing where the owner’s egress policy does not reach', async () => {
    // An ordinary user's script may not reach loopback (only what EGRESS_ALLOW lists).
    const { token } = await liveToken(user);
    bodies.length = 0;
    const lines = await probe('python', token, '{"from": "user"}');
    expect(JSON.parse(lines[0]!)).toMatchObject({ ok: false, retryable: false });
    expect(JSON.parse(lines[0]!).error).toMatch(/not allowed/);
    expect(bodies).toEqual([]);
  });

  it('limits actions per run attempt and refuses bad params with pointers', async () => {
    const { token } = await liveToken(admin);
    const send = (body: unknown) =>
      fetch(`http://127.0.0.1:${port}/v1/tool-actions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const bad = await send({ tool: 'sink', params: { body: '{{ run.id ' } });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { pointer: string }[] }).errors[0]!.pointer).toBe(
      '/body/params/body',
    );
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await send({ tool: 'sink', params: { body: `{"n": ${i}}` } })).status);
    // 4 a minute, the bad one included: the fourth and fifth wait.
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });
});
