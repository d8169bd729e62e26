import { SecretBox, parseMasterKey } from '@cronium/crypto';
import { variableSecretAad } from '@cronium/db';
import { request as httpRequest } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import fc from 'fast-check';
import { signRunToken } from '@cronium/auth';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import { claimRuns, finishRun, triggerRun } from '@cronium/run-queue';
import { startPrivateValkey, valkeyServerBinary } from '@cronium/run-events/testing';
import { freePort } from '@cronium/service-kit/testing';
import { loadConfig } from '../config.ts';
import { createDeps, type RuntimeApiDeps } from '../deps.ts';

const SECRET = 'j'.repeat(40);
const KEY = 'cd'.repeat(32);

describe('runtime API v1 (real database, inject)', () => {
  let t: TestDatabase;
  let deps: RuntimeApiDeps;
  let userId: number;
  let otherUserId: number;
  let eventId: number;
  const dataDir = mkdtempSync(join(tmpdir(), 'cronium-rt-'));

  beforeAll(async () => {
    t = await createTestDatabase({ poolMax: 4 });
    userId = await insertTestUser(t.db);
    otherUserId = await insertTestUser(t.db);
    eventId = await insertTestEvent(t.db, userId, {
      name: 'context probe',
      tags: ['nightly', 'etl'],
      concurrency_policy: 'allow',
    });
    deps = createDeps(
      loadConfig({
        DATABASE_URL: t.url,
        CRONIUM_DATA_DIR: dataDir,
        CRONIUM_ENCRYPTION_KEY: KEY,
        CRONIUM_JWT_SECRET: SECRET,
        RUNTIME_API_SOCKET: join(dataDir, 'run', 'api.sock'),
        // Any free port: the test starts the TCP listener too, and the default may be taken.
        RUNTIME_API_PORT: String(await freePort()),
        RUNTIME_API_RATE_PER_SECOND: '5',
        RUNTIME_API_RATE_BURST: '1000',
        RUNTIME_API_BODY_LIMIT_BYTES: '4096',
        LOG_LEVEL: 'silent',
      }),
      'test',
    );
    await deps.ready();
  });
  afterAll(async () => {
    await deps.stop();
    await t.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A run of the event, claimed (running, leased) like an orchestrator would. */
  async function runningRun(input: unknown = null, event = eventId, owner = userId) {
    const { runId } = (await triggerRun(t.db, event, { trigger: 'manual', input })) as {
      runId: number;
    };
    const claimed = await claimRuns(t.db, { owner: 'test-orch', limit: 100, leaseMs: 60_000 });
    const run = claimed.find((c) => c.runId === runId)!;
    const token = signRunToken(
      SECRET,
      { runId, attempt: run.attempt, eventId: event, userId: owner },
      300,
    );
    return { runId, attempt: run.attempt, token };
  }
  const call = (
    method: 'GET' | 'PUT' | 'POST' | 'DELETE',
    url: string,
    token: string | undefined,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    deps.service.http.app.inject({
      method,
      url,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined
        ? { payload: typeof body === 'string' ? body : JSON.stringify(body) }
        : {}),
    });
  const runRow = (id: number) =>
    t.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  it('hands the script its input, and keeps its output and condition on the run', async () => {
    const { runId, token } = await runningRun({ orders: [1, 2, 3], note: 'ünï' });
    expect((await call('GET', '/v1/input', token)).json()).toEqual({
      input: { orders: [1, 2, 3], note: 'ünï' },
    });
    expect((await call('GET', '/v1/condition', token)).json()).toEqual({ condition: null });
    expect((await call('PUT', '/v1/output', token, { output: { total: 6 } })).statusCode).toBe(200);
    expect((await call('PUT', '/v1/condition', token, { condition: true })).statusCode).toBe(200);
    expect((await call('GET', '/v1/condition', token)).json()).toEqual({ condition: true });
    const row = await runRow(runId);
    expect(row.output).toEqual({ total: 6 });
    expect(row.condition).toBe(true);
  });

  it('reads and writes the owner’s variables, audited, and nothing of another user', async () => {
    const { token, runId } = await runningRun();
    const missing = await call('GET', '/v1/variables/counter', token);
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await call('PUT', '/v1/variables/counter', token, { value: '41' })).statusCode).toBe(
      200,
    );
    expect((await call('PUT', '/v1/variables/counter', token, { value: '42' })).statusCode).toBe(
      200,
    );
    expect((await call('GET', '/v1/variables/counter', token)).json()).toEqual({
      key: 'counter',
      value: '42',
    });
    const audit = await t.db
      .selectFrom('audit_log')
      .selectAll()
      .where('actor_ref', 'like', `run:${runId}:%`)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => [a.actor_kind, a.action, a.target_id])).toEqual([
      ['run', 'variable.create', 'counter'],
      ['run', 'variable.update', 'counter'],
    ]);
    // Another user's run sees its own namespace.
    const otherEvent = await insertTestEvent(t.db, otherUserId, { concurrency_policy: 'allow' });
    const other = await runningRun(null, otherEvent, otherUserId);
    expect((await call('GET', '/v1/variables/counter', other.token)).statusCode).toBe(404);
  });

  it('refuses to store a secret variable value that could not be masked (L4d)', async () => {
    const { token } = await runningRun();
    const box = new SecretBox(parseMasterKey(KEY));
    await t.db
      .insertInto('variables')
      .values({
        owner_id: userId,
        key: 'api_secret',
        is_secret: true,
        value: null,
        value_encrypted: box.encrypt('long enough', variableSecretAad(userId, 'api_secret')),
      })
      .execute();
    // (Values over the secret maximum are refused the same way; this test app's body limit is
    // below it, so the public API's test covers that side.)
    for (const value of ['abc', '']) {
      const answer = await call('PUT', '/v1/variables/api_secret', token, { value });
      expect(answer.statusCode).toBe(422);
      expect(answer.json().errors[0].pointer).toBe('/body/value');
    }
    expect(
      (await call('PUT', '/v1/variables/api_secret', token, { value: 'fine-value' })).statusCode,
    ).toBe(200);
    // A variable that is not secret takes any value.
    expect((await call('PUT', '/v1/variables/plain', token, { value: 'abc' })).statusCode).toBe(
      200,
    );
  });

  it('answers 400 for output that PostgreSQL or a recursive reader could not take (L8)', async () => {
    const { token } = await runningRun();
    // Deeper than anything needs (and a recursive walk of a deeper one overflows the stack).
    const deep = '['.repeat(2_000) + ']'.repeat(2_000);
    const nested = await deps.service.http.app.inject({
      method: 'PUT',
      url: '/v1/output',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: `{"output":${deep}}`,
    });
    expect(nested.statusCode).toBe(400);
    expect(nested.json().detail).toMatch(/nested more than 64 levels/);
    const nul = await call('PUT', '/v1/output', token, { output: { a: ['ok', 'x\u0000y'] } });
    expect(nul.statusCode).toBe(400);
    expect(nul.json().errors[0].pointer).toBe('/body/output/a/1');
  });

  it('describes the run in its context', async () => {
    const { runId, attempt, token } = await runningRun({ a: 1 });
    expect((await call('GET', '/v1/context', token)).json()).toEqual({
      event: { id: eventId, name: 'context probe', type: 'bash', tags: ['nightly', 'etl'] },
      run: { id: runId, attempt, trigger: 'manual', scheduledFor: null, inputSize: 8 },
      userId,
      server: null,
      workflow: null,
    });
  });

  describe('refuses every token but the live attempt’s, and changes nothing', () => {
    let live: { runId: number; attempt: number; token: string };
    beforeAll(async () => {
      live = await runningRun();
    });
    const claims = () => ({ att: live.attempt, evt: eventId, uid: userId });
    const options = (extra: jwt.SignOptions = {}): jwt.SignOptions => ({
      algorithm: 'HS256',
      issuer: 'cronium-orchestrator',
      audience: 'cronium-runtime-api',
      subject: `run:${live.runId}`,
      expiresIn: 300,
      ...extra,
    });
    const forged: [string, () => string | undefined, number][] = [
      ['no token', () => undefined, 401],
      ['garbage', () => 'not-a-jwt', 401],
      ['another secret', () => jwt.sign(claims(), 'x'.repeat(40), options()), 401],
      [
        'an expired token',
        () => {
          const { expiresIn: _drop, ...rest } = options();
          return jwt.sign({ ...claims(), exp: Math.floor(Date.now() / 1000) - 10 }, SECRET, rest);
        },
        401,
      ],
      [
        'a wrong audience',
        () => jwt.sign(claims(), SECRET, options({ audience: 'cronium-web' })),
        401,
      ],
      ['a wrong issuer', () => jwt.sign(claims(), SECRET, options({ issuer: 'someone' })), 401],
      ['alg none', () => jwt.sign(claims(), '', { ...options(), algorithm: 'none' }), 401],
      [
        'a tampered signature',
        () => {
          const token = jwt.sign(claims(), SECRET, options());
          const last = token.at(-2) === 'A' ? 'B' : 'A';
          return token.slice(0, -2) + last + token.at(-1);
        },
        401,
      ],
      [
        'a tampered payload',
        () => {
          const [h, , s] = jwt.sign(claims(), SECRET, options()).split('.');
          const body = Buffer.from(
            JSON.stringify({ ...claims(), uid: otherUserId, sub: `run:${live.runId}` }),
          ).toString('base64url');
          return `${h}.${body}.${s}`;
        },
        401,
      ],
      [
        'another attempt of the run',
        () => jwt.sign({ ...claims(), att: live.attempt + 1 }, SECRET, options()),
        403,
      ],
      [
        'the right run for another user',
        () => jwt.sign({ ...claims(), uid: otherUserId }, SECRET, options()),
        403,
      ],
    ];
    it.each(forged)('%s', async (_name, token, status) => {
      const before = await runRow(live.runId);
      for (const [method, url, body] of [
        ['GET', '/v1/input', undefined],
        ['PUT', '/v1/output', { output: 'hacked' }],
        ['PUT', '/v1/variables/stolen', { value: 'x' }],
        ['GET', '/v1/context', undefined],
      ] as const) {
        const response = await call(method, url, token(), body);
        expect([method, url, response.statusCode]).toEqual([method, url, status]);
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      }
      expect((await runRow(live.runId)).output).toEqual(before.output);
      expect(
        await t.db.selectFrom('variables').select('id').where('key', '=', 'stolen').execute(),
      ).toEqual([]);
    });

    it('a token stops working the moment its run ends', async () => {
      const ended = await runningRun();
      expect((await call('GET', '/v1/input', ended.token)).statusCode).toBe(200);
      await finishRun(
        t.db,
        { runId: ended.runId, attempt: ended.attempt, owner: 'test-orch' },
        { status: 'succeeded', exitCode: 0 },
      );
      const after = await call('PUT', '/v1/output', ended.token, { output: 'late' });
      expect(after.statusCode).toBe(403);
      expect(after.json().detail).toMatch(/no longer running/);
      expect((await runRow(ended.runId)).output).toBeNull();
    });

    it('a token stops working when its attempt loses the lease', async () => {
      const lost = await runningRun();
      await t.db
        .updateTable('runs')
        .set({ lease_expires_at: new Date(Date.now() - 1000) })
        .where('id', '=', lost.runId)
        .execute();
      expect((await call('GET', '/v1/input', lost.token)).statusCode).toBe(403);
    });
  });

  it('refuses bad bodies with 4xx problem+json and writes nothing', async () => {
    const { runId, token } = await runningRun();
    const cases: [string, string | object, Record<string, string>, number][] = [
      ['/v1/output', '{"output": ', {}, 400],
      ['/v1/output', { output: 1, extra: true }, {}, 400],
      ['/v1/output', {}, {}, 400],
      ['/v1/condition', { condition: 'yes' }, {}, 400],
      ['/v1/variables/ok', { value: 12 }, {}, 400],
      ['/v1/variables/bad key!', { value: 'x' }, {}, 400],
      ['/v1/output', { output: 'x'.repeat(5000) }, {}, 413],
      ['/v1/output', { output: { nested: ['a\u0000b'] } }, {}, 400],
      ['/v1/variables/ok', { value: 'a\u0000b' }, {}, 400],
      ['/v1/output', 'output=1', { 'content-type': 'text/plain' }, 415],
    ];
    for (const [url, body, headers, status] of cases) {
      const response = await call('PUT', url, token, body, headers);
      expect([url, response.statusCode]).toEqual([url, status]);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    }
    const row = await runRow(runId);
    expect([row.output, row.condition]).toEqual([null, null]);
  });

  it('holds every route to 4xx on arbitrary input, writing nothing (property)', async () => {
    const { runId, token } = await runningRun();
    const variablesBefore = await t.db.selectFrom('variables').select('id').execute();
    const json = fc.jsonValue();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'PUT', 'POST', 'DELETE'),
        fc.constantFrom(
          '/v1/input',
          '/v1/output',
          '/v1/condition',
          '/v1/variables/',
          '/v1/context',
          '/v1/variables/a b',
          '/v1/',
        ),
        fc.string({ maxLength: 20 }),
        fc.oneof(
          fc.string({ maxLength: 200 }),
          json.map((v) => JSON.stringify(v)),
          fc.record({ output: json, junk: json }).map((v) => JSON.stringify(v)),
          fc.record({ condition: json }).map((v) => JSON.stringify(v)),
          fc.record({ value: json }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
        ),
        fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', ''),
        async (method, route, suffix, body, contentType) => {
          // A body that is valid for its route would be a legitimate write; skip those.
          const url = route + encodeURIComponent(suffix);
          const response = await deps.service.http.app.inject({
            method,
            url,
            headers: {
              authorization: `Bearer ${token}`,
              ...(contentType ? { 'content-type': contentType } : {}),
            },
            ...(method === 'GET' ? {} : { payload: body }),
          });
          expect(response.statusCode).toBeLessThan(500);
          if (response.statusCode >= 400)
            expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
        },
      ),
      { numRuns: 300 },
    );
    // Every write the property made was a valid one; nothing invalid got in.
    const row = await runRow(runId);
    expect(row.condition === null || typeof row.condition === 'boolean').toBe(true);
    const variablesAfter = await t.db.selectFrom('variables').select(['id', 'key']).execute();
    for (const v of variablesAfter.slice(variablesBefore.length))
      expect(v.key).toMatch(/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/);
  }, 60_000);

  it('rate-limits a run with 429 and Retry-After', async () => {
    const limited = createDeps(
      loadConfig({
        DATABASE_URL: t.url,
        CRONIUM_DATA_DIR: dataDir,
        CRONIUM_ENCRYPTION_KEY: KEY,
        CRONIUM_JWT_SECRET: SECRET,
        RUNTIME_API_SOCKET: 'off',
        RUNTIME_API_RATE_PER_SECOND: '1',
        RUNTIME_API_RATE_BURST: '3',
        LOG_LEVEL: 'silent',
      }),
      'test',
    );
    await limited.ready();
    try {
      const { token } = await runningRun();
      const statuses: number[] = [];
      let retryAfter: string | undefined;
      for (let i = 0; i < 5; i++) {
        const response = await limited.service.http.app.inject({
          method: 'GET',
          url: '/v1/input',
          headers: { authorization: `Bearer ${token}` },
        });
        statuses.push(response.statusCode);
        if (response.statusCode === 429) retryAfter = response.headers['retry-after'] as string;
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.stop();
    }
  });

  (valkeyServerBinary() || process.env.CI === 'true' ? it : it.skip)(
    'shares rate limits across processes through Valkey, and keeps serving when Valkey dies',
    async () => {
      const valkey = await startPrivateValkey();
      const make = () =>
        createDeps(
          loadConfig({
            DATABASE_URL: t.url,
            CRONIUM_DATA_DIR: dataDir,
            CRONIUM_ENCRYPTION_KEY: KEY,
            CRONIUM_JWT_SECRET: SECRET,
            RUNTIME_API_SOCKET: 'off',
            RUNTIME_API_RATE_PER_SECOND: '1',
            RUNTIME_API_RATE_BURST: '4',
            VALKEY_URL: valkey.url,
            LOG_LEVEL: 'silent',
          }),
          'test',
        );
      const a = make();
      const b = make();
      await Promise.all([a.ready(), b.ready()]);
      try {
        const { token } = await runningRun();
        const get = (d: RuntimeApiDeps) =>
          d.service.http.app.inject({
            method: 'GET',
            url: '/v1/input',
            headers: { authorization: `Bearer ${token}` },
          });
        const ready = async (d: RuntimeApiDeps) =>
          (await d.service.http.app.inject({ method: 'GET', url: '/ready' })).json() as {
            details: Record<string, { status: string }>;
          };
        for (let i = 0; i < 50 && (await ready(a)).details.valkey?.status !== 'healthy'; i++)
          await new Promise((r) => setTimeout(r, 50));
        // One bucket for both processes: 4 calls in all, then 429.
        const statuses = [];
        for (const d of [a, b, a, b, a, b]) statuses.push((await get(d)).statusCode);
        expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
        await valkey.kill();
        for (let i = 0; i < 100 && (await ready(a)).details.valkey?.status !== 'degraded'; i++)
          await new Promise((r) => setTimeout(r, 50));
        const degraded = await ready(a);
        expect(degraded.details.valkey?.status).toBe('degraded');
        // Calls go on, limited per process meanwhile.
        expect((await get(a)).statusCode).toBe(200);
      } finally {
        await a.stop();
        await b.stop();
        await valkey.stop();
      }
    },
  );

  it('serves the same API on its unix socket', async () => {
    await deps.start();
    const { token } = await runningRun({ via: 'socket' });
    const body = await new Promise<string>((resolve, reject) => {
      const req = httpRequest(
        {
          socketPath: join(dataDir, 'run', 'api.sock'),
          path: '/v1/input',
          headers: { authorization: `Bearer ${token}` },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(JSON.parse(body)).toEqual({ input: { via: 'socket' } });
  });
});
