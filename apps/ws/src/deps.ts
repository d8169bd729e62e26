import { createLogger } from '@cronium/logger';
import { createServiceProcess } from '@cronium/service-kit';
import type { WsConfig } from './config.ts';

export const SERVICE_NAME = 'ws';

/** The composition root: everything the ws process uses, built once from config. */
export function createDeps(config: WsConfig, version: string) {
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

export type WsDeps = ReturnType<typeof createDeps>;
