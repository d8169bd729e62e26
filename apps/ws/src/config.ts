import { env, loadServiceConfig, type BaseConfig } from '@cronium/service-kit';

export const wsEnvSpec = {
  WS_HOST: env.string({ default: '127.0.0.1', description: 'listen address' }),
  WS_PORT: env.port({ default: 3002, description: 'listen port' }),
  WS_SHUTDOWN_GRACE_MS: env.integer({
    default: 10_000,
    min: 0,
    max: 600_000,
    description: 'how long open requests may finish after SIGTERM',
  }),
};

export interface WsConfig {
  base: BaseConfig;
  host: string;
  port: number;
  shutdownGraceMs: number;
}

export function loadConfig(source: Record<string, string | undefined>): WsConfig {
  const { base, app } = loadServiceConfig(wsEnvSpec, source, []);
  return {
    base,
    host: app.WS_HOST,
    port: app.WS_PORT,
    shutdownGraceMs: app.WS_SHUTDOWN_GRACE_MS,
  };
}
