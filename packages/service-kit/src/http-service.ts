import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '@cronium/logger';
import { registerProblemHandler } from './problem-handler.ts';
import { registerHealthRoutes, type ReadinessCheck } from './health-routes.ts';

export interface HttpServiceOptions {
  service: string;
  version: string;
  logger: Logger;
  host: string;
  port: number;
  checks: Record<string, ReadinessCheck>;
  bodyLimitBytes?: number;
  /**
   * Reverse proxies (IPs or CIDR ranges) whose X-Forwarded-For is believed: `request.ip` is
   * then the nearest address in that header not in this list. None by default: the
   * connecting address is the client's.
   */
  trustedProxies?: string[];
  /** How long `stop()` waits for in-flight requests before cutting connections. */
  shutdownGraceMs?: number;
}

export interface HttpService {
  app: FastifyInstance;
  /** Binds the port; resolves with the address actually bound (port 0 picks a free one). */
  start(): Promise<{ host: string; port: number }>;
  /** Stops intake (readiness turns 503 at once), drains in-flight requests, closes. */
  stop(): Promise<void>;
  isShuttingDown(): boolean;
}

/**
 * The Fastify shell every Cronium process shares: problem+json errors, `/health` and
 * `/ready`, sane timeouts, and a drain-then-close stop. Apps add their routes to `app`.
 */
export function createHttpService(options: HttpServiceOptions): HttpService {
  let shuttingDown = false;
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimitBytes ?? 1024 * 1024,
    requestTimeout: 30_000,
    connectionTimeout: 10_000,
    keepAliveTimeout: 5_000,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    trustProxy: options.trustedProxies?.length ? options.trustedProxies : false,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
  });
  registerProblemHandler(app);
  registerHealthRoutes(app, {
    service: options.service,
    version: options.version,
    checks: options.checks,
    isShuttingDown: () => shuttingDown,
  });

  return {
    app,
    isShuttingDown: () => shuttingDown,
    async start() {
      await app.listen({ host: options.host, port: options.port });
      const address = app.server.address();
      const port = typeof address === 'object' && address ? address.port : options.port;
      return { host: options.host, port };
    },
    async stop() {
      if (shuttingDown) return;
      shuttingDown = true;
      const grace = options.shutdownGraceMs ?? 10_000;
      const timer = setTimeout(() => {
        options.logger.warn(
          { graceMs: grace },
          'requests still open after the grace period; closing connections',
        );
        app.server.closeAllConnections();
      }, grace);
      try {
        await app.close();
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
