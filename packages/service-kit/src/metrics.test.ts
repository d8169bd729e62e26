import Fastify from 'fastify';
import { Counter } from 'prom-client';
import { createProcessMetrics, registerMetricsRoute } from './metrics.ts';

describe('GET /metrics', () => {
  it('asks for the token when one is set, and labels every series with the service', async () => {
    const app = Fastify();
    const metrics = createProcessMetrics('probe');
    new Counter({ name: 'cronium_probe_total', help: 'probe', registers: [metrics.registry] }).inc(
      3,
    );
    registerMetricsRoute(app, metrics, { token: 'a-metrics-token-1234' });
    expect((await app.inject('/metrics')).statusCode).toBe(401);
    const wrong = await app.inject({
      url: '/metrics',
      headers: { authorization: 'Bearer a-metrics-token-12345' },
    });
    expect(wrong.statusCode).toBe(401);
    const right = await app.inject({
      url: '/metrics',
      headers: { authorization: 'Bearer a-metrics-token-1234' },
    });
    expect(right.statusCode).toBe(200);
    expect(right.body).toContain('cronium_probe_total{service="probe"} 3');
    await app.close();
  });
});
