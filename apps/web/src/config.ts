import { isIP } from 'node:net';
import {
  ALLOW_LIST_HINT,
  ALLOW_LIST_PATTERN,
  egressSettings,
  type EgressSettings,
} from '@cronium/egress';
import {
  ConfigError,
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
import { DEFAULT_OWNER_LIMITS, type OwnerLimits } from '@cronium/event-service/owner-limits';
import { parseCorsOrigins } from './api/cors.ts';

function quota(fallback: number, what: string) {
  return env.integer({ default: fallback, min: 1, max: 1_000_000_000, description: what });
}

/** A comma-separated list of IP addresses and CIDR ranges (IPv4 or IPv6). */
const TRUSTED_PROXIES = {
  test: (raw: string) =>
    raw.split(',').every((entry) => {
      const [address, bits, ...rest] = entry.trim().split('/');
      const family = isIP(address ?? '');
      if (family === 0 || rest.length > 0) return false;
      if (bits === undefined) return true;
      return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
    }),
};

export const webEnvSpec = {
  ...serviceHostEnv(
    SERVICE_ADDRESSES.web,
    'listen address of the UI and REST API (0.0.0.0 in the Docker image)',
  ),
  WEB_PORT: publicOriginEnvSpec.WEB_PORT,
  CRONIUM_PUBLIC_URL: publicOriginEnvSpec.CRONIUM_PUBLIC_URL,
  CRONIUM_SETUP_TOKEN: env.string({
    optional: true,
    secret: true,
    pattern: /^[A-Za-z0-9._~-]{16,200}$/,
    patternHint: '16 to 200 letters, digits and . _ ~ -',
    description:
      'the one-time token that creating the first admin needs when the web process listens beyond loopback (default: generated into <data dir>/setup-token and printed in the log)',
  }),
  WEB_TRUSTED_PROXIES: env.string({
    optional: true,
    pattern: TRUSTED_PROXIES,
    patternHint: 'comma-separated IP addresses or CIDR ranges, such as 127.0.0.1,10.0.0.0/8',
    description:
      'reverse proxies whose X-Forwarded-For is believed for the client address (audit log, sign-in throttle); none by default',
  }),
  WEB_CORS_ORIGINS: env.string({
    optional: true,
    pattern: { test: (raw: string) => 'origins' in parseCorsOrigins(raw) },
    patternHint: 'comma-separated origins, such as https://app.example.com,http://localhost:5173',
    description:
      'pages of other origins that may call the REST API from a browser, with an API token (never the session cookie); none by default',
  }),
  WEB_SERVER_PROBES_PER_MINUTE: env.integer({
    default: 10,
    min: 1,
    max: 1_000,
    description:
      'SSH host-key scans and connection tests one user may start per minute (each connects from the web host)',
  }),
  EGRESS_ALLOW: env.string({
    optional: true,
    pattern: ALLOW_LIST_PATTERN,
    patternHint: ALLOW_LIST_HINT,
    description:
      'internal destinations (loopback, private, link-local...) every user may reach (here: SSH scan and test); admins may reach them all',
  }),
  EGRESS_ALLOW_METADATA: env.string({
    optional: true,
    pattern: ALLOW_LIST_PATTERN,
    patternHint: 'comma-separated metadata addresses or host names, such as 169.254.169.254',
    description:
      'cloud metadata endpoints that may be reached at all (then as internal destinations); refused for everyone otherwise',
  }),
  WEB_MAX_TIMEOUT_SECONDS: env.integer({
    default: DEFAULT_OWNER_LIMITS.maxTimeoutSeconds,
    min: 1,
    max: 604_800,
    description: "longest timeoutSeconds of a non-admin's event",
  }),
  WEB_QUOTA_EVENTS: quota(DEFAULT_OWNER_LIMITS.events, 'events per non-admin user'),
  WEB_QUOTA_VARIABLES: quota(DEFAULT_OWNER_LIMITS.variables, 'variables per non-admin user'),
  WEB_QUOTA_VARIABLE_BYTES: quota(
    DEFAULT_OWNER_LIMITS.variableBytes,
    "characters of all of a non-admin user's variable values together",
  ),
  WEB_QUOTA_QUEUED_RUNS: quota(
    DEFAULT_OWNER_LIMITS.queuedRuns,
    "a non-admin user's runs waiting in the queue; a trigger past it gets 429",
  ),
  WEB_QUOTA_API_TOKENS: quota(
    DEFAULT_OWNER_LIMITS.apiTokens,
    'active API tokens per non-admin user',
  ),
  WEB_QUOTA_SERVERS: quota(DEFAULT_OWNER_LIMITS.servers, 'SSH servers per non-admin user'),
  WEB_TRIGGERS_PER_MINUTE: env.integer({
    default: 600,
    min: 1,
    max: 1_000_000,
    description: 'runs one user may trigger through the API per minute (429 past it)',
  }),
  ...serviceHostEnv(
    SERVICE_ADDRESSES.ws,
    'where the ws process listens: the web port forwards /v1/live (live logs) there',
  ),
  ...servicePortEnv(SERVICE_ADDRESSES.ws, "the ws process's port (see WS_HOST)"),
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
  /** Proxies whose X-Forwarded-For is believed; empty: the connecting address is the client's. */
  trustedProxies: string[];
  /** SSH scans and tests per user per minute. */
  serverProbesPerMinute: number;
  /** The egress policy's settings (EGRESS_ALLOW, EGRESS_ALLOW_METADATA). */
  egress: EgressSettings;
  /** Which pages may use the session cookie, and whether it is Secure. */
  publicOrigin: PublicOrigin;
  /** Other origins whose pages may call the API with a token (CORS). */
  corsOrigins: string[];
  /** The setup token given in the environment, if any. */
  setupToken: string | undefined;
  /** What one non-admin user may take (M2). */
  ownerLimits: OwnerLimits;
  triggersPerMinute: number;
  /** The ws process, which live-log upgrades on the web port are forwarded to. */
  live: { host: string; port: number };
}

export function loadConfig(source: Record<string, string | undefined>): WebConfig {
  const { base, app } = loadServiceConfig(webEnvSpec, source, ['encryptionKey']);
  const egress = egressSettings({
    allow: app.EGRESS_ALLOW,
    allowMetadata: app.EGRESS_ALLOW_METADATA,
  });
  if (!egress.ok) throw new ConfigError(egress.problems);
  return {
    egress: egress.settings,
    publicOrigin: publicOrigin(app.CRONIUM_PUBLIC_URL, app.WEB_PORT),
    corsOrigins: (parseCorsOrigins(app.WEB_CORS_ORIGINS) as { origins: string[] }).origins,
    setupToken: app.CRONIUM_SETUP_TOKEN,
    ownerLimits: {
      maxTimeoutSeconds: app.WEB_MAX_TIMEOUT_SECONDS,
      events: app.WEB_QUOTA_EVENTS,
      variables: app.WEB_QUOTA_VARIABLES,
      variableBytes: app.WEB_QUOTA_VARIABLE_BYTES,
      queuedRuns: app.WEB_QUOTA_QUEUED_RUNS,
      apiTokens: app.WEB_QUOTA_API_TOKENS,
      servers: app.WEB_QUOTA_SERVERS,
    },
    triggersPerMinute: app.WEB_TRIGGERS_PER_MINUTE,
    serverProbesPerMinute: app.WEB_SERVER_PROBES_PER_MINUTE,
    base,
    host: app.WEB_HOST,
    port: app.WEB_PORT,
    shutdownGraceMs: app.WEB_SHUTDOWN_GRACE_MS,
    live: { host: app.WS_HOST === '0.0.0.0' ? '127.0.0.1' : app.WS_HOST, port: app.WS_PORT },
    trustedProxies: (app.WEB_TRUSTED_PROXIES ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean),
  };
}
