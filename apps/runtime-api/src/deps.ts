import { EgressPolicy } from '@cronium/egress';
import { createLogger } from '@cronium/logger';
import { createServiceProcess, secretBoxFromConfig } from '@cronium/service-kit';
import type { RuntimeApiConfig } from './config.ts';
import { listenOnUnixSocket } from './unix-socket-listener.ts';
import { databaseNamespace } from '@cronium/run-events';
import { RateLimiter } from './v1/rate-limiter.ts';
import { ValkeyRateLimiter } from './v1/valkey-rate-limiter.ts';
import { registerRuntimeRoutes } from './v1/runtime-routes.ts';

export const SERVICE_NAME = 'runtime-api';

/** The composition root: everything the runtime-api process uses, built once from config. */
export function createDeps(config: RuntimeApiConfig, version: string) {
  const logger = createLogger({ service: SERVICE_NAME, level: config.base.logLevel });
  const localLimiter = new RateLimiter(config.rate);
  // With Valkey, every runtime API process shares one bucket per run attempt.
  const sharedLimiter = config.base.valkeyUrl
    ? new ValkeyRateLimiter({
        url: config.base.valkeyUrl,
        namespace: databaseNamespace(config.base.database.url),
        ...config.rate,
        fallback: localLimiter,
        onError: (error) => logger.warn({ reason: error.message }, 'valkey (rate limits)'),
      })
    : undefined;
  const service = createServiceProcess({
    service: SERVICE_NAME,
    version,
    base: config.base,
    logger,
    usesMasterKey: true,
    host: config.host,
    port: config.port,
    shutdownGraceMs: config.shutdownGraceMs,
    bodyLimitBytes: config.bodyLimitBytes,
    checks: sharedLimiter
      ? {
          valkey: async () =>
            sharedLimiter.health() === 'ok'
              ? { status: 'healthy' as const }
              : {
                  status: 'degraded' as const,
                  message: 'Valkey is away: rate limits are kept per process until it is back',
                },
        }
      : {},
  });
  const box = secretBoxFromConfig(config.base);
  const routes = registerRuntimeRoutes(service.http.app, {
    db: service.db,
    box,
    jwtSecrets: [config.base.secrets.jwtSecret!, ...config.previousJwtSecrets],
    limiter: sharedLimiter ?? localLimiter,
    tools: {
      egress: new EgressPolicy(config.egress),
      // Kept per process: a message a minute more or less across processes is no harm.
      limiter: new RateLimiter({
        ratePerSecond: config.toolActionsPerMinute / 60,
        burst: Math.min(config.toolActionsPerMinute, 10),
      }),
    },
  });
  let socket: { close(): Promise<void> } | undefined;
  return {
    logger,
    service,
    /** Routes are registered; for tests that call `service.http.app.inject()`. */
    ready: () => routes.then(() => service.http.app.ready()),
    async start() {
      await routes;
      const address = await service.start();
      if (config.socketPath) {
        socket = await listenOnUnixSocket(service.http.app, config.socketPath);
        logger.info({ socket: config.socketPath }, 'runtime API listening on a unix socket');
      }
      return address;
    },
    async stop() {
      await service.stop(async () => {
        await socket?.close();
        sharedLimiter?.close();
      });
    },
  };
}

export type RuntimeApiDeps = ReturnType<typeof createDeps>;
