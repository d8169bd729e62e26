import { createServer, type Server } from 'node:http';
import { checkedLookup, egressSettings, EgressPolicy, type Resolver } from '@cronium/egress';
import type { ExecutionLogLine, ExecutionRequest } from './executor.ts';
import { HttpExecutor, type HttpExecutorOptions } from './http-executor.ts';

/** The executor under a real policy; `admin` is the event owner's role. */
function executor(
  options: Omit<HttpExecutorOptions, 'egress'> & {
    admin?: boolean;
    allow?: string;
    resolver?: Resolver;
  } = {},
) {
  const settings = egressSettings({ allow: options.allow ?? '' });
  if (!settings.ok) throw new Error(settings.problems.join('; '));
  const policy = new EgressPolicy(settings.settings, options.resolver);
  const refusals: string[] = [];
  const http = new HttpExecutor({
    ...options,
    egress: async () =>
      checkedLookup(policy, { admin: options.admin ?? true }, (r) => {
        refusals.push(r.message);
      }),
  });
  return Object.assign(http, { refusals });
}

describe('HttpExecutor', () => {
  let server: Server;
  let base: string;
  const received: { method?: string; headers: Record<string, unknown>; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        received.push({ method: req.method, headers: req.headers, body });
        if (req.url === '/ok') res.writeHead(200, { 'x-answer': '42' }).end('line one\nline two\n');
        else if (req.url === '/big') res.writeHead(200).end('x'.repeat(5000));
        else if (req.url?.startsWith('/redirect?'))
          res
            .writeHead(Number(new URL(req.url, 'http://x').searchParams.get('status') ?? 302), {
              location: new URL(req.url, 'http://x').searchParams.get('to')!,
            })
            .end();
        else if (req.url === '/slow')
          setTimeout(() => res.writeHead(200).end('late'), 5000).unref();
        else res.writeHead(503).end('down');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const req = (method: string, path: string, body: string | null = null): ExecutionRequest => ({
    runId: 1,
    attempt: 1,
    eventId: 1,
    type: 'http',
    script: null,
    env: {},
    http: {
      method,
      url: `${base}${path}`,
      headers: { 'content-type': 'application/json', 'x-token': 't' },
      body,
    },
  });
  const run = async (
    executor: HttpExecutor,
    request: ExecutionRequest,
    signal = new AbortController().signal,
  ) => {
    const lines: ExecutionLogLine[] = [];
    const result = await executor.run(request, { signal, onLog: (l) => lines.push(l) });
    return { result, lines };
  };

  it('sends method, headers and body, and records status, headers and body', async () => {
    const { result, lines } = await run(executor(), req('POST', '/ok', '{"a":1}'));
    expect(result).toMatchObject({
      status: 'succeeded',
      result: { status: 200, headers: { 'x-answer': '42' }, body: 'line one\nline two\n' },
    });
    expect(received.at(-1)).toMatchObject({
      method: 'POST',
      body: '{"a":1}',
      headers: { 'x-token': 't' },
    });
    expect(lines.filter((l) => l.stream === 'stdout').map((l) => l.text)).toEqual([
      'line one',
      'line two',
    ]);
    expect(lines[0]!.text).toBe(`POST ${base}/ok`);
  });

  it('puts the event’s secrets into the path, query, headers and body, never into the log line (L12)', async () => {
    const secret = 'tok/en with spaces&=';
    const request: ExecutionRequest = {
      ...req('POST', '/ok', '{"token":"{{ secrets.API_TOKEN }}"}'),
      env: { API_TOKEN: secret },
    };
    request.http!.headers = { authorization: 'Bearer {{secrets.API_TOKEN}}' };
    const { result, lines } = await run(executor(), request);
    expect(result.status).toBe('succeeded');
    const got = received.at(-1)!;
    expect(got.headers.authorization).toBe(`Bearer ${secret}`);
    expect(got.body).toBe(`{"token":"${secret}"}`);
    expect(lines[0]!.text).toBe(`POST ${base}/ok`);
    expect(lines.map((l) => l.text).join('\n')).not.toContain(secret);
    // In the URL the value is encoded, so it cannot change the request's shape.
    const path = await new Promise<string>((resolve) => {
      const probe = createServer((rq, rs) => {
        resolve(rq.url!);
        rs.end('ok');
      });
      probe.listen(0, '127.0.0.1', async () => {
        const port = (probe.address() as { port: number }).port;
        await run(executor(), {
          ...req('GET', '/'),
          env: { API_TOKEN: secret },
          http: {
            method: 'GET',
            url: `http://127.0.0.1:${port}/a/{{secrets.API_TOKEN}}`,
            headers: {},
            body: null,
          },
        });
        probe.close();
      });
    });
    expect(path).toBe(`/a/${encodeURIComponent(secret)}`);
  });

  it('fails clearly when a secret the request names is gone', async () => {
    const { result } = await run(executor(), req('GET', '/ok?key={{secrets.GONE}}'));
    expect(result).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(
        /\{\{secrets\.GONE\}\}, which this event's secret environment does not have/,
      ),
    });
  });

  it('fails on a non-2xx status', async () => {
    const { result } = await run(executor(), req('GET', '/down'));
    expect(result).toMatchObject({
      status: 'failed',
      error: 'HTTP 503 Service Unavailable',
      result: { status: 503, body: 'down' },
    });
  });

  it('caps the recorded body and says so', async () => {
    const { result } = await run(executor({ maxBodyBytes: 1000 }), req('GET', '/big'));
    expect(result.result).toMatchObject({ bodyTruncated: true });
    expect((result.result!.body as string).length).toBe(1000);
  });

  it('stops at abort (timeout or cancel) and fails on an unreachable host', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort('timeout'), 100);
    const slow = await run(executor(), req('GET', '/slow'), controller.signal);
    expect(slow.result).toMatchObject({
      status: 'failed',
      error: 'request failed: aborted (timeout)',
    });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await run(executor(), {
      ...req('GET', '/'),
      http: { method: 'GET', url: `http://127.0.0.1:${closedPort}/`, headers: {}, body: null },
    });
    expect(unreachable.result.error).toMatch(/ECONNREFUSED/);
  });

  describe('under the egress policy', () => {
    let other: Server;
    let otherBase: string;
    let otherHits = 0;
    beforeAll(async () => {
      other = createServer((incoming, res) => {
        otherHits += 1;
        res
          .writeHead(200)
          .end(`other got ${incoming.method} ${incoming.headers.authorization ?? '-'}`);
      });
      await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
      otherBase = `http://127.0.0.1:${(other.address() as { port: number }).port}`;
    });
    afterAll(async () => {
      other.closeAllConnections();
      await new Promise((resolve) => other.close(resolve));
    });
    const port = () => new URL(base).port;

    it('refuses a loopback server to a non-admin owner, before any packet is sent, and tells the audit hook', async () => {
      const before = received.length;
      const http = executor({ admin: false });
      const { result, lines } = await run(http, req('GET', '/ok'));
      const message = `destination not allowed: 127.0.0.1 (127.0.0.1, loopback; only admins, unless EGRESS_ALLOW lists it)`;
      expect(result).toEqual({ status: 'failed', exitCode: null, error: message });
      expect(lines.map((l) => l.text)).toContain(message);
      expect(http.refusals).toEqual([message]);
      expect(received.length).toBe(before);
    });

    it('refuses the IPv4-mapped form of loopback too', async () => {
      const { result } = await run(executor({ admin: false }), {
        ...req('GET', '/ok'),
        http: {
          method: 'GET',
          url: `http://[::ffff:127.0.0.1]:${port()}/ok`,
          headers: {},
          body: null,
        },
      });
      expect(result.error).toBe(
        'destination not allowed: ::ffff:7f00:1 (::ffff:7f00:1, IPv4-mapped 127.0.0.1: loopback; only admins, unless EGRESS_ALLOW lists it)',
      );
    });

    it('allows the loopback server to an admin owner', async () => {
      const { result } = await run(executor({ admin: true }), req('GET', '/ok'));
      expect(result).toMatchObject({ status: 'succeeded', result: { status: 200 } });
    });

    it('checks every redirect hop: an allowed port that redirects to one not allowed is refused', async () => {
      const http = executor({ admin: false, allow: `127.0.0.1:${port()}` });
      const hitsBefore = otherHits;
      const { result, lines } = await run(
        http,
        req('GET', `/redirect?to=${encodeURIComponent(`${otherBase}/secret`)}`),
      );
      expect(result).toMatchObject({
        status: 'failed',
        error:
          'destination not allowed: 127.0.0.1 (127.0.0.1, loopback; only admins, unless EGRESS_ALLOW lists it)',
      });
      expect(lines.map((l) => l.text)).toContain(`302 redirect to GET ${otherBase}/secret`);
      expect(otherHits).toBe(hitsBefore);
      // The allowed port itself is reachable for that user.
      expect((await run(http, req('GET', '/ok'))).result.status).toBe('succeeded');
    });

    it('follows redirects as fetch does: POST becomes GET on 301, credentials stay on their origin', async () => {
      const { result, lines } = await run(executor({ admin: true }), {
        ...req(
          'POST',
          `/redirect?status=301&to=${encodeURIComponent(`${otherBase}/landing`)}`,
          '{}',
        ),
        http: {
          method: 'POST',
          url: `${base}/redirect?status=301&to=${encodeURIComponent(`${otherBase}/landing`)}`,
          headers: { authorization: 'Bearer secret-token' },
          body: '{}',
        },
      });
      expect(result).toMatchObject({ status: 'succeeded', result: { body: 'other got GET -' } });
      expect(lines.map((l) => l.text)).toContain(`301 redirect to GET ${otherBase}/landing`);
    });

    it('refuses a redirect to another scheme', async () => {
      const { result } = await run(
        executor({ admin: true }),
        req('GET', `/redirect?to=${encodeURIComponent('file:///etc/passwd')}`),
      );
      expect(result.error).toBe('redirect to a file: URL is not followed');
    });

    it('connects to the address the check resolved (pinned), not to a lookup of its own', async () => {
      // `pinned.test` has no DNS entry: only the policy's resolver knows it.
      const lookups: string[] = [];
      const http = executor({
        admin: true,
        resolver: async (host) => {
          lookups.push(host);
          return [{ address: '127.0.0.1', family: 4 }];
        },
      });
      const { result } = await run(http, {
        ...req('GET', '/ok'),
        http: { method: 'GET', url: `http://pinned.test:${port()}/ok`, headers: {}, body: null },
      });
      expect(result).toMatchObject({ status: 'succeeded' });
      expect(lookups).toEqual(['pinned.test']);
      expect(received.at(-1)!.headers.host).toBe(`pinned.test:${port()}`);
    });
  });
});
