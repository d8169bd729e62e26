// Workflows end to end over HTTP: graphs saved whole (or refused whole, with pointers), runs
// whose steps are real local Bash runs passing data to each other, cancel and re-run, and an
// orchestrator killed again and again while a workflow runs: no step lost, none doubled.
import { adminAndUser, startApiStack, type ApiStack } from './testing/api-stack.ts';

describe('workflows over HTTP', () => {
  let stack: ApiStack;
  let admin: string;
  let bob: string;
  const call: ApiStack['call'] = (...args) => stack.call(...args);
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    stack = await startApiStack({
      engine: true,
      orchestratorEnv: { ORCHESTRATOR_LEASE_MS: '2000', ORCHESTRATOR_SWEEP_MS: '300' },
    });
    ({ admin, user: bob } = await adminAndUser(stack));
  }, 180_000);
  afterAll(() => stack?.stop());

  const bash = async (name: string, script: string, who = admin) => {
    const answer = await call('POST', '/api/v1/events', who, {
      name,
      type: 'bash',
      targetKind: 'local',
      script,
    });
    expect(answer.status).toBe(201);
    return answer.json.id as number;
  };
  /** Waits for a workflow run to end (or `timeoutMs`), and answers it. */
  const ended = (id: number, timeoutMs?: number) => stack.workflowRunEnded(admin, id, timeoutMs);
  const node = (run: { nodes: { name: string }[] }, name: string) =>
    run.nodes.find((n) => n.name === name) as Record<string, unknown>;

  it('runs a graph: each node a real run, outputs passed on as inputs, the failure path skipped', async () => {
    const backup = await bash(
      'wf backup',
      'echo "backing up $(cronium_get_input)"; cronium_set_output \'{"archive": "b-1.tar", "bytes": 2048}\'',
    );
    const upload = await bash(
      'wf upload',
      'cronium_get_event_context; echo; cronium_set_output "$(cronium_get_input)"',
    );
    const page = await bash('wf page', 'echo paging');
    const report = await bash('wf report', 'cronium_set_output "$(cronium_get_input)"');
    const created = await call('POST', '/api/v1/workflows', admin, {
      name: 'nightly',
      nodes: [
        { name: 'backup', event: { id: backup } },
        {
          name: 'upload',
          event: { id: upload },
          input: { file: 'backup.archive', day: 'input.day' },
        },
        { name: 'page', event: { id: page } },
        { name: 'report', event: { id: report }, join: 'any' },
      ],
      edges: [
        { from: 'backup', to: 'upload', on: 'success' },
        { from: 'backup', to: 'page', on: 'failure' },
        { from: 'upload', to: 'report' },
        { from: 'page', to: 'report' },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.json.edges).toHaveLength(4);
    expect(created.json.nodes.map((n: { name: string }) => n.name)).toEqual([
      'backup',
      'upload',
      'page',
      'report',
    ]);
    const started = await call('POST', `/api/v1/workflows/${created.json.id}/runs`, admin, {
      input: { day: 'friday' },
    });
    expect(started.status).toBe(201);
    expect(started.json).toMatchObject({ status: 'running', trigger: 'manual' });
    const run = await ended(started.json.id);
    expect(run).toMatchObject({
      status: 'succeeded',
      output: { report: { upload: { file: 'b-1.tar', day: 'friday' } } },
    });
    expect(node(run, 'backup')).toMatchObject({
      state: 'succeeded',
      runStatus: 'succeeded',
      output: { archive: 'b-1.tar', bytes: 2048 },
    });
    expect(node(run, 'page')).toMatchObject({ state: 'skipped', runId: null });
    expect(node(run, 'report')).toMatchObject({ state: 'succeeded' });
    // Each node's run is an ordinary run, with its log a click away.
    const backupRun = (await call('GET', `/api/v1/runs/${node(run, 'backup').runId}`, admin)).json;
    expect(backupRun).toMatchObject({
      trigger: 'workflow',
      input: { day: 'friday' },
      workflowRunId: run.id,
    });
    // A run of the same event started by hand is part of no workflow run.
    const alone = await call('POST', `/api/v1/events/${backup}/runs`, admin, {});
    expect(alone.status).toBe(201);
    expect(alone.json.workflowRunId).toBeNull();
    expect(
      (await call('GET', `/api/v1/runs/${alone.json.id}`, admin)).json.workflowRunId,
    ).toBeNull();
    const runsOfBackup = (await call('GET', `/api/v1/runs?eventId=${backup}`, admin)).json.runs;
    expect(
      runsOfBackup.map((r: { id: number; workflowRunId: number | null }) => [
        r.id,
        r.workflowRunId,
      ]),
    ).toEqual([
      [alone.json.id, null],
      [backupRun.id, run.id],
    ]);
    const logs = (await call('GET', `/api/v1/runs/${backupRun.id}/logs`, admin)).json;
    expect(logs.map((l: { text: string }) => l.text)).toContain('backing up {"day":"friday"}');
    // Every node finds its workflow, its own name and the workflow run's input in its context.
    const uploadLog = (await call('GET', `/api/v1/runs/${node(run, 'upload').runId}/logs`, admin))
      .json as { text: string }[];
    const context = JSON.parse(uploadLog.find((l) => l.text.startsWith('{'))!.text);
    expect(context.workflow).toEqual({
      id: created.json.id,
      runId: run.id,
      node: 'upload',
      input: { day: 'friday' },
    });
    const history = (await call('GET', `/api/v1/workflows/${created.json.id}/runs`, admin)).json;
    expect(history.runs.map((r: { id: number }) => r.id)).toEqual([run.id]);
    const listed = (await call('GET', '/api/v1/workflows?q=nightly', admin)).json.workflows;
    expect(listed).toEqual([
      expect.objectContaining({
        name: 'nightly',
        nodeCount: 4,
        lastRun: expect.objectContaining({ id: run.id, status: 'succeeded' }),
      }),
    ]);
  });

  it('refuses a graph that cannot run, with a pointer for each problem, and saves nothing', async () => {
    const script = await bash('wf check', 'true');
    const http = (
      await call('POST', '/api/v1/events', admin, {
        name: 'wf http',
        type: 'http',
        http: { method: 'GET', url: 'https://example.com/' },
      })
    ).json.id;
    const bobs = (
      await call('POST', '/api/v1/events', bob, {
        name: 'bob’s',
        type: 'http',
        http: { method: 'GET', url: 'https://example.com/' },
      })
    ).json.id;
    const bad = await call('POST', '/api/v1/workflows', admin, {
      name: 'broken',
      nodes: [
        { name: 'a', event: { id: script } },
        { name: 'b', event: { id: http } },
        { name: 'c', event: { id: bobs } },
        { name: 'd', event: { id: script }, input: { x: 'c.rows' } },
        { name: 'a', event: { id: script } },
        { name: 'input', event: { id: script } },
      ],
      edges: [
        { from: 'b', to: 'd', on: 'condition_true' },
        { from: 'a', to: 'zzz' },
      ],
    });
    expect(bad.status).toBe(422);
    expect(bad.type).toContain('application/problem+json');
    expect(bad.json.errors.map((e: { pointer: string }) => e.pointer).sort()).toEqual(
      [
        '/body/nodes/4/name',
        '/body/nodes/5/name',
        '/body/nodes/2/event/id',
        // c is not upstream of d: its output cannot be there when d starts.
        '/body/nodes/3/input/x',
        '/body/edges/0/on',
        '/body/edges/1/to',
      ].sort(),
    );
    const cycle = await call('POST', '/api/v1/workflows', admin, {
      name: 'loop',
      nodes: [
        { name: 'a', event: { id: script } },
        { name: 'b', event: { id: script } },
        { name: 'c', event: { id: script }, input: { x: 'a' } },
      ],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a' },
      ],
    });
    expect(cycle.status).toBe(422);
    expect(cycle.json.errors[0].message).toMatch(/cycle: a -> b -> a/);
    const unmapped = await call('POST', '/api/v1/workflows', admin, {
      name: 'unmapped',
      nodes: [
        { name: 'a', event: { id: script } },
        { name: 'c', event: { id: script }, input: { x: 'a.rows' } },
      ],
      edges: [],
    });
    expect(unmapped.json.errors[0].pointer).toBe('/body/nodes/1/input/x');
    // A workflow that would contain itself through another.
    const inner = (
      await call('POST', '/api/v1/workflows', admin, {
        name: 'inner',
        nodes: [{ name: 'x', event: { id: script } }],
      })
    ).json;
    const outer = (
      await call('POST', '/api/v1/workflows', admin, {
        name: 'outer',
        nodes: [{ name: 'sub', workflow: { id: inner.id } }],
      })
    ).json;
    const selfish = await call('PATCH', `/api/v1/workflows/${inner.id}`, admin, {
      nodes: [{ name: 'x', workflow: { id: outer.id } }],
      edges: [],
    });
    expect(selfish.status).toBe(422);
    expect(selfish.json.errors[0].pointer).toBe('/body/nodes/0/workflow/id');
    expect((await call('GET', `/api/v1/workflows/${inner.id}`, admin)).json.nodes).toEqual([
      expect.objectContaining({ name: 'x', event: { id: script } }),
    ]);
    expect((await call('DELETE', `/api/v1/workflows/${inner.id}`, admin)).status).toBe(409);
    expect((await call('DELETE', `/api/v1/events/${script}`, admin)).status).toBe(409);
    expect((await call('GET', '/api/v1/workflows?q=broken', admin)).json.workflows).toEqual([]);
    // Malformed bodies are 400s, not 500s.
    expect(
      (
        await call('POST', '/api/v1/workflows', admin, {
          name: 'x',
          nodes: [{ name: 'has space' }],
        })
      ).status,
    ).toBe(400);
    expect((await call('POST', '/api/v1/workflows', admin, { name: 'x', nodes: [] })).status).toBe(
      400,
    );
    // Another user sees none of it.
    expect((await call('GET', `/api/v1/workflows/${inner.id}`, bob)).status).toBe(404);
    expect((await call('POST', `/api/v1/workflows/${inner.id}/runs`, bob, {})).status).toBe(404);
  });

  it('cancels a running workflow run, and re-runs a failed one from its failed node', async () => {
    const slow = await bash('wf slow', 'sleep 30');
    const after = await bash('wf after', 'true');
    const wf = (
      await call('POST', '/api/v1/workflows', admin, {
        name: 'slow one',
        nodes: [
          { name: 'slow', event: { id: slow } },
          { name: 'after', event: { id: after } },
        ],
        edges: [{ from: 'slow', to: 'after' }],
      })
    ).json;
    const started = (await call('POST', `/api/v1/workflows/${wf.id}/runs`, admin, {})).json;
    for (let i = 0; i < 100; i++) {
      const run = (await call('GET', `/api/v1/workflow-runs/${started.id}`, admin)).json;
      if (node(run, 'slow').runStatus === 'running') break;
      await sleep(100);
    }
    const cancelled = await call('POST', `/api/v1/workflow-runs/${started.id}/cancel`, admin);
    expect(cancelled.status).toBe(200);
    expect(cancelled.json.status).toBe('cancelled');
    expect(node(cancelled.json, 'after')).toMatchObject({ state: 'cancelled' });
    const slowRun = node(cancelled.json, 'slow').runId as number;
    expect((await stack.finished(admin, slowRun)).status).toBe('cancelled');
    expect((await call('POST', `/api/v1/workflow-runs/${started.id}/cancel`, admin)).status).toBe(
      409,
    );

    // A step that fails until a variable says otherwise; the re-run reuses the first step.
    const first = await bash('wf first', 'cronium_set_output \'{"n": 1}\'');
    const flaky = await bash(
      'wf flaky',
      '[ "$(cronium_get_variable flaky_ok)" = yes ] || exit 1; cronium_set_output "$(cronium_get_input)"',
    );
    const chain = (
      await call('POST', '/api/v1/workflows', admin, {
        name: 'flaky chain',
        nodes: [
          { name: 'first', event: { id: first } },
          { name: 'flaky', event: { id: flaky } },
        ],
        edges: [{ from: 'first', to: 'flaky', on: 'success' }],
      })
    ).json;
    const failed = await ended(
      (await call('POST', `/api/v1/workflows/${chain.id}/runs`, admin, {})).json.id,
    );
    expect(failed).toMatchObject({ status: 'failed', error: 'flaky failed' });
    await call('PUT', '/api/v1/variables/flaky_ok', admin, { value: 'yes' });
    const rerun = await call('POST', `/api/v1/workflow-runs/${failed.id}/rerun`, admin);
    expect(rerun.status).toBe(201);
    const again = await ended(rerun.json.id);
    expect(again).toMatchObject({ status: 'succeeded', rerunOf: failed.id, trigger: 'rerun' });
    expect(node(again, 'first')).toMatchObject({
      reused: true,
      runId: node(failed, 'first').runId,
    });
    expect(node(again, 'flaky')).toMatchObject({ reused: false, output: { first: { n: 1 } } });
    expect((await call('POST', `/api/v1/workflow-runs/${again.id}/rerun`, admin)).status).toBe(409);
  });

  it('fires on a cron schedule through the scheduler and its ledger; a bad schedule is a 422', async () => {
    const tick = await bash('wf tick', 'echo tick');
    const bad = await call('POST', '/api/v1/workflows', admin, {
      name: 'bad schedule',
      schedule: { cron: '61 * * * *' },
      nodes: [{ name: 'tick', event: { id: tick } }],
    });
    expect(bad.status).toBe(422);
    expect(bad.json.errors[0].pointer).toBe('/body/schedule/cron');
    const wf = await call('POST', '/api/v1/workflows', admin, {
      name: 'every second',
      schedule: { cron: '* * * * * *', timezone: 'Europe/Paris', misfirePolicy: 'none' },
      nodes: [{ name: 'tick', event: { id: tick } }],
    });
    expect(wf.status).toBe(201);
    expect(wf.json.schedule).toEqual({
      cron: '* * * * * *',
      timezone: 'Europe/Paris',
      misfirePolicy: 'none',
    });
    let ticks: { outcome: string; workflowRunId: number | null }[] = [];
    for (let i = 0; i < 100 && !ticks.some((k) => k.workflowRunId); i++) {
      await sleep(100);
      ticks = (await call('GET', `/api/v1/workflows/${wf.json.id}/ticks`, admin)).json;
    }
    const fired = ticks.find((k) => k.workflowRunId)!;
    expect(fired.outcome).toBe('enqueued');
    const run = await ended(fired.workflowRunId!);
    expect(run).toMatchObject({ status: 'succeeded', trigger: 'schedule' });
    expect(
      (await call('GET', `/api/v1/workflows/${wf.json.id}`, admin)).json.nextFireAt,
    ).not.toBeNull();
    const paused = await call('PATCH', `/api/v1/workflows/${wf.json.id}`, admin, {
      status: 'paused',
      schedule: null,
    });
    expect(paused.json).toMatchObject({ status: 'paused', schedule: null, nextFireAt: null });
  });

  it('starts from a webhook: the request as the input, one run per delivery, ?wait answers the output', async () => {
    const echo = await bash('wf echo', 'cronium_set_output "$(cronium_get_input)"');
    const wf = (
      await call('POST', '/api/v1/workflows', admin, {
        name: 'hooked',
        nodes: [{ name: 'echo', event: { id: echo } }],
      })
    ).json;
    const created = await call('POST', `/api/v1/workflows/${wf.id}/webhooks`, admin, {
      name: 'deploy',
      authMode: 'bearer',
      headers: ['X-Source'],
    });
    expect(created.status).toBe(201);
    expect(created.json.webhook).toMatchObject({ workflowId: wf.id, eventId: null });
    const listed = (await call('GET', `/api/v1/workflows/${wf.id}/webhooks`, admin)).json;
    expect(listed.map((h: { id: number }) => h.id)).toEqual([created.json.webhook.id]);
    expect((await call('GET', `/api/v1/workflows/${wf.id}/webhooks`, bob)).status).toBe(404);
    const url = new URL(created.json.webhook.url);
    const deliver = (query = '', key = 'delivery-1') =>
      fetch(`${stack.base}${url.pathname}${query}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${created.json.secret}`,
          'content-type': 'application/json',
          'idempotency-key': key,
          'x-source': 'ci',
        },
        body: JSON.stringify({ ref: 'main' }),
      });
    const first = await deliver('?wait=20');
    expect(first.status).toBe(200);
    const done = await first.json();
    expect(done).toMatchObject({ status: 'succeeded', duplicate: false });
    expect(first.headers.get('location')).toBe(`/api/v1/workflow-runs/${done.workflowRunId}`);
    expect(done.output.echo).toMatchObject({
      body: { ref: 'main' },
      bodyType: 'json',
      headers: { 'x-source': 'ci' },
    });
    // The same delivery again: the same workflow run, nothing new started.
    const again = await deliver();
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({
      workflowRunId: done.workflowRunId,
      duplicate: true,
    });
    const runs = (await call('GET', `/api/v1/workflows/${wf.id}/runs`, admin)).json.runs;
    expect(runs.map((r: { trigger: string }) => r.trigger)).toEqual(['webhook']);
    // A paused workflow takes no deliveries; a wrong secret is refused before anything.
    await call('PATCH', `/api/v1/workflows/${wf.id}`, admin, { status: 'paused' });
    expect((await deliver('', 'delivery-2')).status).toBe(409);
    const wrong = await fetch(`${stack.base}${url.pathname}`, {
      method: 'POST',
      headers: { authorization: 'Bearer crw_wrong', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(wrong.status).toBe(401);
  });

  it('loses no step and doubles none while its orchestrator is killed again and again', async () => {
    const steps = 12;
    const step = await bash(
      'wf step',
      'sleep 0.3; cronium_set_output "$(( $(cronium_get_input | tr -dc 0-9) + 1 ))"',
    );
    const nodes = Array.from({ length: steps }, (_, i) => ({
      name: `s${i}`,
      event: { id: step },
      ...(i > 0 ? { input: { n: `s${i - 1}` } } : {}),
    }));
    const wf = (
      await call('POST', '/api/v1/workflows', admin, {
        name: 'chaos',
        nodes,
        edges: nodes.slice(1).map((n, i) => ({ from: `s${i}`, to: n.name, on: 'success' })),
      })
    ).json;
    const started = (
      await call('POST', `/api/v1/workflows/${wf.id}/runs`, admin, { input: { n: 0 } })
    ).json;
    // SIGKILL the orchestrator at uneven moments while the chain runs (mid-step, between
    // steps, as a step's outcome is stored), each time after the chain moved on at least one
    // step (a run whose orchestrator dies five times is failed as a poison run, by design).
    const done = async () =>
      (await call('GET', `/api/v1/workflow-runs/${started.id}`, admin)).json.nodes.filter(
        (n: { state: string }) => n.state === 'succeeded',
      ).length as number;
    let kills = 0;
    for (let seen = 0; kills < 8 && seen < steps - 1; kills++) {
      for (let now = await done(); now <= seen; now = await done()) await sleep(50);
      seen = await done();
      await sleep((kills * 137) % 400);
      await stack.orchestrator!.kill();
      await stack.orchestrator!.start({
        ORCHESTRATOR_LEASE_MS: '2000',
        ORCHESTRATOR_SWEEP_MS: '300',
      });
    }
    expect(kills).toBeGreaterThanOrEqual(5);
    const run = await ended(started.id, 120_000);
    if (run.status !== 'succeeded') console.log(JSON.stringify(run.nodes, null, 1));
    expect(run.status).toBe('succeeded');
    expect(run.output).toEqual({ [`s${steps - 1}`]: steps });
    // One run per step: none lost, none doubled (a killed attempt is retried within its run).
    const runs = (await call('GET', `/api/v1/runs?eventId=${step}&limit=200`, admin)).json.runs;
    const ofThisRun = runs.filter((r: { id: number }) =>
      run.nodes.some((n: { runId: number }) => n.runId === r.id),
    );
    expect(ofThisRun).toHaveLength(steps);
    expect(runs.filter((r: { trigger: string }) => r.trigger === 'workflow')).toHaveLength(steps);
    // Eight orchestrator restarts, each with a lost attempt's 2 s lease to run out: more than
    // the default minute on a loaded machine.
  }, 180_000);
});
