import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type pg from 'pg';

/**
 * A process's Prometheus metrics: Node.js's own (memory, event loop, GC, handles), HTTP
 * request durations by route template, and the database pool; apps add their own to
 * `registry`. Every series carries `service`. Labels never hold ids (runs, users, events):
 * their number would grow without bound.
 */
export interface ProcessMetrics {
  registry: Registry;
}

export function createProcessMetrics(service: string): ProcessMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return { registry };
}

/** Pool connections in use, idle and waited for, read at each scrape. */
export function observePool(
  metrics: ProcessMetrics,
  pool: Pick<pg.Pool, 'totalCount' | 'idleCount' | 'waitingCount'>,
): void {
  new Gauge({
    name: 'cronium_db_pool_connections',
    help: 'PostgreSQL pool connections by state (total, idle, waiting: queries waiting for one)',
    labelNames: ['state'],
    registers: [metrics.registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
}

function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

function tokenMatches(expected: string, header: string | undefined): boolean {
  const offered = Buffer.from(header?.startsWith('Bearer ') ? header.slice(7).trim() : '');
  const wanted = Buffer.from(expected);
  return offered.length === wanted.length && timingSafeEqual(offered, wanted);
}

/**
 * `GET /metrics` (Prometheus text format) and request timing. Who may read it: with a token
 * (CRONIUM_METRICS_TOKEN), whoever sends `Authorization: Bearer <token>`; without one, only
 * clients on this machine that did not come through a proxy (a request a reverse proxy
 * forwards arrives from loopback too, but carries X-Forwarded-For). Metrics describe the
 * installation (how many runs, how busy): not for strangers.
 */
export function registerMetricsRoute(
  app: FastifyInstance,
  metrics: ProcessMetrics,
  options: { token?: string },
): void {
  const duration = new Histogram({
    name: 'cronium_http_request_duration_seconds',
    help: 'HTTP requests served, by method, route template and status class',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [metrics.registry],
  });
  app.addHook('onResponse', async (request: FastifyRequest, reply) => {
    const route = request.routeOptions.url;
    duration.observe(
      {
        method: request.method,
        // Templates only (`/v1/variables/:key`); anything else (Next's pages) is one series.
        route: route && !route.includes('*') ? route : 'other',
        status: `${Math.floor(reply.statusCode / 100)}xx`,
      },
      reply.elapsedTime / 1000,
    );
  });
  app.get('/metrics', { logLevel: 'warn' }, async (request, reply) => {
    const allowed = options.token
      ? tokenMatches(options.token, request.headers.authorization)
      : isLoopback(request.socket.remoteAddress) && !request.headers['x-forwarded-for'];
    if (!allowed)
      return reply
        .status(options.token ? 401 : 403)
        .type('text/plain')
        .send(
          options.token
            ? 'send Authorization: Bearer <CRONIUM_METRICS_TOKEN>\n'
            : 'metrics are served to this machine only (set CRONIUM_METRICS_TOKEN to scrape from elsewhere)\n',
        );
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
