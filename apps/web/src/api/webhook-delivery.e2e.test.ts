// Requests to webhooks' URLs, end to end over real HTTP with real runs (local bash events):
// signed and bearer requests start a run with the request as its input; every kind of bad
// request is refused with problem+json, audited and starts nothing; retries and replays
// answer the same run; rate limits; ?wait answers the output; a rotated secret's grace.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { createDatabase } from '@cronium/db';
import { startApiStack, TEST_PASSWORD, type ApiStack } from './testing/api-stack.ts';
import { deliver, signature } from './testing/webhook-client.ts';

const GUIDE = readFileSync(join(__dirname, '..', '..', '..', '..', 'docs', 'webhooks.md'), 'utf8');

/** The code block after `<!-- example: name -->` in docs/webhooks.md. */
function example(name: string): string {
  const found = new RegExp(`<!-- example: ${name} -->\\s*\`\`\`\\w+\\n([\\s\\S]*?)\`\`\``).exec(
    GUIDE,
  );
  if (!found) throw new Error(`docs/webhooks.md has no example ${name}`);
  return found[1]!;
}

interface Hook {
  id: number;
  url: string;
  secret: string;
}

describe('webhook deliveries over HTTP', () => {
  let stack: ApiStack;
  let admin: string;
  let db: ReturnType<typeof createDatabase>['db'];
  const call: ApiStack['call'] = (...args) => stack.call(...args);

  beforeAll(async () => {
    stack = await startApiStack({ engine: true });
    await call('POST', '/api/v1/setup', undefined, {
      email: 'admin@example.com',
      password: TEST_PASSWORD,
    });
    admin = await stack.signIn('admin@example.com');
    // The stack's database, for what the API does not change (a secret's expiry).
    db = createDatabase({ url: stack.databaseUrl, poolMax: 1 }).db;
  }, 180_000);
  afterAll(async () => {
    await db?.destroy();
    await stack?.stop();
  });

  const event = async (script: string, extra: Record<string, unknown> = {}) =>
    (
      await call('POST', '/api/v1/events', admin, {
        name: `hooked ${Math.random().toString(36).slice(2, 8)}`,
        type: 'bash',
        targetKind: 'local',
        script,
        ...extra,
      })
    ).json.id as number;
  const hook = async (eventId: number, settings: Record<string, unknown> = {}): Promise<Hook> => {
    const created = await call('POST', `/api/v1/events/${eventId}/webhooks`, admin, {
      name: 'incoming',
      ...settings,
    });
    expect(created.status).toBe(201);
    return {
      id: created.json.webhook.id,
      url: created.json.webhook.url,
      secret: created.json.secret,
    };
  };
  const runsOf = async (eventId: number) =>
    (await call('GET', `/api/v1/runs?eventId=${eventId}`, admin)).json.runs as {
      id: number;
      trigger: string;
      input: unknown;
    }[];
  /**
   * The hook's audited refusals, counted by reason (summed over the entries, which are one per
   * hook, reason and minute); `null`: requests for no hook.
   */
  const refusals = async (hookId: number | null) => {
    const entries = (await call('GET', '/api/v1/audit?action=webhook.refused&limit=500', admin))
      .json.entries as {
      targetId: string | null;
      details: { reason: string; count: number; status: number };
    }[];
    const counts: Record<string, number> = {};
    for (const { targetId, details } of entries)
      if (targetId === (hookId === null ? null : String(hookId)))
        counts[details.reason] = (counts[details.reason] ?? 0) + details.count;
    return counts;
  };

  it('starts a run from a signed JSON request, with the body and the chosen headers as input', async () => {
    const eventId = await event('cronium_set_output "$(cronium_get_input)"');
    const h = await hook(eventId, { headers: ['X-GitHub-Event', 'x-delivery'] });
    expect(h.url).toMatch(new RegExp(`^${stack.base}/api/v1/hooks/[A-Za-z0-9_-]{24}$`));
    const sent = await deliver(h.url, h.secret, {
      body: '{"ref": "refs/heads/main", "commits": [1, 2]}',
      headers: { 'x-github-event': 'push', 'x-other': 'not chosen' },
    });
    expect([sent.status, sent.json]).toEqual([
      202,
      { runId: expect.any(Number), status: 'queued', duplicate: false },
    ]);
    expect(sent.headers.get('location')).toBe(`/api/v1/runs/${sent.json.runId}`);
    const run = await stack.finished(admin, sent.json.runId);
    const input = {
      body: { ref: 'refs/heads/main', commits: [1, 2] },
      bodyType: 'json',
      contentType: 'application/json',
      headers: { 'x-github-event': 'push' },
      receivedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      webhook: { id: h.id, name: 'incoming' },
    };
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'webhook', input, output: input });
    const trigger = (
      await call('GET', '/api/v1/audit?action=run.trigger&limit=20', admin)
    ).json.entries.find(
      (e: { details: { runId?: number } }) => e.details.runId === sent.json.runId,
    );
    expect(trigger).toMatchObject({ actorKind: 'system', actorRef: `webhook:${h.id}` });
    expect(
      (await call('GET', `/api/v1/webhooks/${h.id}`, admin)).json.lastTriggeredAt,
    ).not.toBeNull();
  });

  it('turns a form, text, bytes and an empty body into the input', async () => {
    const eventId = await event('true');
    const h = await hook(eventId);
    const cases: [string | Buffer, string, unknown, string][] = [
      ['a=1&b=x%20y&a=2', 'application/x-www-form-urlencoded', { a: ['1', '2'], b: 'x y' }, 'form'],
      ['plain words é', 'text/plain; charset=utf-8', 'plain words é', 'text'],
      ['<a>1</a>', 'application/xml', '<a>1</a>', 'text'],
      [Buffer.from([0xff, 0x00, 0x01]), 'application/octet-stream', '/wAB', 'base64'],
      ['', 'application/json', null, 'empty'],
    ];
    for (const [body, contentType, expected, bodyType] of cases) {
      const sent = await deliver(h.url, h.secret, { body, contentType });
      expect([contentType, sent.status]).toEqual([contentType, 202]);
      const run = (await call('GET', `/api/v1/runs/${sent.json.runId}`, admin)).json;
      expect(run.input).toMatchObject({ body: expected, bodyType, contentType });
    }
  });

  it('accepts a bearer secret in bearer mode, and refuses a signature there', async () => {
    const eventId = await event('true');
    const h = await hook(eventId, { authMode: 'bearer' });
    const sent = await deliver(h.url, h.secret, { bearer: true, body: '{"n": 1}' });
    expect(sent.status).toBe(202);
    const signed = await deliver(h.url, h.secret, { body: '{"n": 2}' });
    const wrong = await deliver(h.url, `${h.secret}x`, { bearer: true });
    for (const refused of [signed, wrong]) {
      expect([refused.status, refused.type, refused.json.code]).toEqual([
        401,
        'application/problem+json',
        'UNAUTHENTICATED',
      ]);
      expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer /);
    }
    expect(await runsOf(eventId)).toHaveLength(1);
    expect(await refusals(h.id)).toEqual({ bad_secret: 1, unsigned: 1 });
  });

  it('refuses unsigned, badly signed, stale and future requests with 401, audited, starting nothing', async () => {
    const eventId = await event('true');
    const h = await hook(eventId, { replayWindowSeconds: 60 });
    const now = Math.floor(Date.now() / 1000);
    const body = '{"deploy": true}';
    const attempts = [
      await deliver(h.url, h.secret, { unsigned: true }),
      await deliver(h.url, h.secret, {
        unsigned: true,
        headers: { 'x-cronium-timestamp': String(now) },
      }),
      await deliver(h.url, 'crw_not-the-secret', { body }),
      await deliver(h.url, h.secret, {
        body,
        headers: { 'x-cronium-signature': signature(h.secret, now, '{"deploy": false}') },
      }),
      await deliver(h.url, h.secret, { body, headers: { 'x-cronium-signature': 'sha256=zz' } }),
      await deliver(h.url, h.secret, { body, headers: { 'x-cronium-timestamp': 'yesterday' } }),
      await deliver(h.url, h.secret, { body, timestamp: now - 61 }),
      await deliver(h.url, h.secret, { body, timestamp: now + 120 }),
    ];
    for (const refused of attempts) {
      expect([refused.status, refused.type, refused.json.code]).toEqual([
        401,
        'application/problem+json',
        'UNAUTHENTICATED',
      ]);
      expect(refused.headers.get('www-authenticate')).toMatch(/^X-Cronium-Signature /);
    }
    expect(attempts[6]!.json.detail).toMatch(/6\d s old; this webhook accepts 60 s/);
    expect(attempts[7]!.json.detail).toMatch(/in the future/);
    expect(await runsOf(eventId)).toEqual([]);
    expect(await refusals(h.id)).toEqual({
      unsigned: 2,
      bad_signature: 3,
      bad_timestamp: 1,
      stale_timestamp: 2,
    });
    // Within the window, a fresh signature works.
    expect((await deliver(h.url, h.secret, { body, timestamp: now - 50 })).status).toBe(202);
  });

  it('refuses a body over 1 MiB (by Content-Length or while reading) with 413, and multipart with 415', async () => {
    const eventId = await event('true');
    const h = await hook(eventId);
    const big = Buffer.alloc(1_048_577, 'a');
    const declared = await deliver(h.url, h.secret, { body: big, contentType: 'text/plain' });
    expect([declared.status, declared.type, declared.json.code]).toEqual([
      413,
      'application/problem+json',
      'PAYLOAD_TOO_LARGE',
    ]);
    // Chunked, without a Content-Length: counted while reading.
    const ts = Math.floor(Date.now() / 1000);
    const chunked = await fetch(h.url, {
      method: 'POST',
      headers: {
        'content-type': 'text/plain',
        'x-cronium-timestamp': String(ts),
        'x-cronium-signature': signature(h.secret, ts, big),
      },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 17; i++)
            controller.enqueue(big.subarray(i * 65_536, (i + 1) * 65_536));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect([chunked.status, chunked.headers.get('content-type')]).toEqual([
      413,
      'application/problem+json',
    ]);
    const exact = Buffer.alloc(1_048_576, 'a');
    expect(
      (await deliver(h.url, h.secret, { body: exact, contentType: 'text/plain' })).status,
    ).toBe(202);
    const multipart = await deliver(h.url, h.secret, {
      body: '--x\r\n\r\n--x--',
      contentType: 'multipart/form-data; boundary=x',
    });
    const badJson = await deliver(h.url, h.secret, { body: '{"open": ' });
    expect([multipart.status, multipart.json.code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect([badJson.status, badJson.json.code]).toEqual([400, 'BAD_REQUEST']);
    expect(await runsOf(eventId)).toHaveLength(1);
    expect(await refusals(h.id)).toEqual({ too_large: 2, unsupported_type: 1, bad_body: 1 });
  });

  it('answers a retried delivery (same Idempotency-Key) and a replayed request with the same run', async () => {
    const eventId = await event('true');
    const h = await hook(eventId);
    const first = await deliver(h.url, h.secret, {
      body: '{"order": 7}',
      headers: { 'idempotency-key': 'order-7' },
    });
    // The sender's retry: a new timestamp and signature, the same key.
    const retry = await deliver(h.url, h.secret, {
      body: '{"order": 7}',
      timestamp: Math.floor(Date.now() / 1000) - 5,
      headers: { 'idempotency-key': 'order-7' },
    });
    expect([first.status, retry.status]).toEqual([202, 202]);
    expect(retry.json).toMatchObject({ runId: first.json.runId, duplicate: true });
    // Many at once with a new key: one run.
    const racing = await Promise.all(
      Array.from({ length: 6 }, () =>
        deliver(h.url, h.secret, {
          body: '{"order": 8}',
          headers: { 'idempotency-key': 'order-8' },
        }),
      ),
    );
    expect(new Set(racing.map((r) => r.json.runId)).size).toBe(1);
    expect(racing.filter((r) => !r.json.duplicate)).toHaveLength(1);
    // A captured request sent again within the window: the same run, not a second one.
    const ts = Math.floor(Date.now() / 1000);
    const original = await deliver(h.url, h.secret, { body: '{"order": 9}', timestamp: ts });
    const replayed = await deliver(h.url, h.secret, { body: '{"order": 9}', timestamp: ts });
    expect(replayed.json).toMatchObject({ runId: original.json.runId, duplicate: true });
    expect(await runsOf(eventId)).toHaveLength(3);
    const bad = await deliver(h.url, h.secret, { headers: { 'idempotency-key': 'é'.repeat(3) } });
    expect([bad.status, bad.json.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('limits deliveries per hook per minute (429 with Retry-After); retries of a delivery are free', async () => {
    const eventId = await event('true');
    const h = await hook(eventId, { rateLimitPerMinute: 3 });
    const other = await hook(eventId);
    const answers = [];
    for (let i = 0; i < 4; i++)
      answers.push(
        await deliver(h.url, h.secret, {
          body: `{"i": ${i}}`,
          headers: { 'idempotency-key': `k${i}` },
        }),
      );
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202, 429]);
    const limited = answers[3]!;
    expect([limited.type, limited.json.code]).toEqual(['application/problem+json', 'RATE_LIMITED']);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // The sender retries its first delivery: answered with its run, not counted.
    const retried = await deliver(h.url, h.secret, {
      body: '{"i": 0}',
      headers: { 'idempotency-key': 'k0' },
    });
    expect([retried.status, retried.json.runId, retried.json.duplicate]).toEqual([
      202,
      answers[0]!.json.runId,
      true,
    ]);
    expect((await deliver(h.url, h.secret, { body: '{"i": 4}' })).status).toBe(429);
    // Another hook of the same event has its own allowance.
    expect((await deliver(other.url, other.secret)).status).toBe(202);
    expect(await refusals(h.id)).toEqual({ rate_limited: 2 });
  });

  it('waits for the run with ?wait= and answers its output, or 202 when it does not end in time', async () => {
    const fast = await event('cronium_set_output "{\\"seen\\": $(cronium_get_input)}"');
    const h = await hook(fast);
    const waited = await deliver(h.url, h.secret, { body: '{"q": 1}', wait: 20 });
    expect([waited.status, waited.json]).toEqual([
      200,
      {
        runId: expect.any(Number),
        status: 'succeeded',
        duplicate: false,
        output: { seen: expect.objectContaining({ body: { q: 1 } }) },
        exitCode: 0,
        error: null,
        finishedAt: expect.any(String),
      },
    ]);
    const slow = await event('sleep 5');
    const s = await hook(slow);
    const started = Date.now();
    const pending = await deliver(s.url, s.secret, { wait: 1 });
    expect([pending.status, pending.json.status]).toEqual([
      202,
      expect.stringMatching(/queued|running/),
    ]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(4_000);
    const tooLong = await fetch(`${s.url}?wait=31`, { method: 'POST' });
    expect(tooLong.status).toBe(400);
  });

  it('accepts the old secret and the new one during a rotation’s grace period, then only the new', async () => {
    const eventId = await event('true');
    const h = await hook(eventId);
    const rotated = await call('POST', `/api/v1/webhooks/${h.id}/rotate`, admin, {
      graceSeconds: 3600,
    });
    expect(rotated.status).toBe(200);
    const fresh: string = rotated.json.secret;
    expect(fresh).not.toBe(h.secret);
    expect(rotated.json.webhook.previousSecretExpiresAt).not.toBeNull();
    expect((await deliver(h.url, h.secret, { body: '{"old": 1}' })).status).toBe(202);
    expect((await deliver(h.url, fresh, { body: '{"new": 1}' })).status).toBe(202);
    // The grace period ends (set in the row: an hour is long for a test).
    await sql`UPDATE webhooks SET previous_secret_expires_at = now() - interval '1 second'
      WHERE id = ${h.id}`.execute(db);
    const old = await deliver(h.url, h.secret, { body: '{"old": 2}' });
    expect([old.status, old.json.code]).toEqual([401, 'UNAUTHENTICATED']);
    expect((await deliver(h.url, fresh, { body: '{"new": 2}' })).status).toBe(202);
    // Without a grace period, the old secret is refused at once.
    const again = (
      await call('POST', `/api/v1/webhooks/${h.id}/rotate`, admin, { graceSeconds: 0 })
    ).json;
    expect(again.webhook.previousSecretExpiresAt).toBeNull();
    expect((await deliver(h.url, fresh, { body: '{"new": 3}' })).status).toBe(401);
    expect((await deliver(h.url, again.secret, { body: '{"newer": 1}' })).status).toBe(202);
  });

  it('answers 404 for a disabled, deleted or unknown hook, and 409 for a paused event', async () => {
    const eventId = await event('true');
    const h = await hook(eventId);
    expect(
      (await call('PATCH', `/api/v1/webhooks/${h.id}`, admin, { enabled: false })).status,
    ).toBe(200);
    const disabled = await deliver(h.url, h.secret);
    expect([disabled.status, disabled.type, disabled.json.detail]).toEqual([
      404,
      'application/problem+json',
      'no such webhook',
    ]);
    await call('PATCH', `/api/v1/webhooks/${h.id}`, admin, { enabled: true });
    await call('PATCH', `/api/v1/events/${eventId}`, admin, { status: 'paused' });
    const paused = await deliver(h.url, h.secret);
    expect([paused.status, paused.json.code, paused.json.detail]).toEqual([
      409,
      'CONFLICT',
      'the event is paused: it accepts webhook deliveries only while active',
    ]);
    await call('PATCH', `/api/v1/events/${eventId}`, admin, { status: 'active' });
    // Waits for the run to end: an event with a run in progress cannot be deleted.
    expect((await deliver(h.url, h.secret, { wait: 20 })).status).toBe(200);
    expect((await call('DELETE', `/api/v1/webhooks/${h.id}`, admin)).status).toBe(204);
    expect((await deliver(h.url, h.secret)).status).toBe(404);
    const other = await hook(eventId);
    expect((await call('DELETE', `/api/v1/events/${eventId}`, admin)).status).toBe(204);
    expect((await deliver(other.url, other.secret)).status).toBe(404);
    const unknown = await deliver(`${stack.base}/api/v1/hooks/AAAAAAAAAAAAAAAAAAAAAAAA`, 'x');
    const malformed = await deliver(`${stack.base}/api/v1/hooks/..%2F..%2Fevents`, 'x');
    expect([unknown.status, malformed.status]).toEqual([404, 404]);
    const get = await fetch(other.url);
    expect([get.status, get.headers.get('allow'), (await get.json()).code]).toEqual([
      405,
      'POST',
      'METHOD_NOT_ALLOWED',
    ]);
    expect(await refusals(h.id)).toEqual({ disabled: 1, event_not_active: 1 });
    expect(await refusals(null)).toEqual({ unknown_hook: 4 });
  });

  it('accepts what a Cronium webhook tool action signs (the same scheme both ways)', async () => {
    const eventId = await event('true');
    const h = await hook(eventId);
    const credential = (
      await call('POST', '/api/v1/tools/credentials', admin, {
        kind: 'webhook',
        name: 'to my own hook',
        config: { url: h.url, method: 'POST', signingSecret: h.secret },
      })
    ).json;
    const tested = await call('POST', `/api/v1/tools/credentials/${credential.id}/test`, admin, {});
    expect(tested.json).toMatchObject({ ok: true, status: 202 });
    const [run] = await runsOf(eventId);
    expect(run).toMatchObject({
      trigger: 'webhook',
      input: { body: { cronium: 'test', credential: 'to my own hook' }, bodyType: 'json' },
    });
  });

  it('accepts the signing examples of docs/webhooks.md as written (curl, Node.js, Python, bearer)', async () => {
    const eventId = await event('true');
    const signed = await hook(eventId);
    const bearer = await hook(eventId, { authMode: 'bearer' });
    const dir = mkdtempSync(join(tmpdir(), 'cronium-hook-examples-'));
    writeFileSync(join(dir, 'send.mjs'), example('node'));
    const run = (file: string, args: string[], h: Hook) =>
      promisify(execFile)(file, args, {
        env: { ...process.env, CRONIUM_HOOK_URL: h.url, CRONIUM_HOOK_SECRET: h.secret },
        timeout: 30_000,
      });
    const outputs = [
      (await run('bash', ['-c', example('curl')], signed)).stdout,
      (await run(process.execPath, [join(dir, 'send.mjs')], signed)).stdout,
      (await run('python3', ['-c', example('python')], signed)).stdout,
      (await run('bash', ['-c', example('bearer')], bearer)).stdout,
    ];
    expect(outputs[0]).toMatch(/^\{"runId":\d+,"status":"queued","duplicate":false\}$/);
    expect(outputs[1]).toMatch(/^202 \{ runId: \d+, status: 'queued', duplicate: false \}/);
    expect(outputs[2]).toMatch(/^202 \{'runId': \d+, 'status': 'queued', 'duplicate': False\}/);
    const runs = await runsOf(eventId);
    expect(runs.map((r) => (r.input as { body: unknown }).body)).toEqual([
      { ref: 'refs/heads/main' },
      { ref: 'refs/heads/main', pusher: 'ada' },
      { ref: 'refs/heads/main', pusher: 'ada' },
      { ref: 'refs/heads/main', pusher: 'ada' },
    ]);
  });
});
