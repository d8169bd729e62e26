import { SecretBox, parseMasterKey } from '@cronium/crypto';
import { createLogger } from '@cronium/logger';
import { createServiceProcess } from '@cronium/service-kit';
import type { RuntimeApiConfig } from './config.ts';
import { listenOnUnixSocket } from './unix-socket-listener.ts';
import { RateLimiter } from './v1/rate-limiter.ts';
import { registerRuntimeRoutes } from './v1/runtime-routes.ts';

export const SERVICE_NAME = 'runtime-api';

/** The composition root: everything the runtime-api process uses, built once from config. */
export function createDeps(config: RuntimeApiConfig, version: string) {
  const logger = createLogger({ service: SERVICE_NAME, level: config.base.logLevel });
  const service = createServiceProcess({
    service: SERVICE_NAME,
    version,
    base: config.base,
    logger,
    host: config.host,
    port: config.port,
    shutdownGraceMs: config.shutdownGraceMs,
    bodyLimitBytes: config.bodyLimitBytes,
  });
  const box = new SecretBox(parseMasterKey(config.base.secrets.encryptionKey!));
  const routes = registerRuntimeRoutes(service.http.app, {
    db: service.db,
    box,
    jwtSecret: config.base.secrets.jwtSecret!,
    limiter: new RateLimiter(config.rate),
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
      });
    },
  };
}

export type RuntimeApiDeps = ReturnType<typeof createDeps>;
