// `tool` events end to end: created over the API with one of the owner's credentials, run by
// the orchestrator like an HTTP event (queue, retries honouring 429/5xx and Retry-After, no
// retry for a 4xx), their templates filled from the run, their secrets kept out of the log.
import type { ServerResponse } from 'node:http';
import { verifyWebhookSignature } from '@cronium/tools';
import { RecordingServer } from '@cronium/tools/testing';
import { adminAndUser, startApiStack, type ApiStack } from './testing/api-stack.ts';

/** The sink's answer: 200 `ok`, or a refusal with this status (and headers). */
const answer =
  (status: number, headers: Record<string, string> = {}) =>
  (_request: unknown, response: ServerResponse) =>
    response.writeHead(status, headers).end(status === 200 ? 'ok' : 'not now');

describe('tool events over HTTP', () => {
  let stack: ApiStack;
  let admin: string;
  let bob: string;
  /** Answers 200 unless told otherwise for the next requests (`answerNext`). */
  const sink = new RecordingServer(answer(200));
  const hits = sink.requests;
  let sinkUrl: string;
  let credentialId: number;
  const call: ApiStack['call'] = (...args) => stack.call(...args);
  const SECRET = 'sixteen-plus-signing-secret';

  beforeAll(async () => {
    sinkUrl = `${await sink.listen()}/in/s3cret-path-token`;
    stack = await startApiStack({ engine: true });
    ({ admin, user: bob } = await adminAndUser(stack));
    credentialId = (
      await call('POST', '/api/v1/tools/credentials', admin, {
        kind: 'webhook',
        name: 'sink',
        config: { url: sinkUrl, method: 'POST', signingSecret: SECRET },
      })
    ).json.id;
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    await sink.close();
  });

  const toolEvent = async (name: string, maxAttempts = 3) => {
    const created = await call('POST', '/api/v1/events', admin, {
      name,
      type: 'tool',
      tool: {
        credentialId,
        params: {
          body: '{"run": {{ run.id }}, "attempt": {{ run.attempt }}, "event": "{{ event.name }}", "who": "{{ input.name | upcase }}"}',
          contentType: 'application/json',
        },
      },
      retry: { maxAttempts, delaySeconds: 0, backoffFactor: 1 },
    });
    expect(created.status).toBe(201);
    return created.json;
  };
  const runOf = async (eventId: number, input: unknown) => {
    const run = (await call('POST', `/api/v1/events/${eventId}/runs`, admin, { input })).json;
    return stack.finished(admin, run.id);
  };
  const logText = async (runId: number) =>
    (await call('GET', `/api/v1/runs/${runId}/logs?after=0`, admin)).text;

  it('sends its message with the templates filled from the run, signed, and shows the tool in the event', async () => {
    const event = await toolEvent('notify');
    expect(event).toMatchObject({
      type: 'tool',
      targetKind: 'local',
      tool: { credentialId, params: { contentType: 'application/json' } },
    });
    sink.reset();
    const run = await runOf(event.id, { name: 'ada' });
    expect(run).toMatchObject({
      status: 'succeeded',
      attempt: 1,
      result: { kind: 'webhook', status: 200 },
    });
    expect(hits).toHaveLength(1);
    expect(JSON.parse(hits[0]!.body)).toEqual({
      run: run.id,
      attempt: 1,
      event: 'notify',
      who: 'ADA',
    });
    expect(hits[0]!.headers['content-type']).toMatch(/application\/json/);
    expect(
      verifyWebhookSignature(
        SECRET,
        {
          timestamp: hits[0]!.headers['x-cronium-timestamp'] as string,
          signature: hits[0]!.headers['x-cronium-signature'] as string,
        },
        hits[0]!.body,
      ),
    ).toBe(true);
    const log = await logText(run.id as number);
    expect(log).toMatch(/sending a webhook action/);
    expect(log).not.toContain('s3cret-path-token');
    expect(log).not.toContain(SECRET);
  });

  it('retries a 5xx, and waits for the Retry-After of a 429 before the next attempt', async () => {
    const event = await toolEvent('retrying');
    sink.reset();
    sink.answerNext(answer(503));
    sink.answerNext(answer(429, { 'retry-after': '2' }));
    const run = await runOf(event.id, { name: 'bob' });
    expect(run).toMatchObject({ status: 'succeeded', attempt: 3 });
    expect(hits.map((h) => JSON.parse(h.body).attempt)).toEqual([1, 2, 3]);
    // The third attempt came no sooner than the 2 s the service asked for.
    expect(hits[2]!.at - hits[1]!.at).toBeGreaterThanOrEqual(1_900);
  });

  it('fails at once, without retrying, when the service refuses the message as it is', async () => {
    const event = await toolEvent('refused');
    sink.reset();
    sink.answerNext(answer(400));
    const run = await runOf(event.id, { name: 'eve' });
    expect(run).toMatchObject({ status: 'failed', attempt: 1, result: { status: 400 } });
    expect(run.error).toMatch(/400/);
    expect(run.error).not.toContain('s3cret-path-token');
    expect(hits).toHaveLength(1);
  });

  it('refuses a broken template, another user’s credential and a remote target when saved', async () => {
    const bad = async (auth: string, body: Record<string, unknown>, pointer: string) => {
      const answer = await call('POST', '/api/v1/events', auth, {
        name: 'bad',
        type: 'tool',
        ...body,
      });
      expect(answer.status).toBe(422);
      expect(answer.json.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
      return answer;
    };
    const broken = await bad(
      admin,
      { tool: { credentialId, params: { body: 'line one\n{{ run.id ' } } },
      '/body/tool/params/body',
    );
    expect(broken.json.errors[0].message).toMatch(/line 2/);
    await bad(bob, { tool: { credentialId, params: { body: 'x' } } }, '/body/tool/credentialId');
    await bad(
      admin,
      { tool: { credentialId, params: { body: 'x' } }, targetKind: 'container' },
      '/body/targetKind',
    );
    await bad(admin, {}, '/body/tool');
    const names = (await call('GET', '/api/v1/events?limit=200', admin)).json.events.map(
      (e: { name: string }) => e.name,
    );
    expect(names).not.toContain('bad');
  });

  it('keeps a credential an event uses from being deleted', async () => {
    const answer = await call('DELETE', `/api/v1/tools/credentials/${credentialId}`, admin);
    expect(answer.status).toBe(409);
  });
});
