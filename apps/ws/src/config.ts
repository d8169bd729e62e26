import {
  env,
  loadServiceConfig,
  publicOrigin,
  publicOriginEnvSpec,
  SERVICE_ADDRESSES,
  serviceHostEnv,
  servicePortEnv,
  type BaseConfig,
  type PublicOrigin,
} from '@cronium/service-kit';

export const wsEnvSpec = {
  ...serviceHostEnv(SERVICE_ADDRESSES.ws, 'listen address'),
  ...servicePortEnv(SERVICE_ADDRESSES.ws, 'listen port'),
  // Upgrades authenticated by the session cookie must come from Cronium's own pages.
  CRONIUM_PUBLIC_URL: publicOriginEnvSpec.CRONIUM_PUBLIC_URL,
  WEB_PORT: publicOriginEnvSpec.WEB_PORT,
  WS_SHUTDOWN_GRACE_MS: env.integer({
    default: 10_000,
    min: 0,
    max: 600_000,
    description: 'how long open requests may finish after SIGTERM',
  }),
  WS_POLL_MS: env.integer({
    default: 1_000,
    min: 50,
    max: 60_000,
    description:
      'how often unfinished subscriptions are re-read from the store besides bus notifications (the most a lost notification delays a line)',
  }),
  WS_MAX_CONNECTIONS_PER_USER: env.integer({
    default: 20,
    min: 1,
    max: 100_000,
    description: 'live-log sockets one user may have open at once on this ws process (429 past it)',
  }),
  WS_HIGH_WATER_BYTES: env.integer({
    default: 1_048_576,
    min: 16_384,
    max: 67_108_864,
    description:
      'unsent bytes to one client above which ws stops reading for it until it catches up (the client is told it is behind)',
  }),
};

export interface WsConfig {
  base: BaseConfig;
  host: string;
  port: number;
  shutdownGraceMs: number;
  pollMs: number;
  highWaterBytes: number;
  /** Which pages may open a socket with the session cookie. */
  publicOrigin: PublicOrigin;
  maxConnectionsPerUser: number;
}

export function loadConfig(source: Record<string, string | undefined>): WsConfig {
  const { base, app } = loadServiceConfig(wsEnvSpec, source, []);
  return {
    base,
    host: app.WS_HOST,
    port: app.WS_PORT,
    shutdownGraceMs: app.WS_SHUTDOWN_GRACE_MS,
    pollMs: app.WS_POLL_MS,
    highWaterBytes: app.WS_HIGH_WATER_BYTES,
    publicOrigin: publicOrigin(app.CRONIUM_PUBLIC_URL, app.WEB_PORT),
    maxConnectionsPerUser: app.WS_MAX_CONNECTIONS_PER_USER,
  };
}
