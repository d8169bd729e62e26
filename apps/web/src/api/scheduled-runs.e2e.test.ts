// Runs asked for a time (POST /events/{id}/runs with runAt), through the public API and a real
// orchestrator process: they wait as `scheduled`, start at their time (not before), survive
// an orchestrator's crash, can be cancelled, and times that make no sense are refused.
import { adminAndUser, startApiStack, type ApiStack } from './testing/api-stack.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('runs at a chosen time', () => {
  let stack: ApiStack;
  let admin: string;
  let bob: string;
  let eventId: number;
  const call: ApiStack['call'] = (...args) => stack.call(...args);
  const inSeconds = (s: number) => new Date(Date.now() + s * 1_000).toISOString();
  const status = async (runId: number) =>
    (await call('GET', `/api/v1/runs/${runId}`, admin)).json.status;

  beforeAll(async () => {
    stack = await startApiStack({ engine: true, webEnv: { WEB_QUOTA_QUEUED_RUNS: '3' } });
    ({ admin, user: bob } = await adminAndUser(stack));
    const event = await call('POST', '/api/v1/events', admin, {
      name: 'later',
      type: 'bash',
      targetKind: 'local',
      script: 'echo "ran at $(date +%s)"',
      // skip: a run scheduled for later must not hold the event's one slot meanwhile.
      concurrency: { policy: 'skip', max: 1 },
    });
    expect(event.status).toBe(201);
    eventId = event.json.id;
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('waits as scheduled, listed with its time, then runs at its time', async () => {
    const runAt = inSeconds(2);
    const created = await call('POST', `/api/v1/events/${eventId}/runs`, admin, { runAt });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ status: 'scheduled', runAt, startedAt: null });
    // Listed as scheduled, with its time.
    const listed = (await call('GET', `/api/v1/runs?eventId=${eventId}`, admin)).json.runs;
    expect(listed.find((r: { id: number }) => r.id === created.json.id)).toMatchObject({
      status: 'scheduled',
      runAt,
    });
    // Meanwhile the event (policy skip) runs now as if the scheduled run were not there.
    const now = await call('POST', `/api/v1/events/${eventId}/runs`, admin, {});
    expect(now.status).toBe(201);
    expect(await stack.finished(admin, now.json.id)).toMatchObject({ status: 'succeeded' });
    expect(await status(created.json.id)).toBe('scheduled');

    const run = await stack.finished(admin, created.json.id);
    expect(run).toMatchObject({ status: 'succeeded', attempt: 1 });
    expect(new Date(run.startedAt as string).getTime()).toBeGreaterThanOrEqual(
      new Date(runAt).getTime(),
    );
  });

  it('still starts when its orchestrator crashed and another one started', async () => {
    const runAt = inSeconds(3);
    const created = (await call('POST', `/api/v1/events/${eventId}/runs`, admin, { runAt })).json;
    await stack.orchestrator!.kill();
    // Its time passes while no orchestrator runs.
    await sleep(3_500);
    expect(await status(created.id)).toBe('scheduled');
    await stack.orchestrator!.start();
    const run = await stack.finished(admin, created.id);
    expect(run.status).toBe('succeeded');
    expect(new Date(run.startedAt as string).getTime()).toBeGreaterThanOrEqual(
      new Date(runAt).getTime(),
    );
  });

  it('is cancelled while it waits and never starts', async () => {
    const created = (
      await call('POST', `/api/v1/events/${eventId}/runs`, admin, { runAt: inSeconds(2) })
    ).json;
    const cancelled = await call('POST', `/api/v1/runs/${created.id}/cancel`, admin);
    expect(cancelled.status).toBe(200);
    expect(cancelled.json).toMatchObject({ status: 'cancelled', attempt: 0, startedAt: null });
    await sleep(3_000);
    expect((await call('GET', `/api/v1/runs/${created.id}`, admin)).json).toMatchObject({
      status: 'cancelled',
      attempt: 0,
      startedAt: null,
    });
    expect((await call('POST', `/api/v1/runs/${created.id}/cancel`, admin)).status).toBe(409);
  });

  it.each([
    ['more than a year ahead', () => inSeconds(367 * 86_400), 422],
    ['more than 5 minutes in the past', () => inSeconds(-600), 422],
  ])('refuses a time %s (422, pointing at /body/runAt)', async (message, runAt, code) => {
    const answer = await call('POST', `/api/v1/events/${eventId}/runs`, admin, { runAt: runAt() });
    expect(answer.status).toBe(code);
    expect(answer.type).toContain('application/problem+json');
    expect(answer.json).toMatchObject({
      code: 'UNPROCESSABLE',
      errors: [{ pointer: '/body/runAt', message }],
    });
  });

  it('refuses a time that does not parse (400, as any value not matching the schema)', async () => {
    const answer = await call('POST', `/api/v1/events/${eventId}/runs`, admin, {
      runAt: 'next tuesday',
    });
    expect(answer.status).toBe(400);
    expect(answer.json.errors[0].pointer).toBe('/body/runAt');
  });

  it("counts scheduled runs toward the owner's queued-run quota", async () => {
    const event = await call('POST', '/api/v1/events', bob, {
      name: 'far ahead',
      type: 'http',
      http: { method: 'GET', url: 'http://127.0.0.1:9/' },
    });
    expect(event.status).toBe(201);
    const tomorrow = inSeconds(86_400);
    for (let i = 0; i < 3; i++)
      expect(
        (await call('POST', `/api/v1/events/${event.json.id}/runs`, bob, { runAt: tomorrow }))
          .status,
      ).toBe(201);
    const refused = await call('POST', `/api/v1/events/${event.json.id}/runs`, bob, {
      runAt: tomorrow,
    });
    expect(refused.status).toBe(429);
    expect(refused.json.detail).toContain('3 runs waiting');
  });

  it('runs now for a time a moment ago', async () => {
    const answer = await call('POST', `/api/v1/events/${eventId}/runs`, admin, {
      runAt: inSeconds(-30),
    });
    expect(answer.status).toBe(201);
    expect(answer.json.status).toBe('queued');
    expect(await stack.finished(admin, answer.json.id)).toMatchObject({ status: 'succeeded' });
  });
});
