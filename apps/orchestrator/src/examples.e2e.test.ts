// The example catalogue (packages/sdk/examples) run end to end in every executor: a real
// runtime API process, a real orchestrator, real containers and a real sshd. Each script
// uses the SDK of its language; the expectations are the catalogue's. The tool action
// examples send a signed webhook, with their owner's credential, to a receiver on loopback.
import { execFileSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { SecretBox, parseMasterKey } from '@cronium/crypto';
import {
  insertServer,
  insertToolCredential,
  sealEventSecretEnv,
  variableSecretAad,
} from '@cronium/db';
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
import { readRunLogs, triggerRun } from '@cronium/run-queue';
import { SDK_DIR } from '@cronium/sdk';
import {
  freePort,
  spawnService,
  waitForStatus,
  type ServiceProcess,
} from '@cronium/service-kit/testing';
import { startOrchestrator, type OrchestratorProcess } from './orchestrator-process.test-helper.ts';

interface Example {
  name: string;
  file: string;
  type: 'bash' | 'python' | 'node';
  input?: unknown;
  runs?: number;
  minNode?: number;
  concurrencyPolicy?: 'allow' | 'queue';
  expect: {
    status: string;
    exitCode?: number;
    stdout?: string[];
    stderr?: string[];
    stdoutLines?: number;
    output?: unknown;
    condition?: boolean;
    variables?: Record<string, string>;
    context?: boolean;
    minDurationMs?: number;
    /** The body the receiver must get once per run, `{{ run.id }}` standing for the run's id. */
    webhook?: { body: string };
  };
}

/** A request the webhook receiver got. */
interface Delivery {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const EXAMPLES_DIR = join(SDK_DIR, '..', 'examples');
const catalogue = (
  JSON.parse(readFileSync(join(EXAMPLES_DIR, 'catalogue.json'), 'utf8')) as { examples: Example[] }
).examples;
const KEY = 'ab'.repeat(32);
const JWT = 'j'.repeat(40);
const WEBHOOK_CREDENTIAL = 'examples webhook';
const WEBHOOK_PATH = '/hooks/examples';
const SIGNING_SECRET = 'examples-signing-secret';
const hasDocker = existsSync('/var/run/docker.sock') || process.env.CI === 'true';
const hasSshd = privateSshdAvailable() || process.env.CI === 'true';
const remoteNodeMajor = (() => {
  try {
    return Number(/^v(\d+)/.exec(execFileSync('node', ['--version']).toString())![1]);
  } catch {
    return 0;
  }
})();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What is wrong with a webhook request, as the credential describes it; undefined when nothing. */
function deliveryProblem(delivery: Delivery): string | undefined {
  const { method, url, headers, body } = delivery;
  if (method !== 'POST' || url !== WEBHOOK_PATH) return `webhook request ${method} ${url}`;
  if (headers['content-type'] !== 'application/json')
    return `webhook content-type ${headers['content-type']}`;
  const timestamp = Number(headers['x-cronium-timestamp']);
  if (!Number.isInteger(timestamp) || Math.abs(Date.now() / 1000 - timestamp) > 300)
    return `webhook timestamp ${headers['x-cronium-timestamp']}`;
  const signature = `sha256=${createHmac('sha256', SIGNING_SECRET).update(`${timestamp}.${body}`).digest('hex')}`;
  if (headers['x-cronium-signature'] !== signature)
    return `webhook signature ${headers['x-cronium-signature']}, expected ${signature}`;
  return undefined;
}

/** `expected` appears in `lines` in this order (other lines may come between). */
function inOrder(lines: string[], expected: string[]): boolean {
  let at = 0;
  for (const line of lines) if (line === expected[at]) at += 1;
  return at === expected.length;
}

describe('the example catalogue in every executor', () => {
  let t: TestDatabase;
  let runtimeApi: ServiceProcess;
  let orchestrator: OrchestratorProcess;
  let sshd: PrivateSshd | undefined;
  let receiverUrl: string;
  const deliveries: Delivery[] = [];
  const receiver = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      deliveries.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  const dataDir = mkdtempSync(join(tmpdir(), 'cronium-examples-'));
  const box = new SecretBox(parseMasterKey(KEY));

  beforeAll(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const receiverPort = (receiver.address() as AddressInfo).port;
    receiverUrl = `http://127.0.0.1:${receiverPort}${WEBHOOK_PATH}`;
    t = await createTestDatabase({ poolMax: 5 });
    const apiPort = await freePort();
    const shared = {
      DATABASE_URL: t.url,
      CRONIUM_DATA_DIR: dataDir,
      CRONIUM_ENCRYPTION_KEY: KEY,
      CRONIUM_JWT_SECRET: JWT,
      LOG_LEVEL: 'warn',
    };
    runtimeApi = spawnService(join(__dirname, '..', '..', 'runtime-api', 'src', 'main.ts'), {
      ...shared,
      RUNTIME_API_PORT: String(apiPort),
      // The test users are ordinary users, whom the egress policy keeps from loopback: this
      // lets their tool actions reach the receiver's port, and nothing else there.
      EGRESS_ALLOW: `127.0.0.1:${receiverPort}`,
    });
    await waitForStatus(`http://127.0.0.1:${apiPort}/ready`, 200, {
      process: runtimeApi,
      timeoutMs: 30_000,
    });
    orchestrator = await startOrchestrator(t.url, 'examples', {
      ...shared,
      RUNTIME_API_URL: `http://127.0.0.1:${apiPort}`,
      ORCHESTRATOR_CONTAINERS: hasDocker ? 'on' : 'off',
      // The test sshd is on loopback, which the egress policy keeps from ordinary users.
      EGRESS_ALLOW: '127.0.0.1',
    });
    if (hasSshd) sshd = await startPrivateSshd();
  }, 90_000);
  afterAll(async () => {
    await orchestrator?.stop(10_000);
    await runtimeApi?.stop(10_000);
    await sshd?.stop();
    await t.destroy();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function runCatalogue(target: 'local' | 'container' | 'ssh') {
    const userId = await insertTestUser(t.db);
    await t.db.transaction().execute((trx) =>
      insertToolCredential(trx, box, {
        ownerId: userId,
        kind: 'webhook',
        name: WEBHOOK_CREDENTIAL,
        config: { url: receiverUrl, method: 'POST', signingSecret: SIGNING_SECRET },
      }),
    );
    deliveries.length = 0;
    const server =
      target === 'ssh'
        ? await insertServer(t.db, box, {
            ownerId: userId,
            name: 'examples-ssh',
            host: sshd!.host,
            port: sshd!.port,
            username: sshd!.username,
            authMethod: 'private_key',
            credential: sshd!.privateKey,
            hostKeyFingerprint: sshd!.hostKeyFingerprint,
          })
        : undefined;
    const examples = catalogue.filter(
      (e) => !(target === 'ssh' && e.minNode && remoteNodeMajor < e.minNode),
    );
    const started: { example: Example; runIds: number[] }[] = [];
    for (const example of examples) {
      const eventId = await insertTestEvent(t.db, userId, {
        name: example.name,
        type: example.type,
        script: readFileSync(join(EXAMPLES_DIR, example.file), 'utf8'),
        target_kind: target,
        concurrency_policy: example.concurrencyPolicy ?? 'allow',
        timeout_seconds: 60,
      });
      if (server)
        await t.db
          .insertInto('event_servers')
          .values({ event_id: eventId, server_id: server.id })
          .execute();
      const runIds: number[] = [];
      for (let i = 0; i < (example.runs ?? 1); i++) {
        const result = await triggerRun(t.db, eventId, {
          trigger: 'manual',
          input: example.input ?? null,
        });
        if (result.outcome !== 'enqueued') throw new Error(`${example.name}: ${result.reason}`);
        runIds.push(result.runId);
      }
      started.push({ example, runIds });
    }
    const all = started.flatMap((s) => s.runIds);
    const deadline = Date.now() + 90_000;
    for (;;) {
      const open = await t.db
        .selectFrom('runs')
        .select('id')
        .where('id', 'in', all)
        .where('status', 'in', ['queued', 'running', 'scheduled', 'cancelling'])
        .execute();
      if (open.length === 0) break;
      if (Date.now() > deadline) throw new Error(`${open.length} runs still open`);
      await sleep(100);
    }
    const problems: string[] = [];
    for (const { example, runIds } of started) {
      const expect_ = example.expect;
      for (const runId of runIds) {
        const run = await t.db
          .selectFrom('runs')
          .selectAll()
          .where('id', '=', runId)
          .executeTakeFirstOrThrow();
        const logs = await readRunLogs(t.db, runId, 0, 100_000);
        const stdout = logs.filter((l) => l.stream === 'stdout').map((l) => l.data);
        const stderr = logs.filter((l) => l.stream === 'stderr').map((l) => l.data);
        const fail = (what: string) =>
          problems.push(
            `${target} / ${example.name} (run ${runId}): ${what}\n  status ${run.status} ${run.error ?? ''}\n  stdout ${JSON.stringify(stdout.slice(0, 10))}\n  stderr ${JSON.stringify(stderr.slice(0, 10))}`,
          );
        if (run.status !== expect_.status) fail(`status ${run.status}, expected ${expect_.status}`);
        if (expect_.exitCode !== undefined && run.exit_code !== expect_.exitCode)
          fail(`exit code ${run.exit_code}`);
        if (expect_.stdout && !inOrder(stdout, expect_.stdout)) fail('stdout');
        if (expect_.stderr && !inOrder(stderr, expect_.stderr)) fail('stderr');
        if (expect_.stdoutLines !== undefined && stdout.length !== expect_.stdoutLines)
          fail(`${stdout.length} stdout lines`);
        if ('output' in expect_ && !isDeepStrictEqual(run.output, expect_.output))
          fail(`output ${JSON.stringify(run.output)}`);
        if (expect_.condition !== undefined && run.condition !== expect_.condition)
          fail(`condition ${run.condition}`);
        if (expect_.minDurationMs && (run.duration_ms ?? 0) < expect_.minDurationMs)
          fail(`duration ${run.duration_ms} ms`);
        if (expect_.context) {
          const context = run.output as {
            event: { name: string; type: string };
            run: { id: number; attempt: number; trigger: string };
            userId: number;
            server: { name: string } | null;
          };
          if (
            context?.event?.name !== example.name ||
            context.event.type !== example.type ||
            context.run.id !== runId ||
            context.run.attempt !== 1 ||
            context.run.trigger !== 'manual' ||
            context.userId !== userId ||
            (target === 'ssh' ? context.server?.name !== 'examples-ssh' : context.server !== null)
          )
            fail(`context ${JSON.stringify(context)}`);
        }
        if (expect_.webhook) {
          const body = expect_.webhook.body.replace('{{ run.id }}', String(runId));
          const received = deliveries.filter((d) => d.body === body);
          if (received.length !== 1) fail(`${received.length} webhook requests with ${body}`);
          for (const delivery of received) {
            const problem = deliveryProblem(delivery);
            if (problem) fail(problem);
          }
        }
      }
      for (const [key, value] of Object.entries(expect_.variables ?? {})) {
        const row = await t.db
          .selectFrom('variables')
          .select('value')
          .where('owner_id', '=', userId)
          .where('key', '=', key)
          .executeTakeFirst();
        if (row?.value !== value)
          problems.push(
            `${target} / ${example.name}: variable ${key} is ${JSON.stringify(row?.value)}`,
          );
      }
    }
    // Every executor runs the tool action examples (none is filtered out above), and the
    // receiver got exactly one request per run: none twice, none with another body.
    const webhookRuns = started
      .filter((s) => s.example.expect.webhook)
      .reduce((n, s) => n + s.runIds.length, 0);
    const cataloguedRuns = catalogue
      .filter((e) => e.expect.webhook)
      .reduce((n, e) => n + (e.runs ?? 1), 0);
    if (webhookRuns !== cataloguedRuns) problems.push(`${target}: ${webhookRuns} tool action runs`);
    if (deliveries.length !== webhookRuns)
      problems.push(
        `${target}: the receiver got ${deliveries.length} requests for ${webhookRuns} runs: ${JSON.stringify(deliveries.map((d) => d.body))}`,
      );
    expect(problems).toEqual([]);
    return examples.length;
  }

  it('runs every example as a local process', async () => {
    expect(await runCatalogue('local')).toBe(catalogue.length);
  }, 120_000);

  (hasDocker ? it : it.skip)(
    'runs every example in a container (network none, unix socket)',
    async () => {
      expect(await runCatalogue('container')).toBe(catalogue.length);
    },
    120_000,
  );

  (hasSshd ? it : it.skip)(
    'runs every example over SSH (reverse port forward)',
    async () => {
      expect(await runCatalogue('ssh')).toBeGreaterThanOrEqual(catalogue.length - 1);
    },
    120_000,
  );

  it('masks the run token in the run’s log', async () => {
    const userId = await insertTestUser(t.db);
    const eventId = await insertTestEvent(t.db, userId, {
      script: 'echo "token=$CRONIUM_RUN_TOKEN"; echo "$CRONIUM_RUN_TOKEN" | cut -c1-10',
      target_kind: 'local',
    });
    const { runId } = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number };
    for (let i = 0; i < 200; i++) {
      const run = await t.db
        .selectFrom('runs')
        .select('status')
        .where('id', '=', runId)
        .executeTakeFirstOrThrow();
      if (run.status === 'succeeded') break;
      await sleep(50);
    }
    const lines = (await readRunLogs(t.db, runId)).map((l) => l.data);
    expect(lines[0]).toBe('token=***');
    expect(lines[1]).toMatch(/^eyJ/); // a prefix alone is not the secret; only the whole is masked
  });

  it('masks secrets in every form before they are stored, even split across writes', async () => {
    const userId = await insertTestUser(t.db);
    const envSecret = 'env-secret-Qx7!value';
    const variableSecret = 'var secret/with+chars=ok';
    await t.db
      .insertInto('variables')
      .values({
        owner_id: userId,
        key: 'vault',
        is_secret: true,
        value_encrypted: box.encrypt(variableSecret, variableSecretAad(userId, 'vault')),
      })
      .execute();
    const eventId = await insertTestEvent(t.db, userId, {
      target_kind: 'local',
      script: [
        'echo "raw $API_KEY"',
        'printf "split %s" "${API_KEY:0:7}"; sleep 0.2; printf "%s end\\n" "${API_KEY:7}"',
        'printf "b64 %s\\n" "$(printf "xx%s" "$API_KEY" | base64 -w0)"',
        "python3 -c \"import json,os,urllib.parse; v=os.environ['API_KEY']; print('json', json.dumps(v)); print('url', urllib.parse.quote(v, safe=''))\"",
        'echo "var $(cronium_get_variable vault)"',
        'echo "not a secret: hello"',
      ].join('\n'),
    });
    await t.db
      .updateTable('events')
      .set({
        secret_env_encrypted: sealEventSecretEnv(box, eventId, { API_KEY: envSecret }),
      })
      .where('id', '=', eventId)
      .execute();
    const { runId } = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number };
    for (let i = 0; i < 200; i++) {
      const run = await t.db
        .selectFrom('runs')
        .select('status')
        .where('id', '=', runId)
        .executeTakeFirstOrThrow();
      if (run.status === 'succeeded' || run.status === 'failed') break;
      await sleep(50);
    }
    const text = (await readRunLogs(t.db, runId)).map((l) => l.data).join('\n');
    expect(text).toContain('not a secret: hello');
    expect(text).toMatch(/raw \*\*\*/);
    expect(text).toMatch(/split \*\*\* end/);
    expect(text).toMatch(/var \*\*\*/);
    for (const secret of [envSecret, variableSecret])
      for (const form of [
        secret,
        JSON.stringify(secret).slice(1, -1),
        encodeURIComponent(secret),
        // Python's quote(safe=''): encodeURIComponent plus !'()* escaped.
        encodeURIComponent(secret).replace(
          /[!'()*]/g,
          (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
        ),
        Buffer.from('xx' + secret)
          .toString('base64')
          .slice(4, -4),
      ])
        expect(text).not.toContain(form);
  });
});
