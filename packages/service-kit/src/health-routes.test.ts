import Fastify from 'fastify';
import { registerHealthRoutes, type ReadinessCheck } from './health-routes.ts';

function appWith(checks: Record<string, ReadinessCheck>, shuttingDown = false) {
  const app = Fastify();
  registerHealthRoutes(app, {
    service: 'svc',
    version: '1.2.3',
    checks,
    isShuttingDown: () => shuttingDown,
    checkTimeoutMs: 200,
  });
  return app;
}

const healthy: ReadinessCheck = async () => ({ status: 'healthy' });

describe('health routes', () => {
  it('/health answers 200 healthy even when a dependency is down', async () => {
    const app = appWith({ database: async () => ({ status: 'unhealthy', message: 'down' }) });
    const res = await app.inject('/health');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'healthy',
      version: '1.2.3',
      service: 'svc',
      details: {},
    });
  });

  it('/ready answers 200 with each check when all pass', async () => {
    const res = await appWith({ database: healthy }).inject('/ready');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'healthy',
      version: '1.2.3',
      details: { database: { status: 'healthy' } },
    });
  });

  it('/ready answers 503 unhealthy when a check fails, throws or hangs', async () => {
    const res = await appWith({
      database: async () => ({
        status: 'unhealthy',
        message: 'database unreachable',
        cause: 'password authentication failed for user "cronium_app" at db.internal:5432',
      }),
      throws: async () => {
        throw new Error('boom at 10.1.2.3');
      },
      hangs: () => new Promise(() => undefined),
    }).inject('/ready');
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(body.status).toBe('unhealthy');
    // What went wrong in detail is for the log, not for whoever reaches /ready (L7).
    expect(body.details.database).toMatchObject({
      status: 'unhealthy',
      message: 'database unreachable',
    });
    expect(body.details.throws).toEqual({ status: 'unhealthy', message: 'the check failed' });
    expect(res.body).not.toMatch(/password|db\.internal|10\.1\.2\.3/);
    expect(body.details.hangs.message).toMatch(/timed out after 200 ms/);
  });

  it('/ready answers 200 degraded when only an optional dependency is degraded', async () => {
    const res = await appWith({
      database: healthy,
      cache: async () => ({ status: 'degraded', message: 'using memory' }),
    }).inject('/ready');
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('degraded');
  });

  it('/ready answers 503 once shutdown has begun', async () => {
    const res = await appWith({ database: healthy }, true).inject('/ready');
    expect(res.statusCode).toBe(503);
    expect(res.json().details.shutdown).toEqual({ status: 'unhealthy', message: 'shutting down' });
  });
});
