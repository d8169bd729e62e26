// A workflow's tool nodes end to end: saved with the graph (their credential and params
// checked), sent once by an orchestrator's action worker with templates filled from the
// node's input and its workflow run, and the tool's answer passed on to the next node.
import { RecordingServer } from '@cronium/tools/testing';
import { adminAndUser, startApiStack, type ApiStack } from './testing/api-stack.ts';

describe('workflow tool nodes over HTTP', () => {
  let stack: ApiStack;
  let admin: string;
  let bob: string;
  const sink = new RecordingServer((_request, response) => response.writeHead(200).end('received'));
  const bodies = () => sink.requests.map((request) => request.body);
  let sinkOrigin: string;
  let credentialId: number;
  const call: ApiStack['call'] = (...args) => stack.call(...args);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    sinkOrigin = await sink.listen();
    const sinkUrl = `${sinkOrigin}/hook`;
    stack = await startApiStack({ engine: true });
    ({ admin, user: bob } = await adminAndUser(stack));
    // The admin's egress policy reaches loopback; an ordinary user's does not.
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

  const bash = async (name: string, script: string) => {
    const answer = await call('POST', '/api/v1/events', admin, {
      name,
      type: 'bash',
      targetKind: 'local',
      script,
    });
    expect(answer.status).toBe(201);
    return answer.json.id as number;
  };
  const ended = (id: number, who = admin) => stack.workflowRunEnded(who, id);
  const node = (run: { nodes: { name: string }[] }, name: string) =>
    run.nodes.find((n) => n.name === name) as Record<string, unknown>;

  it('sends the node once, filled from its input and its workflow run, and passes the answer on', async () => {
    const extract = await bash('tn extract', 'cronium_set_output \'{"rows": 42}\'');
    const after = await bash('tn after', 'cronium_set_output "$(cronium_get_input)"');
    const body =
      '{"tag": "tn-1", "rows": {{ input.extract.rows }}, "run": {{ workflow.runId }}, "node": "{{ workflow.node }}", "day": "{{ workflow.input.day }}"}';
    const created = await call('POST', '/api/v1/workflows', admin, {
      name: 'tool nodes',
      nodes: [
        { name: 'extract', event: { id: extract } },
        {
          name: 'notify',
          tool: { credentialId, params: { body, contentType: 'application/json' } },
        },
        { name: 'after', event: { id: after } },
      ],
      edges: [
        { from: 'extract', to: 'notify', on: 'success' },
        { from: 'notify', to: 'after', on: 'success' },
      ],
    });
    expect(created.status).toBe(201);
    // Saved as sent: the tool node reads back with its credential and params.
    const saved = (await call('GET', `/api/v1/workflows/${created.json.id}`, admin)).json;
    expect(saved.nodes[1]).toMatchObject({
      name: 'notify',
      tool: { credentialId, params: { body, contentType: 'application/json' } },
    });
    expect(saved.nodes[1].event).toBeUndefined();

    const started = await call('POST', `/api/v1/workflows/${created.json.id}/runs`, admin, {
      input: { day: 'friday' },
    });
    const run = await ended(started.json.id);
    expect(run.status).toBe('succeeded');
    const answer = { kind: 'webhook', status: 200 };
    expect(node(run, 'notify')).toMatchObject({
      kind: 'tool',
      toolCredentialId: credentialId,
      state: 'succeeded',
      runId: null,
      input: { extract: { rows: 42 } },
      tries: 1,
      output: answer,
    });
    expect(node(run, 'after')).toMatchObject({
      state: 'succeeded',
      output: { notify: expect.objectContaining(answer) },
    });
    // Exactly one request, filled in.
    await sleep(1_000);
    const sent = bodies()
      .filter((b) => b.includes('tn-1'))
      .map((b) => JSON.parse(b));
    expect(sent).toEqual([{ tag: 'tn-1', rows: 42, run: run.id, node: 'notify', day: 'friday' }]);
  });

  it('refuses a tool node with another user’s credential, bad params or two things to do', async () => {
    const refused = await call('POST', '/api/v1/workflows', bob, {
      name: 'borrowed',
      nodes: [{ name: 'b', tool: { credentialId, params: { body: 'x' } } }],
      edges: [],
    });
    expect(refused.status).toBe(422);
    expect(refused.json.errors).toEqual([
      expect.objectContaining({ pointer: '/body/nodes/0/tool/credentialId' }),
    ]);
    const badParams = await call('POST', '/api/v1/workflows', admin, {
      name: 'bad params',
      nodes: [{ name: 'b', tool: { credentialId, params: { body: '{{ nope' } } }],
      edges: [],
    });
    expect(badParams.status).toBe(422);
    expect(badParams.json.errors[0].pointer).toMatch(/^\/body\/nodes\/0\/tool\/params\//);
    const both = await call('POST', '/api/v1/workflows', admin, {
      name: 'both',
      nodes: [
        {
          name: 'b',
          event: { id: await bash('tn both', 'true') },
          tool: { credentialId, params: { body: 'x' } },
        },
      ],
      edges: [],
    });
    expect(both.status).toBe(422);
    expect(both.json.errors[0]).toMatchObject({ pointer: '/body/nodes/0' });
  });

  it('fails the node, not the orchestrator, when the owner’s egress policy refuses the address', async () => {
    const bobCredential = (
      await call('POST', '/api/v1/tools/credentials', bob, {
        kind: 'webhook',
        name: 'loopback',
        config: {
          url: `${sinkOrigin}/bob`,
          method: 'POST',
        },
      })
    ).json.id;
    const created = await call('POST', '/api/v1/workflows', bob, {
      name: 'refused',
      nodes: [{ name: 'send', tool: { credentialId: bobCredential, params: { body: 'tn-bob' } } }],
      edges: [],
    });
    expect(created.status).toBe(201);
    const started = await call('POST', `/api/v1/workflows/${created.json.id}/runs`, bob, {});
    const run = await ended(started.json.id, bob);
    expect(run.status).toBe('failed');
    expect(node(run, 'send')).toMatchObject({ state: 'failed' });
    expect(String(node(run, 'send').error)).toMatch(/refused|not allowed|egress/i);
    expect(bodies().filter((b) => b.includes('tn-bob'))).toEqual([]);
  });
});
