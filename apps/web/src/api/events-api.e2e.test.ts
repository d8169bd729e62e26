// Events and runs over the public API, end to end over real HTTP: a running web process and a
// running orchestrator (local executor) on one real database.
import { createServer } from 'node:http';
import fc from 'fast-check';
import {
  adminAndUser,
  expectWellFormedAnswers,
  startApiStack,
  TEST_PASSWORD,
  type ApiStack,
} from './testing/api-stack.ts';

describe('events and runs API over HTTP', () => {
  let stack: ApiStack;
  let admin: string;
  let token: string;
  let bob: string;
  const call: ApiStack['call'] = (...args) => stack.call(...args);
  const finished = (auth: string, runId: number) => stack.finished(auth, runId);
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  beforeAll(async () => {
    stack = await startApiStack({ engine: true });
    ({ admin, user: bob } = await adminAndUser(stack));
    token = (
      await call('POST', '/api/v1/tokens', admin, {
        name: 'cli',
        scopes: ['events:read', 'events:write', 'events:execute', 'runs:read', 'runs:write'],
      })
    ).json.token;
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it.each([
    ['bash', 'echo "hello $1from bash"; echo "to stderr" >&2'],
    ['python', 'print("hello from python")'],
    ['node', 'console.log("hello from node")'],
  ])(
    'creates a %s event with a token, runs it, and reads its output and logs',
    async (type, script) => {
      const created = await call('POST', '/api/v1/events', token, {
        name: `${type} hello`,
        type,
        script,
        tags: ['demo'],
      });
      expect(created.status).toBe(201);
      const event = created.json;
      expect(event).toMatchObject({ type, targetKind: 'local', status: 'active', tags: ['demo'] });
      const triggered = await call('POST', `/api/v1/events/${event.id}/runs`, token, {
        input: { n: 1 },
      });
      expect(triggered.status).toBe(201);
      const run = await finished(token, triggered.json.id);
      expect(run).toMatchObject({ status: 'succeeded', exitCode: 0, input: { n: 1 }, attempt: 1 });
      const logs = (await call('GET', `/api/v1/runs/${run.id}/logs?after=0`, token)).json;
      expect(logs[0]).toMatchObject({ seq: 1, stream: 'stdout', text: `hello from ${type}` });
      const rest = (await call('GET', `/api/v1/runs/${run.id}/logs?after=1`, token)).json;
      expect(rest.every((l: { seq: number }) => l.seq > 1)).toBe(true);
    },
  );

  it('answers 400, not 500, to NUL characters and deep nesting anywhere in a body (L8)', async () => {
    for (const [path, body, pointer] of [
      ['/api/v1/events', { name: 'a\u0000b', type: 'bash', script: 'true' }, '/body/name'],
      ['/api/v1/events', { name: 'a', type: 'bash', script: 'echo \u0000' }, '/body/script'],
    ] as const) {
      const answer = await call('POST', path, admin, body);
      expect(answer.status).toBe(400);
      expect(answer.json.errors[0].pointer).toBe(pointer);
    }
    const event = (
      await call('POST', '/api/v1/events', admin, {
        name: 'input',
        type: 'bash',
        targetKind: 'local',
        script: 'true',
      })
    ).json;
    const nul = await call('POST', `/api/v1/events/${event.id}/runs`, admin, {
      input: { k: 'v\u0000' },
    });
    expect([nul.status, nul.json.errors[0].pointer]).toEqual([400, '/body/input/k']);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    const nested = await call('POST', `/api/v1/events/${event.id}/runs`, admin, { input: deep });
    expect(nested.status).toBe(400);
  });

  it('pages logs by size as well as by lines (M3)', async () => {
    const event = (
      await call('POST', '/api/v1/events', admin, {
        name: 'talks a lot',
        type: 'bash',
        targetKind: 'local',
        // 400 lines of 10,000 characters: 4 MB of log.
        script:
          'line=$(head -c 10000 /dev/zero | tr "\\0" a); for i in $(seq 400); do echo "$line"; done',
      })
    ).json;
    const run = await finished(
      admin,
      (await call('POST', `/api/v1/events/${event.id}/runs`, admin, {})).json.id,
    );
    expect(run.status).toBe('succeeded');
    const page = await call('GET', `/api/v1/runs/${run.id}/logs?after=0&limit=5000`, admin);
    expect(page.json.length).toBeGreaterThan(50);
    expect(page.json.length).toBeLessThan(400);
    expect(page.text.length).toBeLessThan(1_200_000);
    let seen = page.json.length;
    let after = page.json.at(-1).seq;
    for (let i = 0; i < 10 && seen < 400; i++) {
      const next = (
        await call('GET', `/api/v1/runs/${run.id}/logs?after=${after}&limit=5000`, admin)
      ).json;
      seen += next.length;
      after = next.at(-1).seq;
    }
    expect(seen).toBe(400);
  });

  it('cancels a long run', async () => {
    const event = (
      await call('POST', '/api/v1/events', admin, {
        name: 'slow',
        type: 'bash',
        script: 'sleep 60',
      })
    ).json;
    const run = (await call('POST', `/api/v1/events/${event.id}/runs`, admin, {})).json;
    for (
      let i = 0;
      i < 100 && (await call('GET', `/api/v1/runs/${run.id}`, admin)).json.status !== 'running';
      i++
    )
      await sleep(50);
    expect((await call('POST', `/api/v1/runs/${run.id}/cancel`, admin)).status).toBe(200);
    expect((await finished(admin, run.id)).status).toBe('cancelled');
    expect((await call('POST', `/api/v1/runs/${run.id}/cancel`, admin)).status).toBe(409);
  });

  it('validates events: field pointers for schedules, 404 for someone else’s', async () => {
    const badCron = await call('POST', '/api/v1/events', admin, {
      name: 'x',
      type: 'bash',
      script: 'true',
      schedule: { cron: '61 * * * *' },
    });
    expect([badCron.status, badCron.json.errors[0].pointer]).toEqual([422, '/body/schedule/cron']);
    const badZone = await call('POST', '/api/v1/events', admin, {
      name: 'x',
      type: 'bash',
      script: 'true',
      schedule: { cron: '0 * * * *', timezone: 'Mars/Olympus' },
    });
    expect([badZone.status, badZone.json.errors[0].pointer]).toEqual([
      422,
      '/body/schedule/timezone',
    ]);
    const never = await call('POST', '/api/v1/events', admin, {
      name: 'x',
      type: 'bash',
      script: 'true',
      schedule: { cron: '0 0 30 2 *' },
    });
    expect(never.status).toBe(422);
    const noScript = await call('POST', '/api/v1/events', admin, { name: 'x', type: 'bash' });
    expect([noScript.status, noScript.json.errors[0].pointer]).toEqual([422, '/body/script']);
    const unknown = await call('POST', '/api/v1/events', admin, {
      name: 'x',
      type: 'bash',
      script: 'true',
      owner_id: 1,
    });
    expect(unknown.status).toBe(400);
    const scheduled = await call('POST', '/api/v1/events', admin, {
      name: 'nightly',
      type: 'bash',
      script: 'true',
      schedule: { cron: '0 3 * * *', timezone: 'Europe/Paris' },
    });
    expect(scheduled.json.schedule).toEqual({
      cron: '0 3 * * *',
      timezone: 'Europe/Paris',
      misfirePolicy: 'last',
    });
    const id = scheduled.json.id;
    expect(
      (await call('PATCH', `/api/v1/events/${id}`, admin, { status: 'paused' })).json.status,
    ).toBe('paused');
    // Bob sees none of it: not in lists, 404 on direct access, cannot run or change it.
    expect((await call('GET', '/api/v1/events', bob)).json.events).toEqual([]);
    expect((await call('GET', `/api/v1/events/${id}`, bob)).status).toBe(404);
    expect((await call('POST', `/api/v1/events/${id}/runs`, bob, {})).status).toBe(404);
    expect((await call('PATCH', `/api/v1/events/${id}`, bob, { name: 'mine now' })).status).toBe(
      404,
    );
    expect((await call('DELETE', `/api/v1/events/${id}`, bob)).status).toBe(404);
    expect((await call('GET', '/api/v1/runs', bob)).json.runs).toEqual([]);
    expect((await call('GET', `/api/v1/events/${id}/ticks`, admin)).status).toBe(200);
    expect((await call('DELETE', `/api/v1/events/${id}`, admin)).status).toBe(204);
    expect((await call('GET', `/api/v1/events/${id}`, admin)).status).toBe(404);
  });

  it('lists the schedule ledger: each due slot, what became of it and the run it started', async () => {
    const created = await call('POST', '/api/v1/events', admin, {
      name: 'every second',
      type: 'bash',
      script: 'true',
      schedule: { cron: '* * * * * *', misfirePolicy: 'none' },
    });
    expect(created.status).toBe(201);
    const id = created.json.id;
    let ticks: Record<string, unknown>[] = [];
    for (let i = 0; i < 100 && !ticks.some((k) => k.runId); i++) {
      await sleep(100);
      ticks = (await call('GET', `/api/v1/events/${id}/ticks`, admin)).json;
    }
    expect((await call('PATCH', `/api/v1/events/${id}`, admin, { status: 'paused' })).status).toBe(
      200,
    );
    const fired = ticks.find((k) => k.runId)!;
    expect(Object.keys(fired)).toEqual(['slot', 'outcome', 'reason', 'runId', 'recordedAt']);
    expect(fired).toMatchObject({ outcome: 'enqueued', reason: null });
    expect(Number.isNaN(Date.parse(fired.slot as string))).toBe(false);
    expect((await call('GET', `/api/v1/runs/${fired.runId}`, admin)).json).toMatchObject({
      eventId: id,
      trigger: 'schedule',
    });
    await sleep(1_500); // a scheduler pass under way when it paused has ended by now
    const all = (await call('GET', `/api/v1/events/${id}/ticks`, admin)).json;
    const slots = all.map((k: { slot: string }) => k.slot);
    expect(slots).toEqual([...slots].sort().reverse());
    expect((await call('GET', `/api/v1/events/${id}/ticks?limit=1`, admin)).json).toEqual([all[0]]);
    // Its runs end, then it goes (with them), leaving the other tests' lists as they were.
    const runs = (await call('GET', `/api/v1/runs?eventId=${id}`, admin)).json.runs;
    for (const run of runs) await finished(admin, run.id);
    expect((await call('DELETE', `/api/v1/events/${id}`, admin)).status).toBe(204);
  });

  it('lists with filters and pages in SQL', async () => {
    const all = (await call('GET', '/api/v1/events?limit=2', token)).json;
    expect(all.events).toHaveLength(2);
    expect(all.nextBefore).toBe(all.events[1].id);
    const next = (await call('GET', `/api/v1/events?limit=2&before=${all.nextBefore}`, token)).json;
    expect(next.events.every((e: { id: number }) => e.id < all.nextBefore)).toBe(true);
    expect((await call('GET', '/api/v1/events?tag=demo', token)).json.events).toHaveLength(3);
    expect((await call('GET', '/api/v1/events?limit=abc', token)).status).toBe(400);
  });

  it('never answers 5xx to generated requests, valid or broken, on every events, runs, variables and audit route', async () => {
    const event = (
      await call('POST', '/api/v1/events', admin, { name: 'target', type: 'bash', script: 'true' })
    ).json;
    const eventsBefore = (await call('GET', '/api/v1/events?limit=200', admin)).json.events.length;
    const field = fc.oneof(
      fc.constant(undefined),
      fc.jsonValue(),
      fc.constantFrom(
        'bash',
        'python',
        'http',
        '* * * * *',
        '61 * * * *',
        'Mars/Olympus',
        'paused',
        'queue',
        -1,
        0,
        1e9,
      ),
    );
    const body = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc
        .record(
          {
            name: field,
            type: field,
            script: field,
            schedule: fc.oneof(
              field,
              fc.record({ cron: field, timezone: field }, { requiredKeys: [] }),
            ),
            status: field,
            concurrency: fc.oneof(
              field,
              fc.record({ policy: field, max: field }, { requiredKeys: [] }),
            ),
            limits: field,
            env: field,
            input: field,
            value: field,
            secret: field,
            secretEnv: field,
          },
          { requiredKeys: [] },
        )
        .map((v) => JSON.stringify(v)),
    );
    await expectWellFormedAnswers(stack, admin, {
      paths: [
        '/api/v1/events',
        `/api/v1/events/${event.id}`,
        `/api/v1/events/${event.id}/runs`,
        `/api/v1/events/${event.id}/ticks?limit=x`,
        '/api/v1/events/999999',
        '/api/v1/runs?eventId=abc',
        '/api/v1/runs/1/logs?after=-1',
        '/api/v1/runs/1/cancel',
        '/api/v1/events?before=0&limit=1000',
        '/api/v1/variables',
        '/api/v1/variables/generated',
        '/api/v1/variables/9bad%20key',
        '/api/v1/audit?before=x&limit=0',
      ],
      bodies: body,
      keep: `/api/v1/events/${event.id}`,
      numRuns: 200,
    });
    // Every event the property created is a whole, valid event (no partial writes).
    const events = (await call('GET', '/api/v1/events?limit=200', admin)).json.events;
    expect(events.length).toBeGreaterThanOrEqual(eventsBefore);
    for (const e of events.filter((x: { type: string }) =>
      ['bash', 'python', 'node'].includes(x.type),
    ))
      expect(typeof e.script).toBe('string');
    for (const e of events)
      for (const name of e.secretEnvKeys) expect(name).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
    const variable = await call('GET', '/api/v1/variables/generated', admin);
    if (variable.status === 200)
      expect(
        variable.json.isSecret ? variable.json.value === null : typeof variable.json.value,
      ).toBe(variable.json.isSecret ? true : 'string');
  }, 120_000);

  it('variables: secret values never returned, readable by runs, masked in logs; the audit log', async () => {
    const put = await call('PUT', '/api/v1/variables/api_key', admin, {
      value: 's3cr3t-value-42',
      secret: true,
    });
    expect(put.json).toMatchObject({ key: 'api_key', value: null, isSecret: true });
    // A secret too short to be masked, or too long to be matched cheaply, is refused (L4d).
    for (const value of ['abc', 'x'.repeat(65_537)]) {
      const refused = await call('PUT', '/api/v1/variables/short_secret', admin, {
        value,
        secret: true,
      });
      expect(refused.status).toBe(422);
      expect(refused.json.errors[0].pointer).toBe('/body/value');
    }
    await call('PUT', '/api/v1/variables/greeting', admin, { value: 'hello' });
    const listed = (await call('GET', '/api/v1/variables', admin)).json;
    // (The property test above may have left a variable named "generated".) Lists carry no
    // values, only their length (review M3); a page ends where nextAfter says.
    expect(
      listed.variables
        .filter((v: { key: string }) => v.key !== 'generated')
        .map((v: { key: string; length: number | null }) => [v.key, v.length]),
    ).toEqual([
      ['api_key', null],
      ['greeting', 5],
    ]);
    expect(JSON.stringify(listed)).not.toContain('s3cr3t');
    expect(JSON.stringify(listed)).not.toContain('hello');
    const first = (await call('GET', '/api/v1/variables?limit=1', admin)).json;
    expect(first.variables).toHaveLength(1);
    const rest = (
      await call('GET', `/api/v1/variables?after=${encodeURIComponent(first.nextAfter)}`, admin)
    ).json;
    expect(rest.variables[0].key > first.nextAfter).toBe(true);
    expect((await call('GET', '/api/v1/variables/%E0%A4%A', admin)).status).toBe(400);
    expect((await call('GET', '/api/v1/variables/bad%20name', admin)).status).toBe(400);
    expect((await call('GET', '/api/v1/variables/api_key', bob)).status).toBe(404);
    // A run reads it through the SDK; its log shows it masked.
    const event = (
      await call('POST', '/api/v1/events', admin, {
        name: 'uses a secret',
        type: 'bash',
        script:
          'echo "key=$(cronium_get_variable api_key) greeting=$(cronium_get_variable greeting)"',
      })
    ).json;
    const run = (await call('POST', `/api/v1/events/${event.id}/runs`, admin, {})).json;
    expect((await finished(admin, run.id)).status).toBe('succeeded');
    const logs = (await call('GET', `/api/v1/runs/${run.id}/logs`, admin)).json;
    expect(logs.map((l: { text: string }) => l.text)).toEqual(['key=*** greeting=hello']);
    expect((await call('DELETE', '/api/v1/variables/greeting', admin)).status).toBe(204);
    expect((await call('DELETE', '/api/v1/variables/greeting', admin)).status).toBe(404);
    const audit = (await call('GET', '/api/v1/audit?limit=100', admin)).json;
    expect(audit.entries.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['variable.create', 'variable.delete', 'run.trigger', 'event.create']),
    );
    expect((await call('GET', '/api/v1/audit', bob)).status).toBe(403);
  });

  it('secret environment: write-only, given to the script, masked in its log, merged on update', async () => {
    const created = await call('POST', '/api/v1/events', admin, {
      name: 'secret env',
      type: 'bash',
      script: 'echo "token=$API_TOKEN other=${OTHER:-unset}"',
      secretEnv: { API_TOKEN: 'sup3r-s3cret-token' },
    });
    expect(created.status).toBe(201);
    expect(created.json.secretEnvKeys).toEqual(['API_TOKEN']);
    const event = created.json;
    for (const path of [`/api/v1/events/${event.id}`, '/api/v1/events?limit=200'])
      expect((await call('GET', path, admin)).text).not.toContain('sup3r-s3cret');
    const run = (await call('POST', `/api/v1/events/${event.id}/runs`, admin, {})).json;
    expect((await finished(admin, run.id)).status).toBe('succeeded');
    const logs = (await call('GET', `/api/v1/runs/${run.id}/logs`, admin)).json;
    expect(logs.map((l: { text: string }) => l.text)).toEqual(['token=*** other=unset']);

    const merged = await call('PATCH', `/api/v1/events/${event.id}`, admin, {
      secretEnv: { OTHER: 'another-secret', API_TOKEN: null },
    });
    expect(merged.json.secretEnvKeys).toEqual(['OTHER']);
    const second = (await call('POST', `/api/v1/events/${event.id}/runs`, admin, {})).json;
    await finished(admin, second.id);
    const secondLogs = (await call('GET', `/api/v1/runs/${second.id}/logs`, admin)).json;
    expect(secondLogs.map((l: { text: string }) => l.text)).toEqual(['token= other=***']);

    const problems = async (body: unknown) => {
      const answer = await call('PATCH', `/api/v1/events/${event.id}`, admin, body);
      return [answer.status, answer.json.errors?.map((e: { pointer: string }) => e.pointer)];
    };
    expect(await problems({ secretEnv: { SHORT: 'abc' } })).toEqual([
      422,
      ['/body/secretEnv/SHORT'],
    ]);
    expect(await problems({ secretEnv: { 'BAD-NAME': 'long enough' } })).toEqual([
      422,
      ['/body/secretEnv/BAD-NAME'],
    ]);
    expect(await problems({ env: { OTHER: 'plain' } })).toEqual([422, ['/body/env/OTHER']]);
    expect(await problems({ secretEnv: { OTHER: 42 } })).toEqual([400, ['/body/secretEnv/OTHER']]);
    expect((await call('GET', `/api/v1/events/${event.id}`, admin)).json.secretEnvKeys).toEqual([
      'OTHER',
    ]);
  });

  it('HTTP events use secrets from their secret environment, never stored or shown in clear (L12)', async () => {
    const seen: string[] = [];
    const echo = createServer((request, response) => {
      seen.push(String(request.headers.authorization));
      response.end(`you sent ${request.headers.authorization}`);
    });
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(echo.address() as { port: number }).port}/hook`;
    try {
      const problems = async (body: Record<string, unknown>) => {
        const answer = await call('POST', '/api/v1/events', admin, {
          name: 'hook',
          type: 'http',
          ...body,
        });
        return [answer.status, answer.json.errors?.map((e: { pointer: string }) => e.pointer)];
      };
      // A name the event has no secret for; a secret choosing the host.
      expect(
        await problems({
          http: { method: 'GET', url, headers: { authorization: 'Bearer {{secrets.NOPE}}' } },
        }),
      ).toEqual([422, ['/body/http/headers/authorization']]);
      expect(
        await problems({
          http: { method: 'GET', url: 'http://{{secrets.HOST}}/x' },
          secretEnv: { HOST: 'evil.example' },
        }),
      ).toEqual([422, ['/body/http/url']]);
      const created = await call('POST', '/api/v1/events', admin, {
        name: 'hook',
        type: 'http',
        http: { method: 'GET', url, headers: { authorization: 'Bearer {{secrets.API_TOKEN}}' } },
        secretEnv: { API_TOKEN: 'hook-s3cret-value' },
      });
      expect(created.status).toBe(201);
      const shown = await call('GET', `/api/v1/events/${created.json.id}`, admin);
      expect(shown.json.http.headers.authorization).toBe('Bearer {{secrets.API_TOKEN}}');
      expect(shown.text).not.toContain('hook-s3cret');
      const run = (await call('POST', `/api/v1/events/${created.json.id}/runs`, admin, {})).json;
      const done = await finished(admin, run.id);
      expect(done.status).toBe('succeeded');
      expect(seen).toEqual(['Bearer hook-s3cret-value']);
      // The server echoes the secret: the log and the stored result show it masked.
      expect(JSON.stringify(done.result)).not.toContain('hook-s3cret');
      const logs = (await call('GET', `/api/v1/runs/${run.id}/logs`, admin)).text;
      expect(logs).toContain('you sent Bearer ***');
      expect(logs).not.toContain('hook-s3cret');
    } finally {
      await new Promise((resolve) => echo.close(resolve));
    }
  });

  it('checks container events against the administrator’s caps and image references', async () => {
    const pointers = async (body: Record<string, unknown>) => {
      const answer = await call('POST', '/api/v1/events', admin, {
        name: 'boxed',
        type: 'bash',
        script: 'true',
        targetKind: 'container',
        ...body,
      });
      return [answer.status, answer.json.errors?.map((e: { pointer: string }) => e.pointer)];
    };
    // The orchestrator published its caps (the defaults: 2048 MB, 2000 millicpus, 1024
    // processes, no container network) when it started.
    expect(
      await pointers({
        limits: { memoryMb: 4096, cpuMillis: 8000, pids: 5000 },
        networkEnabled: true,
      }),
    ).toEqual([
      422,
      [
        '/body/limits/memoryMb',
        '/body/limits/cpuMillis',
        '/body/limits/pids',
        '/body/networkEnabled',
      ],
    ]);
    expect(await pointers({ image: 'Not An Image!' })).toEqual([422, ['/body/image']]);
    // A container network is outside the egress policy: an ordinary user's event may not ask.
    const bobs = await call('POST', '/api/v1/events', bob, {
      name: 'boxed',
      type: 'bash',
      script: 'true',
      targetKind: 'container',
      networkEnabled: true,
    });
    expect([bobs.status, bobs.json.errors]).toEqual([
      422,
      [{ pointer: '/body/networkEnabled', message: expect.stringMatching(/^only an admin/) }],
    ]);
    const ok = await call('POST', '/api/v1/events', admin, {
      name: 'boxed',
      type: 'bash',
      script: 'true',
      targetKind: 'container',
      image: 'registry.example.com:5000/team/job:1.0',
      limits: { memoryMb: 2048, pids: 64 },
    });
    expect(ok.status).toBe(201);
    const raised = await call('PATCH', `/api/v1/events/${ok.json.id}`, admin, {
      limits: { memoryMb: 2049 },
    });
    expect(raised.json.errors[0]).toEqual({
      pointer: '/body/limits/memoryMb',
      message: 'the administrator allows at most 2048 MB',
    });
    // Local events do not use the limits: nothing to check.
    expect(
      (
        await call('PATCH', `/api/v1/events/${ok.json.id}`, admin, {
          targetKind: 'local',
          limits: { memoryMb: 9000 },
        })
      ).status,
    ).toBe(200);
  });

  it('lets only administrators use the local target (ORCHESTRATOR_LOCAL=admins, the default)', async () => {
    const refusal = {
      pointer: '/body/targetKind',
      message: expect.stringMatching(/^only administrators may run local scripts/),
    };
    // No Docker engine: a new script event defaults to local, which bob may not use.
    const local = await call('POST', '/api/v1/events', bob, {
      name: 'mine',
      type: 'bash',
      script: 'id',
    });
    expect([local.status, local.type, local.json.errors]).toEqual([
      422,
      'application/problem+json',
      [refusal],
    ]);
    const boxed = await call('POST', '/api/v1/events', bob, {
      name: 'mine',
      type: 'bash',
      script: 'id',
      targetKind: 'container',
    });
    expect(boxed.status).toBe(201);
    // Switching it to local is refused too, also when an admin does it (it would run as bob's).
    for (const who of [bob, admin]) {
      const switched = await call('PATCH', `/api/v1/events/${boxed.json.id}`, who, {
        targetKind: 'local',
      });
      expect([switched.status, switched.json.errors]).toEqual([422, [refusal]]);
    }
    // HTTP events are requests the orchestrator makes, not scripts: not concerned.
    const http = await call('POST', '/api/v1/events', bob, {
      name: 'ping',
      type: 'http',
      http: { method: 'GET', url: 'http://127.0.0.1:9/' },
    });
    expect([http.status, http.json.targetKind]).toEqual([201, 'local']);
  });

  it('a revoked token stops working', async () => {
    const tokens = (await call('GET', '/api/v1/tokens', admin)).json;
    await call('DELETE', `/api/v1/tokens/${tokens[0].id}`, admin);
    expect((await call('GET', '/api/v1/events', token)).status).toBe(401);
  });
});

describe('events: a token that cannot run code cannot make code run (M8)', () => {
  jest.setTimeout(120_000);
  let stack: ApiStack;
  let cookie: string;
  beforeAll(async () => {
    stack = await startApiStack();
    await stack.call('POST', '/api/v1/setup', undefined, {
      email: 'exec@example.com',
      password: TEST_PASSWORD,
    });
    cookie = await stack.signIn('exec@example.com');
  });
  afterAll(() => stack?.stop());

  const token = async (scopes: string[]) =>
    (await stack.call('POST', '/api/v1/tokens', cookie, { name: 'ci', scopes })).json
      .token as string;

  it('needs events:execute to create an event, or to change its code, schedule or target', async () => {
    const writer = await token(['events:read', 'events:write']);
    const created = await stack.call('POST', '/api/v1/events', writer, {
      name: 'x',
      type: 'bash',
      script: 'echo hi',
      schedule: { cron: '* * * * *' },
    });
    expect(created.status).toBe(403);
    expect(created.json.detail).toMatch(/events:execute/);
    // The owner (a session) makes one; the token may still do what runs no code.
    const event = await stack.call('POST', '/api/v1/events', cookie, {
      name: 'x',
      type: 'bash',
      targetKind: 'local',
      script: 'echo hi',
    });
    expect(event.status).toBe(201);
    const id = event.json.id as number;
    for (const change of [
      { script: 'curl evil' },
      { schedule: { cron: '* * * * *' } },
      { serverIds: [] },
      { env: { A: 'b' } },
      { status: 'active' },
      { targetKind: 'local' },
    ]) {
      const answer = await stack.call('PATCH', `/api/v1/events/${id}`, writer, change);
      expect({ change, status: answer.status }).toEqual({ change, status: 403 });
    }
    for (const change of [
      { name: 'renamed' },
      { description: 'd', tags: ['t'] },
      { status: 'paused' },
    ]) {
      const answer = await stack.call('PATCH', `/api/v1/events/${id}`, writer, change);
      expect({ change, status: answer.status }).toEqual({ change, status: 200 });
    }
    const executor = await token(['events:write', 'events:execute']);
    expect(
      (await stack.call('PATCH', `/api/v1/events/${id}`, executor, { script: 'echo changed' }))
        .status,
    ).toBe(200);
    expect(
      (
        await stack.call('POST', '/api/v1/events', executor, {
          name: 'y',
          type: 'bash',
          targetKind: 'local',
          script: 'true',
        })
      ).status,
    ).toBe(201);
  });
});

describe('what one user may take (M2)', () => {
  jest.setTimeout(120_000);
  let stack: ApiStack;
  let admin: string;
  let bob: string;
  beforeAll(async () => {
    stack = await startApiStack({
      webEnv: {
        WEB_QUOTA_EVENTS: '2',
        WEB_QUOTA_VARIABLES: '2',
        WEB_QUOTA_VARIABLE_BYTES: '100',
        WEB_QUOTA_QUEUED_RUNS: '3',
        WEB_QUOTA_API_TOKENS: '1',
        WEB_MAX_TIMEOUT_SECONDS: '600',
        WEB_TRIGGERS_PER_MINUTE: '5',
      },
    });
    ({ admin, user: bob } = await adminAndUser(stack));
  });
  afterAll(() => stack?.stop());

  const event = (extra: Record<string, unknown> = {}) => ({
    name: 'e',
    type: 'http',
    http: { method: 'GET', url: 'https://example.com/' },
    ...extra,
  });

  it('keeps priority above 0, per-second schedules and long timeouts for admins', async () => {
    for (const [extra, pointer] of [
      [{ priority: 100 }, '/body/priority'],
      [{ schedule: { cron: '* * * * * *' } }, '/body/schedule/cron'],
      [{ timeoutSeconds: 601 }, '/body/timeoutSeconds'],
    ] as const) {
      const refused = await stack.call('POST', '/api/v1/events', bob, event(extra));
      expect({ extra, status: refused.status }).toEqual({ extra, status: 422 });
      expect(refused.json.errors[0].pointer).toBe(pointer);
      expect((await stack.call('POST', '/api/v1/events', admin, event(extra))).status).toBe(201);
    }
  });

  it('counts events, variables and tokens per user', async () => {
    const first = await stack.call('POST', '/api/v1/events', bob, event({ priority: 0 }));
    expect(first.status).toBe(201);
    expect((await stack.call('POST', '/api/v1/events', bob, event())).status).toBe(201);
    const third = await stack.call('POST', '/api/v1/events', bob, event());
    expect(third.status).toBe(409);
    expect(third.json.detail).toMatch(/2 events, the most/);
    expect((await stack.call('PUT', '/api/v1/variables/a', bob, { value: '1' })).status).toBe(200);
    expect((await stack.call('PUT', '/api/v1/variables/b', bob, { value: '2' })).status).toBe(200);
    expect((await stack.call('PUT', '/api/v1/variables/a', bob, { value: '3' })).status).toBe(200);
    expect((await stack.call('PUT', '/api/v1/variables/c', bob, { value: '4' })).status).toBe(409);
    const big = await stack.call('PUT', '/api/v1/variables/a', bob, { value: 'x'.repeat(100) });
    expect(big.status).toBe(409);
    expect(big.json.detail).toMatch(/more than 100 characters/);
    expect(
      (await stack.call('POST', '/api/v1/tokens', bob, { name: 'a', scopes: ['runs:read'] }))
        .status,
    ).toBe(201);
    expect(
      (await stack.call('POST', '/api/v1/tokens', bob, { name: 'b', scopes: ['runs:read'] }))
        .status,
    ).toBe(409);
  });

  it('limits runs waiting in the queue and triggers per minute', async () => {
    // No orchestrator runs in this stack: triggered runs stay queued.
    const target = (await stack.call('GET', '/api/v1/events', bob)).json.events[0].id as number;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await stack.call('POST', `/api/v1/events/${target}/runs`, bob, {})).status);
    // Three queued, then the queue quota; the sixth trigger is past 5 per minute.
    expect(statuses.slice(0, 3)).toEqual([201, 201, 201]);
    expect(statuses.slice(3)).toEqual([429, 429, 429]);
  });
});

describe('the default target of a new event', () => {
  jest.setTimeout(120_000);

  it('is container when the orchestrator has a Docker engine, local for admins otherwise (C1)', async () => {
    const withDocker = await startApiStack({
      engine: true,
      orchestratorEnv: { ORCHESTRATOR_CONTAINERS: 'on' },
    });
    try {
      const { admin } = await adminAndUser(withDocker);
      const event = await withDocker.call('POST', '/api/v1/events', admin, {
        name: 'd',
        type: 'bash',
        script: 'true',
      });
      expect([event.status, event.json.targetKind]).toEqual([201, 'container']);
    } finally {
      await withDocker.stop();
    }
    const withoutDocker = await startApiStack({ engine: true });
    try {
      const { admin } = await adminAndUser(withoutDocker);
      const event = await withoutDocker.call('POST', '/api/v1/events', admin, {
        name: 'd',
        type: 'bash',
        script: 'true',
      });
      expect([event.status, event.json.targetKind]).toEqual([201, 'local']);
    } finally {
      await withoutDocker.stop();
    }
  });
});
