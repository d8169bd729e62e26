import { sendToolAction } from './send-tool-action.ts';
import { RecordingServer } from './testing/recording-server.ts';
import { sampleContext, testEgress } from './testing/test-fixtures.ts';

describe('Slack', () => {
  const server = new RecordingServer((request, res) => {
    if (request.url.startsWith('/api/'))
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ ok: true, channel: 'C0123', ts: '1700000000.000100' }));
    else res.writeHead(200, { 'content-type': 'text/html' }).end('ok');
  });
  let base: string;
  const egress = testEgress(true);
  const context = sampleContext();

  beforeAll(async () => {
    base = await server.listen();
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it('posts {"text"} to an incoming webhook, with values escaped for mrkdwn', async () => {
    const webhookUrl = `${base}/services/T000/B000/XXXXSECRET`;
    const result = await sendToolAction({
      kind: 'slack',
      credential: { webhookUrl },
      params: { text: '*{{ event.name }}* {{ run.status }} <{{ "<!channel>" }}>' },
      context,
      egress,
    });
    expect(result).toEqual({
      ok: true,
      status: 200,
      detail: 'Slack accepted the message (HTTP 200)',
    });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/services/T000/B000/XXXXSECRET');
    expect(request!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(request!.headers.authorization).toBeUndefined();
    expect(JSON.parse(request!.body)).toEqual({
      text: '*nightly backup* failed <&lt;!channel&gt;>',
    });
  });

  it('calls chat.postMessage with a bearer token and {channel, text}', async () => {
    const result = await sendToolAction({
      kind: 'slack',
      credential: { botToken: 'xoxb-1234-5678-abcdef', channel: '#ops' },
      params: { text: 'run {{ run.id }}' },
      context,
      egress,
      slackApiUrl: `${base}/api`,
    });
    expect(result).toEqual({
      ok: true,
      status: 200,
      detail: 'posted to C0123 (ts 1700000000.000100)',
    });
    const [request] = server.requests;
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('/api/chat.postMessage');
    expect(request!.headers.authorization).toBe('Bearer xoxb-1234-5678-abcdef');
    expect(request!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(request!.body)).toEqual({ channel: '#ops', text: 'run 4242' });
  });

  it('lets the params name another channel for a bot', async () => {
    await sendToolAction({
      kind: 'slack',
      credential: { botToken: 'xoxb-1234-5678-abcdef', channel: '#ops' },
      params: { text: 'x', channel: '#{{ variables.team }}-alerts' },
      context,
      egress,
      slackApiUrl: `${base}/api`,
    });
    expect(JSON.parse(server.requests[0]!.body)).toEqual({ channel: '#ops-alerts', text: 'x' });
  });

  it('reports chat.postMessage {ok:false} answers, retryable only where Slack says so', async () => {
    const send = () =>
      sendToolAction({
        kind: 'slack',
        credential: { botToken: 'xoxb-1234-5678-abcdef', channel: '#nope' },
        params: { text: 'x' },
        context,
        egress,
        slackApiUrl: `${base}/api`,
      });
    server.answerNext((_r, res) =>
      res.writeHead(200).end(JSON.stringify({ ok: false, error: 'channel_not_found' })),
    );
    expect(await send()).toEqual({
      ok: false,
      retryable: false,
      status: 200,
      error: 'Slack chat.postMessage failed: channel_not_found',
    });
    server.answerNext((_r, res) =>
      res.writeHead(200).end(JSON.stringify({ ok: false, error: 'internal_error' })),
    );
    expect(await send()).toMatchObject({ ok: false, retryable: true });
    server.answerNext((_r, res) => res.writeHead(429, { 'retry-after': '30' }).end());
    expect(await send()).toMatchObject({
      ok: false,
      retryable: true,
      retryAfterMs: 30_000,
      status: 429,
    });
  });

  it('never shows the webhook URL or the token in an error', async () => {
    const webhookUrl = `${base}/services/T000/B000/XXXXSECRET`;
    server.answerNext((request, res) => res.writeHead(404).end(`no such hook ${request.url}`));
    const result = await sendToolAction({
      kind: 'slack',
      credential: { webhookUrl },
      params: { text: 'x' },
      context,
      egress,
    });
    expect(result).toMatchObject({ ok: false, retryable: false, status: 404 });
    expect(JSON.stringify(result)).not.toContain('XXXXSECRET');
    expect((result as { error: string }).error).toBe(
      'Slack answered HTTP 404: no such hook [redacted]',
    );
  });
});
