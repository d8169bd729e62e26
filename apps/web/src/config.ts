import { env, loadServiceConfig, type BaseConfig } from '@cronium/service-kit';

export const webEnvSpec = {
  WEB_HOST: env.string({
    default: '127.0.0.1',
    description: 'listen address of the UI and REST API (0.0.0.0 in the Docker image)',
  }),
  WEB_PORT: env.port({ default: 3000, description: 'port of the UI and REST API' }),
  WEB_SHUTDOWN_GRACE_MS: env.integer({
    default: 10_000,
    min: 0,
    max: 600_000,
    description: 'how long open requests may finish after SIGTERM',
  }),
};

export interface WebConfig {
  base: BaseConfig;
  host: string;
  port: number;
  shutdownGraceMs: number;
}

export function loadConfig(source: Record<string, string | undefined>): WebConfig {
  const { base, app } = loadServiceConfig(webEnvSpec, source, ['encryptionKey']);
  return {
    base,
    host: app.WEB_HOST,
    port: app.WEB_PORT,
    shutdownGraceMs: app.WEB_SHUTDOWN_GRACE_MS,
  };
}
