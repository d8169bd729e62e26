import { createLogger } from '@cronium/logger';
import { createServiceProcess } from '@cronium/service-kit';
import type { RuntimeApiConfig } from './config.ts';

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
  });
  return { logger, service };
}

export type RuntimeApiDeps = ReturnType<typeof createDeps>;
