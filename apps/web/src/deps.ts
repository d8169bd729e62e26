import { createLogger } from '@cronium/logger';
import { createServiceProcess } from '@cronium/service-kit';
import type { WebConfig } from './config.ts';

export const SERVICE_NAME = 'web';

/** The composition root of the web process. */
export function createDeps(config: WebConfig, version: string) {
  const logger = createLogger({ service: SERVICE_NAME, level: config.base.logLevel });
  const service = createServiceProcess({
    service: SERVICE_NAME,
    version,
    base: config.base,
    logger,
    usesMasterKey: true,
    host: config.host,
    port: config.port,
    shutdownGraceMs: config.shutdownGraceMs,
    trustedProxies: config.trustedProxies,
  });
  return { logger, service };
}
