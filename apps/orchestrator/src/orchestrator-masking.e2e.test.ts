// Finding H2: one user's huge secret variables must not take the orchestrator (and so every
// other user's runs) down, and their runs still have the secrets masked.
import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMasterKey, SecretBox } from '@cronium/crypto';
import { variableSecretAad } from '@cronium/db';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import { readRunLogs, triggerRun } from '@cronium/run-queue';
import { startOrchestrator, type OrchestratorProcess } from './orchestrator-process.test-helper.ts';

const KEY = 'ab'.repeat(32);

/** Printable ASCII: JSON and URL encodings change many characters (the costly case). */
function randomString(length: number): string {
  // One flat string (not a rope of concatenations), as a value read from the database is.
  return Buffer.from(randomBytes(length).map((byte) => 0x20 + (byte % 95))).toString('latin1');
}

describe('orchestrator process: masking huge secrets', () => {
  let t: TestDatabase;
  let orchestrator: OrchestratorProcess;
  let server: Server;
  let serverUrl: string;
  const secrets = [randomString(1_000_000), randomString(1_000_000), randomString(1_000_000)];
  const dir = mkdtempSync(join(tmpdir(), 'cronium-masking-'));
  // The scripts read the secrets from here as their owner's uid, outside any sandbox.
  chmodSync(dir, 0o755);

  beforeAll(async () => {
    t = await createTestDatabase();
    // The HTTP event's server is on loopback, an internal address the egress policy keeps
    // from ordinary users unless it is listed.
    orchestrator = await startOrchestrator(t.url, 'orch-masking', {
      EGRESS_ALLOW: '127.0.0.1',
      // The secrets are files of this test's: a bubblewrap sandbox gives scripts a private /tmp.
      ORCHESTRATOR_LOCAL_SANDBOX: 'off',
    });
    server = createServer((req, res) =>
      res.writeHead(200).end(`body ${secrets[2]!.slice(0, 5000)} end`),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    serverUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    const { code } = await orchestrator.stop();
    server.close();
    await t.destroy();
    expect(code).toBe(0);
  });

  async function waitForRun(runId: number, timeoutMs = 90_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const run = await t.db
        .selectFrom('runs')
        .selectAll()
        .where('id', '=', runId)
        .executeTakeFirstOrThrow();
      if (['succeeded', 'failed', 'timed_out', 'cancelled'].includes(run.status)) return run;
      if (Date.now() > deadline)
        throw new Error(`run ${runId} is ${run.status}\n${orchestrator.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('keeps running with 3 secret variables of 1,000,000 characters, and masks them', async () => {
    const pid = orchestrator.child.pid;
    const box = new SecretBox(parseMasterKey(KEY));
    const userA = await insertTestUser(t.db);
    const userB = await insertTestUser(t.db);
    // Straight into the table, as a user could have stored them before any size limit.
    await t.db
      .insertInto('variables')
      .values(
        secrets.map((value, i) => ({
          owner_id: userA,
          key: `BIG_${i}`,
          is_secret: true,
          value: null,
          value_encrypted: box.encrypt(value, variableSecretAad(userA, `BIG_${i}`)),
        })),
      )
      .execute();
    for (const [i, value] of secrets.entries())
      writeFileSync(join(dir, `s${i}`), value, { mode: 0o644 });

    // A prints the first secret whole (one line of 1 MB), the second in wrapped base64.
    const eventA = await insertTestEvent(t.db, userA, {
      script: `cat ${dir}/s0; echo; head -c 3000 ${dir}/s1 | base64; echo "#done-a"`,
      timeout_seconds: 120,
    });
    const httpA = await insertTestEvent(t.db, userA, {
      type: 'http',
      script: '',
      http_method: 'GET',
      http_url: `${serverUrl}/echo`,
    });
    const eventB = await insertTestEvent(t.db, userB, { script: 'echo hello-b' });
    const runs = [];
    for (const eventId of [eventA, httpA, eventB]) {
      const result = await triggerRun(t.db, eventId, { trigger: 'manual' });
      if (result.outcome !== 'enqueued') throw new Error('not enqueued');
      runs.push(result.runId);
    }
    const [runA, runHttp, runB] = runs as [number, number, number];

    const b = await waitForRun(runB);
    expect(b.status).toBe('succeeded');
    expect((await readRunLogs(t.db, runB)).map((l) => l.data)).toEqual(['hello-b']);

    const a = await waitForRun(runA);
    expect(a.status).toBe('succeeded');
    const logA = (await readRunLogs(t.db, runA, 0, 100_000)).map((l) => l.data);
    expect(logA.at(-1)).toBe('#done-a');
    const storedA = logA.join('\n');
    expect(storedA.length).toBeLessThan(1000);
    expect(storedA).not.toContain(secrets[0]!.slice(500, 540));
    const decoded = logA
      .join('')
      .split('***')
      .map((part) => Buffer.from(part, 'base64').toString('latin1'))
      .join('|');
    expect(decoded).not.toContain(secrets[1]!.slice(100, 140));

    const http = await waitForRun(runHttp);
    expect(http.status).toBe('succeeded');
    const result = JSON.stringify(http.result);
    // The masker takes the longest run of the secret it sees: when the secret's next character
    // happens to be a space (1 in 95), the body's space after the slice is masked with it.
    expect(result).toContain(secrets[2]![5000] === ' ' ? 'body ***end' : 'body *** end');
    expect(result).not.toContain(JSON.stringify(secrets[2]!.slice(0, 40)).slice(1, -1));

    expect(orchestrator.child.pid).toBe(pid);
    expect(orchestrator.child.exitCode).toBeNull();
    const health = await fetch(`http://127.0.0.1:${orchestrator.port}/health`);
    expect(health.status).toBe(200);
  }, 180_000);
});
