import { request } from 'node:http';
import { createLogger } from '@cronium/logger';
import { PassThrough } from 'node:stream';
import { createHttpService } from './http-service.ts';

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('http service graceful shutdown', () => {
  it('lets an open request finish, refuses new connections, and turns readiness off first', async () => {
    const service = createHttpService({
      service: 'test',
      version: '0',
      logger: createLogger({ service: 'test', destination: new PassThrough(), level: 'silent' }),
      host: '127.0.0.1',
      port: 0,
      checks: {},
      shutdownGraceMs: 5_000,
    });
    let release: () => void = () => undefined;
    let arrived: () => void = () => undefined;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    service.app.get('/slow', async () => {
      arrived();
      await new Promise<void>((resolve) => (release = resolve));
      return { done: true };
    });
    const { port } = await service.start();
    expect((await get(port, '/ready')).status).toBe(200);

    const slow = get(port, '/slow');
    await requestArrived;
    const stopping = service.stop();
    expect(service.isShuttingDown()).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    await expect(get(port, '/ready')).rejects.toThrow(/ECONNREFUSED/);
    release();
    expect(await slow).toEqual({ status: 200, body: '{"done":true}' });
    await stopping;
  });

  it('cuts connections still open after the grace period', async () => {
    const service = createHttpService({
      service: 'test',
      version: '0',
      logger: createLogger({ service: 'test', destination: new PassThrough(), level: 'silent' }),
      host: '127.0.0.1',
      port: 0,
      checks: {},
      shutdownGraceMs: 200,
    });
    service.app.get('/forever', () => new Promise(() => undefined));
    const { port } = await service.start();
    const hanging = get(port, '/forever').catch((error: Error) => error);
    await new Promise((r) => setTimeout(r, 100));
    const started = Date.now();
    await service.stop();
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(String(await hanging)).toMatch(/socket hang up|ECONNRESET/);
  });
});

describe('http service client address', () => {
  const serviceWith = (trustedProxies?: string[]) => {
    const service = createHttpService({
      service: 'test',
      version: '0',
      logger: createLogger({ service: 'test', destination: new PassThrough(), level: 'silent' }),
      host: '127.0.0.1',
      port: 0,
      checks: {},
      ...(trustedProxies ? { trustedProxies } : {}),
    });
    service.app.get('/ip', async (request) => ({ ip: request.ip }));
    return service;
  };
  const ipSeen = async (trustedProxies: string[] | undefined, forwardedFor: string) => {
    const service = serviceWith(trustedProxies);
    const { port } = await service.start();
    try {
      const response = await fetch(`http://127.0.0.1:${port}/ip`, {
        headers: { 'x-forwarded-for': forwardedFor },
      });
      return ((await response.json()) as { ip: string }).ip;
    } finally {
      await service.stop();
    }
  };

  it('is the connecting address unless the connection comes from a trusted proxy', async () => {
    expect(await ipSeen(undefined, '203.0.113.7')).toBe('127.0.0.1');
    expect(await ipSeen(['10.0.0.0/8'], '203.0.113.7')).toBe('127.0.0.1');
    expect(await ipSeen(['127.0.0.1'], '203.0.113.7')).toBe('203.0.113.7');
    // A client's own X-Forwarded-For entries before the proxy's are not believed.
    expect(await ipSeen(['127.0.0.0/8'], '198.51.100.1, 203.0.113.7')).toBe('203.0.113.7');
  });
});
