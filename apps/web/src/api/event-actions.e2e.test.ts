// Conditional actions end to end: an event's actions are saved with it, queued with its run's
// outcome in the same commit (the outbox), and sent (or the event they name started) once by
// an orchestrator, with templates filled from the run as it ended. An orchestrator killed between the outcome and the send
// loses nothing and doubles nothing.
import { RecordingServer } from '@cronium/tools/testing';
import { adminAndUser, startApiStack, type ApiStack } from './testing/api-stack.ts';

describe('conditional actions over HTTP', () => {
  let stack: ApiStack;
  let admin: string;
  let bob: string;
  const sink = new RecordingServer((_request, response) => response.writeHead(200).end('ok'));
  const bodies = () => sink.requests.map((request) => request.body);
  let sinkUrl: string;
  let credentialId: number;
  const call: ApiStack['call'] = (...args) => stack.call(...args);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    sinkUrl = `${await sink.listen()}/actions`;
    stack = await startApiStack({ engine: true });
    ({ admin, user: bob } = await adminAndUser(stack));
    credentialId = (
      await call('POST', '/api/v1/tools/credentials', admin, {
        kind: 'webhook',
        name: 'sink',
        config: { url: sinkUrl, method: 'POST' },
      })
    ).json.id;
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    await sink.close();
  });

  const action = (on: string, body: string) => ({
    on,
    tool: { credentialId, params: { body, contentType: 'application/json' } },
  });
  /** Waits until the sink has `count` bodies matching `tag`, then a little more for extras. */
  const received = async (tag: string, count: number) => {
    for (let i = 0; i < 300 && bodies().filter((b) => b.includes(tag)).length < count; i++)
      await sleep(100);
    await sleep(1_500);
    return bodies()
      .filter((b) => b.includes(tag))
      .map((b) => JSON.parse(b));
  };

  it('sends the action its run’s outcome calls for, filled from the run as it ended', async () => {
    const created = await call('POST', '/api/v1/events', admin, {
      name: 'report',
      type: 'bash',
      targetKind: 'local',
      script: 'echo "first line"; echo "rows: 42"; cronium_set_output \'{"rows": 42}\'',
      actions: [
        action(
          'success',
          '{"tag": "ok-1", "run": {{ run.id }}, "status": "{{ run.status }}", "rows": {{ output.rows }}, "last": "{{ logs | last }}", "event": "{{ event.name }}"}',
        ),
        action('failure', '{"tag": "bad-1"}'),
        action('always', '{"tag": "always-1", "exit": {{ run.exitCode }}}'),
      ],
    });
    expect(created.status).toBe(201);
    const event = (await call('GET', `/api/v1/events/${created.json.id}`, admin)).json;
    expect(event.actions.map((a: { on: string }) => a.on)).toEqual([
      'success',
      'failure',
      'always',
    ]);

    const run = (await call('POST', `/api/v1/events/${event.id}/runs`, admin, {})).json;
    expect(await stack.finished(admin, run.id)).toMatchObject({ status: 'succeeded' });
    expect(await received('ok-1', 1)).toEqual([
      {
        tag: 'ok-1',
        run: run.id,
        status: 'succeeded',
        rows: 42,
        last: 'rows: 42',
        event: 'report',
      },
    ]);
    expect(await received('always-1', 1)).toEqual([{ tag: 'always-1', exit: 0 }]);
    expect(bodies().some((b) => b.includes('bad-1'))).toBe(false);
  });

  it('sends a failure action for a failed run only', async () => {
    const event = (
      await call('POST', '/api/v1/events', admin, {
        name: 'breaks',
        type: 'bash',
        targetKind: 'local',
        script: 'echo oops >&2; exit 3',
        actions: [
          action(
            'failure',
            '{"tag": "bad-2", "error": "{{ run.error }}", "exit": {{ run.exitCode }}}',
          ),
          action('success', '{"tag": "ok-2"}'),
        ],
      })
    ).json;
    const run = (await call('POST', `/api/v1/events/${event.id}/runs`, admin, {})).json;
    expect(await stack.finished(admin, run.id)).toMatchObject({ status: 'failed' });
    const [sent] = await received('bad-2', 1);
    expect(sent).toMatchObject({ tag: 'bad-2', exit: 3 });
    expect(bodies().some((b) => b.includes('ok-2'))).toBe(false);
  });

  it('refuses actions with another user’s credential or a broken template, saving nothing', async () => {
    const answer = await call('POST', '/api/v1/events', bob, {
      name: 'not mine',
      type: 'http',
      http: { method: 'GET', url: 'https://example.com/' },
      actions: [action('always', '{"a": 1}')],
    });
    expect(answer.status).toBe(422);
    expect(answer.json.errors[0].pointer).toBe('/body/actions/0/tool/credentialId');
    const broken = await call('POST', '/api/v1/events', admin, {
      name: 'broken action',
      type: 'http',
      http: { method: 'GET', url: 'https://example.com/' },
      actions: [action('always', '{{ run.id ')],
    });
    expect(broken.status).toBe(422);
    expect(broken.json.errors[0].pointer).toBe('/body/actions/0/tool/params/body');
    expect((await call('GET', '/api/v1/events?q=broken', admin)).json.total).toBe(0);
    const unknown = await call('POST', '/api/v1/events', admin, {
      name: 'x',
      type: 'http',
      http: { method: 'GET', url: 'https://example.com/' },
      actions: [action('sometimes', '{}')],
    });
    expect(unknown.status).toBe(400);
  });

  /** The runs of an event, oldest first. */
  const runsOf = async (eventId: number) =>
    (
      (await call('GET', `/api/v1/runs?eventId=${eventId}`, admin)).json.runs as {
        id: number;
        trigger: string;
      }[]
    ).reverse();

  it('starts another event with the run’s output as its input, once per run', async () => {
    const target = (
      await call('POST', '/api/v1/events', admin, {
        name: 'upload',
        type: 'bash',
        targetKind: 'local',
        script: 'cronium_set_output "$(cronium_get_input)"',
      })
    ).json;
    const source = (
      await call('POST', '/api/v1/events', admin, {
        name: 'backup',
        type: 'bash',
        targetKind: 'local',
        script: 'cronium_set_output \'{"archive": "b-17.tar", "bytes": 1024}\'',
        actions: [
          { on: 'success', event: { id: target.id } },
          { on: 'failure', event: { id: target.id } },
        ],
      })
    ).json;
    expect(source.actions).toEqual([
      { on: 'success', event: { id: target.id } },
      { on: 'failure', event: { id: target.id } },
    ]);
    const run = (await call('POST', `/api/v1/events/${source.id}/runs`, admin, {})).json;
    expect(await stack.finished(admin, run.id)).toMatchObject({ status: 'succeeded' });
    let started: { id: number; trigger: string }[] = [];
    for (let i = 0; i < 200 && started.length === 0; i++) {
      await sleep(100);
      started = await runsOf(target.id);
    }
    expect(started).toHaveLength(1);
    expect(started[0]!.trigger).toBe('action');
    const done = await stack.finished(admin, started[0]!.id);
    expect(done).toMatchObject({
      status: 'succeeded',
      input: { archive: 'b-17.tar', bytes: 1024 },
      output: { archive: 'b-17.tar', bytes: 1024 },
    });
    await sleep(1_500);
    expect(await runsOf(target.id)).toHaveLength(1);
  });

  it('refuses an event action that would start runs in a loop, another user’s event, or both kinds at once', async () => {
    const make = async (name: string, actions: unknown[] = []) =>
      call('POST', '/api/v1/events', admin, {
        name,
        type: 'bash',
        targetKind: 'local',
        script: 'true',
        actions,
      });
    const c = (await make('loop-c')).json;
    const b = (await make('loop-b', [{ on: 'always', event: { id: c.id } }])).json;
    const a = (await make('loop-a', [{ on: 'success', event: { id: b.id } }])).json;
    // c -> a would close a -> b -> c -> a.
    const loop = await call('PATCH', `/api/v1/events/${c.id}`, admin, {
      actions: [{ on: 'failure', event: { id: a.id } }],
    });
    expect(loop.status).toBe(422);
    expect(loop.json.errors[0].pointer).toBe('/body/actions/0/event/id');
    expect(loop.json.errors[0].message).toMatch(/leads back/);
    const self = await call('PATCH', `/api/v1/events/${a.id}`, admin, {
      actions: [{ on: 'failure', event: { id: a.id } }],
    });
    expect(self.status).toBe(422);
    expect((await call('GET', `/api/v1/events/${c.id}`, admin)).json.actions).toEqual([]);
    expect((await call('GET', `/api/v1/events/${a.id}`, admin)).json.actions).toEqual([
      { on: 'success', event: { id: b.id } },
    ]);

    const others = await call('POST', '/api/v1/events', bob, {
      name: 'not yours',
      type: 'http',
      http: { method: 'GET', url: 'https://example.com/' },
      actions: [{ on: 'always', event: { id: a.id } }],
    });
    expect(others.status).toBe(422);
    expect(others.json.errors[0].pointer).toBe('/body/actions/0/event/id');
    const both = await make('both', [
      { ...action('always', '{}'), event: { id: a.id } },
      { on: 'always' },
    ]);
    expect(both.status).toBe(422);
    expect(both.json.errors.map((e: { pointer: string }) => e.pointer)).toEqual([
      '/body/actions/0',
      '/body/actions/1',
    ]);
  });

  it('offers the owner’s plain variables to templates, never the secret ones', async () => {
    expect((await call('PUT', '/api/v1/variables/team', admin, { value: 'ops' })).status).toBe(200);
    expect(
      (
        await call('PUT', '/api/v1/variables/deploy_key', admin, {
          value: 'never-in-a-message',
          secret: true,
        })
      ).status,
    ).toBe(200);
    const event = (
      await call('POST', '/api/v1/events', admin, {
        name: 'with variables',
        type: 'bash',
        targetKind: 'local',
        script: 'true',
        actions: [
          action(
            'always',
            '{"tag": "vars-1", "team": "{{ variables.team }}", "key": "{{ variables.deploy_key }}"}',
          ),
        ],
      })
    ).json;
    const run = (await call('POST', `/api/v1/events/${event.id}/runs`, admin, {})).json;
    await stack.finished(admin, run.id);
    expect(await received('vars-1', 1)).toEqual([{ tag: 'vars-1', team: 'ops', key: '' }]);
  });

  it('sends an action exactly once when its orchestrator is killed right after the outcome is stored', async () => {
    // An orchestrator that runs events but sends no actions: the outcome is stored with the
    // action due, and the orchestrator dies (SIGKILL) before anything sends it.
    await stack.orchestrator!.kill();
    await stack.orchestrator!.start({ ORCHESTRATOR_ACTIONS: 'false' });
    const followUp = (
      await call('POST', '/api/v1/events', admin, {
        name: 'follow-up',
        type: 'bash',
        targetKind: 'local',
        script: 'true',
      })
    ).json;
    const event = (
      await call('POST', '/api/v1/events', admin, {
        name: 'survives',
        type: 'bash',
        targetKind: 'local',
        script: 'echo done',
        actions: [
          action('success', '{"tag": "once-{{ run.id }}"}'),
          { on: 'success', event: { id: followUp.id } },
        ],
      })
    ).json;
    const run = (await call('POST', `/api/v1/events/${event.id}/runs`, admin, {})).json;
    expect(await stack.finished(admin, run.id)).toMatchObject({ status: 'succeeded' });
    await sleep(1_000);
    expect(bodies().some((b) => b.includes(`once-${run.id}`))).toBe(false);
    expect(await runsOf(followUp.id)).toEqual([]);
    await stack.orchestrator!.kill();

    // The next orchestrator finds the action due and sends it, once.
    await stack.orchestrator!.start();
    expect(await received(`once-${run.id}`, 1)).toHaveLength(1);
    await sleep(2_000);
    expect(bodies().filter((b) => b.includes(`once-${run.id}`))).toHaveLength(1);
    expect((await runsOf(followUp.id)).map((r) => r.trigger)).toEqual(['action']);
  });
});
