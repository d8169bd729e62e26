import { env, loadServiceConfig, type BaseConfig } from '@cronium/service-kit';

export const runtimeApiEnvSpec = {
  RUNTIME_API_HOST: env.string({ default: '127.0.0.1', description: 'listen address' }),
  RUNTIME_API_PORT: env.port({ default: 3001, description: 'listen port' }),
  RUNTIME_API_SHUTDOWN_GRACE_MS: env.integer({
    default: 10_000,
    min: 0,
    max: 600_000,
    description: 'how long open requests may finish after SIGTERM',
  }),
};

export interface RuntimeApiConfig {
  base: BaseConfig;
  host: string;
  port: number;
  shutdownGraceMs: number;
}

export function loadConfig(source: Record<string, string | undefined>): RuntimeApiConfig {
  const { base, app } = loadServiceConfig(runtimeApiEnvSpec, source, [
    'encryptionKey',
    'jwtSecret',
  ]);
  return {
    base,
    host: app.RUNTIME_API_HOST,
    port: app.RUNTIME_API_PORT,
    shutdownGraceMs: app.RUNTIME_API_SHUTDOWN_GRACE_MS,
  };
}
