import { createServer, type Server } from 'node:http';
import type { ExecutionLogLine, ExecutionRequest } from './executor.ts';
import { HttpExecutor } from './http-executor.ts';

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
    const { result, lines } = await run(new HttpExecutor(), req('POST', '/ok', '{"a":1}'));
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

  it('fails on a non-2xx status', async () => {
    const { result } = await run(new HttpExecutor(), req('GET', '/down'));
    expect(result).toMatchObject({
      status: 'failed',
      error: 'HTTP 503 Service Unavailable',
      result: { status: 503, body: 'down' },
    });
  });

  it('caps the recorded body and says so', async () => {
    const { result } = await run(new HttpExecutor({ maxBodyBytes: 1000 }), req('GET', '/big'));
    expect(result.result).toMatchObject({ bodyTruncated: true });
    expect((result.result!.body as string).length).toBe(1000);
  });

  it('stops at abort (timeout or cancel) and fails on an unreachable host', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort('timeout'), 100);
    const slow = await run(new HttpExecutor(), req('GET', '/slow'), controller.signal);
    expect(slow.result).toMatchObject({
      status: 'failed',
      error: 'request failed: aborted (timeout)',
    });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as { port: number }).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = await run(new HttpExecutor(), {
      ...req('GET', '/'),
      http: { method: 'GET', url: `http://127.0.0.1:${closedPort}/`, headers: {}, body: null },
    });
    expect(unreachable.result.error).toMatch(/ECONNREFUSED/);
  });
});
