// What the UI's pages read beside the plain resources, over real HTTP with real runs: the
// event list's search, filters, sorting and paging, the dashboard's run summary, the settings,
// the schedule preview, and a run's output (served once the run has ended, masked). Nothing
// of one user's may show in another user's answers; an admin sees everyone's.
import { adminAndUser, startApiStack, type ApiStack } from './testing/api-stack.ts';

describe('overview API over HTTP', () => {
  let stack: ApiStack;
  let admin: string;
  let bob: string;
  const call: ApiStack['call'] = (...args) => stack.call(...args);
  const ids = (list: { id?: number; eventId?: number }[]) =>
    list.map((item) => item.eventId ?? item.id);

  /** Creates an event and runs it to its end; the event and the run. */
  async function ranEvent(auth: string, body: Record<string, unknown>) {
    const created = await call('POST', '/api/v1/events', auth, { type: 'bash', ...body });
    expect(created.status).toBe(201);
    const triggered = await call('POST', `/api/v1/events/${created.json.id}/runs`, auth, {});
    expect(triggered.json).toMatchObject({ status: 'queued' });
    return { event: created.json, run: await stack.finished(auth, triggered.json.id) };
  }

  let adminFailure: { event: { id: number }; run: Record<string, unknown> };
  let bobFailure: typeof adminFailure;
  let bobSuccess: typeof adminFailure;
  let bobRunning: { event: { id: number }; runId: number };
  let adminScheduled: { id: number };
  let bobScheduled: { id: number };

  beforeAll(async () => {
    // bob's scripts run locally too (as their own uid, in the sandbox).
    stack = await startApiStack({
      engine: true,
      orchestratorEnv: { ORCHESTRATOR_LOCAL: 'everyone' },
    });
    ({ admin, user: bob } = await adminAndUser(stack));
    adminFailure = await ranEvent(admin, { name: 'admin nightly export', script: 'exit 3' });
    bobFailure = await ranEvent(bob, {
      name: 'bob 100% broken',
      script: 'echo "disk full" >&2; exit 2',
      tags: ['billing'],
    });
    bobSuccess = await ranEvent(bob, { name: 'bob report', script: 'echo ok' });
    adminScheduled = (
      await call('POST', '/api/v1/events', admin, {
        name: 'admin yearly',
        type: 'bash',
        script: 'true',
        schedule: { cron: '0 0 1 1 *', timezone: 'Europe/Paris' },
      })
    ).json;
    bobScheduled = (
      await call('POST', '/api/v1/events', bob, {
        name: 'bob hourly',
        type: 'bash',
        script: 'true',
        schedule: { cron: '0 * * * *', timezone: 'Asia/Tokyo' },
      })
    ).json;
    // A run of bob's that sets its output, then keeps running.
    const event = (
      await call('POST', '/api/v1/events', bob, {
        name: 'bob long',
        type: 'bash',
        script: 'cronium_set_output "{\\"key\\":\\"$API_KEY\\"}"; echo ready; sleep 60',
        secretEnv: { API_KEY: 'sup3r-secret-key' },
      })
    ).json;
    const run = (await call('POST', `/api/v1/events/${event.id}/runs`, bob, {})).json;
    bobRunning = { event, runId: run.id };
    for (let i = 0; i < 300; i++) {
      const logs = (await call('GET', `/api/v1/runs/${run.id}/logs?after=0`, bob)).json;
      if (logs.some((line: { text: string }) => line.text === 'ready')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 240_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('serves a run’s output only once the run has ended, masked like its log', async () => {
    const running = (await call('GET', `/api/v1/runs/${bobRunning.runId}`, bob)).json;
    expect(running).toMatchObject({ status: 'running', output: null });
    expect((await call('POST', `/api/v1/runs/${bobRunning.runId}/cancel`, bob)).status).toBe(200);
    const ended = await stack.finished(bob, bobRunning.runId);
    expect(ended).toMatchObject({ status: 'cancelled', output: { key: '***' } });
    expect(JSON.stringify(ended)).not.toContain('sup3r-secret-key');
  });

  it('summarizes only the caller’s runs and schedules; an admin’s summary has everyone’s', async () => {
    const mine = (await call('GET', '/api/v1/runs/summary', bob)).json;
    expect(mine.byStatus).toMatchObject({ succeeded: 1, failed: 1 });
    expect(ids(mine.recentFailures)).toEqual([bobFailure.event.id]);
    expect(mine.recentFailures[0]).toMatchObject({
      id: bobFailure.run.id,
      eventName: 'bob 100% broken',
      status: 'failed',
    });
    expect(ids(mine.nextFires)).toEqual([bobScheduled.id]);
    expect(mine.nextFires[0]).toMatchObject({ name: 'bob hourly', timezone: 'Asia/Tokyo' });
    expect(new Date(mine.nextFires[0].at).getUTCMinutes()).toBe(0);
    for (const list of [mine.running, mine.recentFailures, mine.nextFires])
      expect(ids(list)).not.toContain(adminFailure.event.id);

    const everyone = (await call('GET', '/api/v1/runs/summary', admin)).json;
    expect(ids(everyone.recentFailures)).toEqual(
      expect.arrayContaining([adminFailure.event.id, bobFailure.event.id]),
    );
    expect(ids(everyone.nextFires)).toEqual(
      expect.arrayContaining([adminScheduled.id, bobScheduled.id]),
    );
    expect(everyone.byStatus.failed).toBe(2);

    for (const hours of [0, 721, 'x'])
      expect((await call('GET', `/api/v1/runs/summary?hours=${hours}`, bob)).status).toBe(400);
  });

  it('shows a user their limits, and only an admin the egress policy', async () => {
    const user = (await call('GET', '/api/v1/settings', bob)).json;
    expect(user.limits).toMatchObject({ events: expect.any(Number), servers: expect.any(Number) });
    expect(user).not.toHaveProperty('egress');
    expect(typeof user.targets.local).toBe('string');
    const adminView = (await call('GET', '/api/v1/settings', admin)).json;
    expect(adminView.limits).toBeNull();
    expect(adminView.egress).toEqual({
      allow: expect.any(Array),
      allowMetadata: expect.any(Array),
    });
    expect((await call('GET', '/api/v1/settings')).status).toBe(401);
  });

  it('previews the next fires of a schedule in its zone, and names the bad field', async () => {
    const preview = (
      await call(
        'GET',
        '/api/v1/schedules/preview?cron=0%209%20*%20*%201-5&timezone=Europe/Berlin&count=3',
        bob,
      )
    ).json;
    expect(preview.timezone).toBe('Europe/Berlin');
    expect(preview.fires).toHaveLength(3);
    for (const fire of preview.fires) {
      const at = new Date(fire.at);
      const berlin = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Berlin',
        weekday: 'short',
        hour: '2-digit',
        minute: '2-digit',
      }).format(at);
      expect(berlin).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:00$/);
    }
    const bad = async (query: string, pointer: string) => {
      const answer = await call('GET', `/api/v1/schedules/preview?${query}`, bob);
      expect(answer.status).toBe(422);
      expect(answer.type).toContain('application/problem+json');
      expect(answer.json.errors[0].pointer).toBe(pointer);
    };
    await bad('cron=61%20*%20*%20*%20*', '/query/cron');
    await bad('cron=*%20*%20*%20*%20*&timezone=Mars/Olympus', '/query/timezone');
    expect(
      (await call('GET', '/api/v1/schedules/preview?cron=*%20*%20*%20*%20*&count=21', bob)).status,
    ).toBe(400);
  });

  it('lists events with search, filters, sorting and paging, each with its last run and next fire', async () => {
    const list = async (auth: string, query: string) =>
      (await call('GET', `/api/v1/events?${query}`, auth)).json;

    const bobs = await list(bob, 'limit=200');
    expect(bobs.total).toBe(4);
    expect(bobs.events.map((e: { name: string }) => e.name)).toEqual([
      'bob long',
      'bob hourly',
      'bob report',
      'bob 100% broken',
    ]);
    const broken = bobs.events.find((e: { id: number }) => e.id === bobFailure.event.id);
    expect(broken.lastRun).toMatchObject({ id: bobFailure.run.id, status: 'failed' });
    expect(broken.nextFireAt).toBeNull();
    const hourly = bobs.events.find((e: { id: number }) => e.id === bobScheduled.id);
    expect(hourly.lastRun).toBeNull();
    expect(new Date(hourly.nextFireAt).getTime()).toBeGreaterThan(Date.now());

    // Search: a part of the name (LIKE's wildcards are literal), or an exact tag.
    expect(ids((await list(bob, 'q=100%25')).events)).toEqual([bobFailure.event.id]);
    expect((await list(bob, 'q=_')).total).toBe(0);
    expect(ids((await list(bob, 'q=billing')).events)).toEqual([bobFailure.event.id]);
    expect((await list(bob, 'q=nightly')).total).toBe(0);
    expect(ids((await list(admin, 'q=nightly')).events)).toEqual([adminFailure.event.id]);

    // Sorting and paging by offset, with the total of the filtered list.
    const byName = await list(bob, 'sort=name&limit=2&offset=1');
    expect(byName.total).toBe(4);
    expect(byName.events.map((e: { name: string }) => e.name)).toEqual(['bob hourly', 'bob long']);
    expect(ids((await list(bob, 'sort=nextFire&limit=1')).events)).toEqual([bobScheduled.id]);
    expect(ids((await list(bob, 'sort=oldest&limit=1')).events)).toEqual([bobFailure.event.id]);

    // Filters compose; an admin's list is everyone's.
    expect((await list(bob, 'targetKind=container')).total).toBe(0);
    expect((await list(bob, 'targetKind=local&tag=billing')).total).toBe(1);
    expect((await list(bob, 'status=paused')).total).toBe(0);
    expect((await list(admin, 'limit=200')).total).toBe(6);

    for (const query of ['sort=random', 'offset=-1', 'targetKind=moon', 'limit=0'])
      expect((await call('GET', `/api/v1/events?${query}`, bob)).status).toBe(400);
  });

  it('names each run’s event in run lists', async () => {
    const runs = (await call('GET', `/api/v1/runs?eventId=${bobSuccess.event.id}`, bob)).json;
    expect(runs.runs.map((r: { eventName: string }) => r.eventName)).toEqual(['bob report']);
    // Another user's event gives nothing away.
    const theirs = await call('GET', `/api/v1/runs?eventId=${adminFailure.event.id}`, bob);
    expect(theirs.json.runs ?? []).toEqual([]);
  });
});
