import {
  ALLOW_LIST_HINT,
  ALLOW_LIST_PATTERN,
  egressSettings,
  type EgressSettings,
} from '@cronium/egress';
import {
  ConfigError,
  defaultRuntimeApiSocket,
  env,
  loadServiceConfig,
  SERVICE_ADDRESSES,
  serviceHostEnv,
  servicePortEnv,
  type BaseConfig,
} from '@cronium/service-kit';

export const runtimeApiEnvSpec = {
  ...serviceHostEnv(SERVICE_ADDRESSES.runtimeApi, 'listen address'),
  ...servicePortEnv(SERVICE_ADDRESSES.runtimeApi, 'listen port'),
  RUNTIME_API_SOCKET: env.string({
    optional: true,
    pattern: /^(off|\/.+)$/,
    patternHint: 'an absolute path, or off',
    description:
      'unix socket the API also listens on, for containers without a network (default: <data dir>/run/runtime-api.sock; "off" to disable)',
  }),
  RUNTIME_API_SHUTDOWN_GRACE_MS: env.integer({
    default: 10_000,
    min: 0,
    max: 600_000,
    description: 'how long open requests may finish after SIGTERM',
  }),
  RUNTIME_API_RATE_PER_SECOND: env.integer({
    default: 100,
    min: 1,
    max: 100_000,
    description: 'calls per second one run attempt may make, sustained',
  }),
  RUNTIME_API_RATE_BURST: env.integer({
    default: 200,
    min: 1,
    max: 100_000,
    description: 'calls one run attempt may make at once before the rate applies',
  }),
  RUNTIME_API_TOOL_ACTIONS_PER_MINUTE: env.integer({
    default: 30,
    min: 1,
    max: 10_000,
    description: 'tool actions (executeToolAction) one run attempt may send per minute',
  }),
  EGRESS_ALLOW: env.string({
    optional: true,
    pattern: ALLOW_LIST_PATTERN,
    patternHint: ALLOW_LIST_HINT,
    description:
      'internal destinations (loopback, private, link-local...) every user may reach (here: executeToolAction); admins may reach them all',
  }),
  EGRESS_ALLOW_METADATA: env.string({
    optional: true,
    pattern: ALLOW_LIST_PATTERN,
    patternHint: 'comma-separated metadata addresses or host names, such as 169.254.169.254',
    description:
      'cloud metadata endpoints that may be reached at all (then as internal destinations); refused for everyone otherwise',
  }),
  CRONIUM_JWT_SECRET_PREVIOUS: env.string({
    optional: true,
    secret: true,
    minLength: 32,
    description:
      'during a rotation of CRONIUM_JWT_SECRET: the previous secret, whose run tokens (of scripts still running) are still accepted; remove it once the longest run that started before the rotation has ended',
  }),
  RUNTIME_API_BODY_LIMIT_BYTES: env.integer({
    default: 1_048_576,
    min: 1_024,
    max: 67_108_864,
    description: 'largest request body (an output or a variable); larger is refused with 413',
  }),
};

export interface RuntimeApiConfig {
  base: BaseConfig;
  host: string;
  port: number;
  socketPath: string | null;
  shutdownGraceMs: number;
  rate: { ratePerSecond: number; burst: number };
  bodyLimitBytes: number;
  toolActionsPerMinute: number;
  /** The egress policy's settings (EGRESS_ALLOW, EGRESS_ALLOW_METADATA), for tool actions. */
  egress: EgressSettings;
  /** Run-token secrets still accepted besides the current one (a rotation's overlap). */
  previousJwtSecrets: string[];
}

export function loadConfig(source: Record<string, string | undefined>): RuntimeApiConfig {
  const { base, app } = loadServiceConfig(runtimeApiEnvSpec, source, [
    'encryptionKey',
    'jwtSecret',
  ]);
  const egress = egressSettings({
    allow: app.EGRESS_ALLOW,
    allowMetadata: app.EGRESS_ALLOW_METADATA,
  });
  if (!egress.ok) throw new ConfigError(egress.problems);
  return {
    base,
    egress: egress.settings,
    previousJwtSecrets: app.CRONIUM_JWT_SECRET_PREVIOUS ? [app.CRONIUM_JWT_SECRET_PREVIOUS] : [],
    toolActionsPerMinute: app.RUNTIME_API_TOOL_ACTIONS_PER_MINUTE,
    host: app.RUNTIME_API_HOST,
    port: app.RUNTIME_API_PORT,
    socketPath:
      app.RUNTIME_API_SOCKET === 'off'
        ? null
        : (app.RUNTIME_API_SOCKET ?? defaultRuntimeApiSocket(base.dataDir)),
    shutdownGraceMs: app.RUNTIME_API_SHUTDOWN_GRACE_MS,
    rate: { ratePerSecond: app.RUNTIME_API_RATE_PER_SECOND, burst: app.RUNTIME_API_RATE_BURST },
    bodyLimitBytes: app.RUNTIME_API_BODY_LIMIT_BYTES,
  };
}
