import { createServer, type Server } from 'node:http';
import { sendToolAction } from './send-tool-action.ts';
import { RecordingServer } from './testing/recording-server.ts';
import { sampleContext, testEgress } from './testing/test-fixtures.ts';

/** What every HTTP tool shares: failure classes, Retry-After, redirects, timeouts, egress. */
describe('HTTP tool delivery', () => {
  const server = new RecordingServer((_request, res) => res.writeHead(204).end());
  let base: string;
  let silent: Server;
  let silentUrl: string;

  beforeAll(async () => {
    base = await server.listen();
    // Accepts connections and never answers.
    silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
  });
  afterEach(() => server.reset());
  afterAll(async () => {
    await server.close();
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });

  const discord = (
    url = `${base}/api/webhooks/1/tok`,
    extra: { timeoutMs?: number; signal?: AbortSignal } = {},
  ) =>
    sendToolAction({
      kind: 'discord',
      credential: { webhookUrl: url },
      params: { content: 'hello' },
      context: sampleContext(),
      egress: testEgress(true),
      ...extra,
    });

  it('429 with Retry-After in seconds is retryable after that long', async () => {
    server.answerNext((_r, res) => res.writeHead(429, { 'retry-after': '12' }).end('slow down'));
    expect(await discord()).toEqual({
      ok: false,
      retryable: true,
      status: 429,
      retryAfterMs: 12_000,
      error: 'Discord answered HTTP 429 (rate limited): slow down',
    });
  });

  it('429 with Retry-After as an HTTP date is retryable until then', async () => {
    const at = new Date(Date.now() + 90_000).toUTCString();
    server.answerNext((_r, res) => res.writeHead(429, { 'retry-after': at }).end());
    const result = await discord();
    expect(result).toMatchObject({ ok: false, retryable: true, status: 429 });
    const wait = (result as { retryAfterMs: number }).retryAfterMs;
    // An HTTP date has whole seconds, and the test machine may be slow: a wide window.
    expect(wait).toBeGreaterThan(60_000);
    expect(wait).toBeLessThanOrEqual(90_000);
  });

  it('5xx is retryable, and 503 keeps its Retry-After', async () => {
    server.answerNext((_r, res) => res.writeHead(500).end('boom'));
    expect(await discord()).toEqual({
      ok: false,
      retryable: true,
      status: 500,
      error: 'Discord answered HTTP 500: boom',
    });
    server.answerNext((_r, res) => res.writeHead(503, { 'retry-after': '5' }).end());
    expect(await discord()).toMatchObject({ retryable: true, status: 503, retryAfterMs: 5000 });
  });

  it('other 4xx are not retryable and quote at most 500 characters of the body', async () => {
    server.answerNext((_r, res) => res.writeHead(400).end(`{"message": "${'x'.repeat(2000)}"}`));
    const result = await discord();
    expect(result).toMatchObject({ ok: false, retryable: false, status: 400 });
    const error = (result as { error: string }).error;
    expect(error.startsWith('Discord answered HTTP 400: {"message": "xxx')).toBe(true);
    expect(error.length).toBe('Discord answered HTTP 400: '.length + 500);
  });

  it('does not follow redirects', async () => {
    server.answerNext((_r, res) => res.writeHead(307, { location: `${base}/elsewhere` }).end());
    expect(await discord()).toEqual({
      ok: false,
      retryable: false,
      status: 307,
      error: 'Discord answered HTTP 307 (a redirect, not followed for tool actions)',
    });
    expect(server.requests.map((r) => r.url)).toEqual(['/api/webhooks/1/tok']);
  });

  it('a connection refused is retryable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await discord(`http://127.0.0.1:${port}/api/webhooks/1/tok`);
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect((result as { error: string }).error).toContain('ECONNREFUSED');
  });

  it('a server that never answers times out, retryably', async () => {
    const result = await discord(`${silentUrl}/api/webhooks/1/tok`, { timeoutMs: 500 });
    expect(result).toEqual({
      ok: false,
      retryable: true,
      error: 'request failed: timed out after 500 ms',
    });
  });

  it('the caller can abort', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort('cancel'), 200).unref();
    const result = await discord(`${silentUrl}/api/webhooks/1/tok`, { signal: controller.signal });
    expect(result).toEqual({
      ok: false,
      retryable: true,
      error: 'request failed: aborted (cancel)',
    });
  });

  it('a destination the egress policy refuses fails before any connection is made', async () => {
    const refusals: string[] = [];
    for (const kind of ['discord', 'teams', 'slack', 'webhook'] as const) {
      const url = `${base}/hook`;
      const common = { context: sampleContext(), egress: testEgress(false, refusals) };
      const result =
        kind === 'webhook'
          ? await sendToolAction({
              kind,
              credential: { url, method: 'POST' },
              params: {},
              ...common,
            })
          : kind === 'slack'
            ? await sendToolAction({
                kind,
                credential: { webhookUrl: url },
                params: { text: 'x' },
                ...common,
              })
            : kind === 'teams'
              ? await sendToolAction({
                  kind,
                  credential: { webhookUrl: url },
                  params: { text: 'x' },
                  ...common,
                })
              : await sendToolAction({
                  kind,
                  credential: { webhookUrl: url },
                  params: { content: 'x' },
                  ...common,
                });
      expect(result).toEqual({
        ok: false,
        retryable: false,
        error: expect.stringMatching(
          /^destination not allowed: 127\.0\.0\.1 \(127\.0\.0\.1, loopback/,
        ),
      });
    }
    expect(refusals).toHaveLength(4);
    expect(server.connections).toBe(0);
    expect(server.requests).toHaveLength(0);
  });

  it('the Slack bot API is behind the egress policy too', async () => {
    const result = await sendToolAction({
      kind: 'slack',
      credential: { botToken: 'xoxb-1234-5678-abcdef', channel: '#ops' },
      params: { text: 'x' },
      context: sampleContext(),
      egress: testEgress(false),
      slackApiUrl: `${base}/api`,
    });
    expect(result).toMatchObject({ ok: false, retryable: false });
    expect(server.connections).toBe(0);
  });

  it('a template error is a non-retryable result naming the field and position', async () => {
    const result = await sendToolAction({
      kind: 'discord',
      credential: { webhookUrl: `${base}/api/webhooks/1/tok` },
      params: { content: 'ok\n{{ run.status | nosuchfilter }}' },
      context: sampleContext(),
      egress: testEgress(true),
    });
    expect(result).toEqual({
      ok: false,
      retryable: false,
      error: 'invalid discord params: /content undefined filter: nosuchfilter (line 2, column 1)',
    });
    expect(server.connections).toBe(0);
  });

  it('a template that fails while rendering is a non-retryable result, nothing is sent', async () => {
    const result = await sendToolAction({
      kind: 'discord',
      credential: { webhookUrl: `${base}/api/webhooks/1/tok` },
      params: {
        content: 'x{% for i in (1..5000) %}{% for j in (1..5000) %}{% endfor %}{% endfor %}',
      },
      context: sampleContext(),
      egress: testEgress(true),
    });
    expect(result).toEqual({
      ok: false,
      retryable: false,
      error: 'template error in /content: template render limit exceeded at line 1, column 26',
    });
    expect(server.connections).toBe(0);
  });
});
