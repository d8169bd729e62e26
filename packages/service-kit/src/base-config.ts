import { createHmac } from 'node:crypto';
import { resolve } from 'node:path';
import { ConfigError, env, parseEnv, type EnvSpec, type ParsedEnv } from './env-schema.ts';
import { ensureEmbeddedSecrets } from './embedded-secrets.ts';
import { defaultDataDir } from './default-data-dir.ts';

/** Variables every Cronium process reads. Apps add their own on top. */
export const baseEnvSpec = {
  NODE_ENV: env.oneOf(['development', 'production', 'test'], {
    default: 'development',
    description: 'production requires every secret to be given explicitly',
  }),
  LOG_LEVEL: env.oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
    default: 'info',
    description: 'minimum level of log lines written to stdout',
  }),
  CRONIUM_DATA_DIR: env.string({
    optional: true,
    description:
      'directory for the embedded database, generated secrets and pm2 state (default: data/ at the root of the checkout)',
  }),
  DATABASE_URL: env.url({
    protocols: ['postgres:', 'postgresql:'],
    optional: true,
    secret: true,
    description:
      'external PostgreSQL; when unset, the embedded PostgreSQL in the data directory is used',
  }),
  CRONIUM_EMBEDDED_PG_PORT: env.port({
    default: 54329,
    description: 'loopback port of the embedded PostgreSQL (only when DATABASE_URL is unset)',
  }),
  DATABASE_POOL_MAX: env.integer({
    default: 10,
    min: 1,
    max: 200,
    description: 'connections per process',
  }),
  CRONIUM_METRICS_TOKEN: env.string({
    optional: true,
    secret: true,
    minLength: 16,
    description:
      'bearer token that GET /metrics of every process asks for; unset: /metrics answers only clients on the same machine that did not come through a proxy',
  }),
  VALKEY_URL: env.url({
    protocols: ['redis:', 'rediss:', 'valkey:', 'valkeys:'],
    optional: true,
    secret: true,
    description:
      'Valkey (or Redis 7) for the live-log bus between processes; unset, PostgreSQL LISTEN/NOTIFY carries it',
  }),
  CRONIUM_ENCRYPTION_KEY: env.string({
    optional: true,
    secret: true,
    pattern: /^([0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/,
    patternHint: '32 random bytes as 64 hex characters or base64 (openssl rand -hex 32)',
    description:
      'master key for secrets encrypted at rest; generated into the data directory when unset outside production',
  }),
  CRONIUM_ENCRYPTION_KEY_PREVIOUS: env.string({
    optional: true,
    secret: true,
    pattern: /^([0-9a-fA-F]{64}|[A-Za-z0-9+/_-]{43}=?)$/,
    patternHint: '32 bytes as 64 hex characters or base64: the master key being replaced',
    description:
      'during a rotation of CRONIUM_ENCRYPTION_KEY: the previous master key, which still decrypts the values it encrypted until `npm run keys -- reencrypt` has moved them all to the new key',
  }),
  CRONIUM_JWT_SECRET: env.string({
    optional: true,
    secret: true,
    minLength: 32,
    description:
      'HMAC key for per-run runtime tokens; generated into the data directory when unset outside production',
  }),
} satisfies EnvSpec;

export type SecretName = 'encryptionKey' | 'jwtSecret';

const SECRET_VARIABLES: Record<SecretName, string> = {
  encryptionKey: 'CRONIUM_ENCRYPTION_KEY',
  jwtSecret: 'CRONIUM_JWT_SECRET',
};

export interface BaseConfig {
  nodeEnv: 'development' | 'production' | 'test';
  logLevel: string;
  dataDir: string;
  database: { url: string; embedded: boolean; embeddedPort: number; poolMax: number };
  /** Valkey/Redis URL (valkey:// spelled redis:// for the client), or undefined. */
  valkeyUrl: string | undefined;
  /** What GET /metrics asks for; undefined: loopback clients only. */
  metricsToken: string | undefined;
  secrets: Partial<Record<SecretName, string>>;
  /** During a master key rotation: the key being replaced (decrypts only). */
  previousEncryptionKey: string | undefined;
}

/**
 * The role the apps use on the embedded server: not a superuser (it owns the `cronium`
 * database and nothing else). Its password is derived from the superuser's, which only the
 * launcher's `cronium-postgres` process uses.
 */
export const EMBEDDED_APP_ROLE = 'cronium_app';

/** The app role's password: an HMAC of the superuser's, so no new secret has to be stored. */
export function embeddedAppPassword(superuserPassword: string): string {
  return createHmac('sha256', superuserPassword)
    .update('cronium embedded app role')
    .digest('base64url');
}

/** The embedded server's connection URL for the apps, shared by the launcher and every app. */
export function embeddedDatabaseUrl(superuserPassword: string, port: number): string {
  const password = encodeURIComponent(embeddedAppPassword(superuserPassword));
  return `postgres://${EMBEDDED_APP_ROLE}:${password}@127.0.0.1:${port}/cronium`;
}

/**
 * Parses the base variables plus an app's own, then fills what an embedded install may
 * generate (database URL, secrets) from the data directory. Every problem, including
 * cross-field ones such as a secret missing in production, is reported in one ConfigError.
 */
export function loadServiceConfig<S extends EnvSpec>(
  appSpec: S,
  source: Record<string, string | undefined>,
  needs: SecretName[],
): { base: BaseConfig; app: ParsedEnv<S> } {
  const problems: string[] = [];
  const collect = <T>(parse: () => T): T | undefined => {
    try {
      return parse();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const parsed = collect(() => parseEnv(baseEnvSpec, source));
  const app = collect(() => parseEnv(appSpec, source));
  if (source.NODE_ENV === 'production') {
    for (const need of needs) {
      const name = SECRET_VARIABLES[need];
      if (!source[name]?.trim()) {
        problems.push(
          `${name} is required when NODE_ENV=production: expected ${baseEnvSpec[name as keyof typeof baseEnvSpec].expected}`,
        );
      }
    }
  }
  if (problems.length > 0 || !parsed || !app) throw new ConfigError([...new Set(problems)]);

  const dataDir = parsed.CRONIUM_DATA_DIR
    ? resolve(parsed.CRONIUM_DATA_DIR)
    : defaultDataDir(process.cwd());
  const explicit: Partial<Record<SecretName, string>> = {
    encryptionKey: parsed.CRONIUM_ENCRYPTION_KEY,
    jwtSecret: parsed.CRONIUM_JWT_SECRET,
  };
  const missing = needs.some((n) => !explicit[n]);
  const embedded = parsed.DATABASE_URL === undefined;
  const generated = missing || embedded ? ensureEmbeddedSecrets(dataDir) : undefined;
  const secrets: Partial<Record<SecretName, string>> = {};
  for (const need of needs) secrets[need] = explicit[need] ?? generated?.[need];

  return {
    base: {
      nodeEnv: parsed.NODE_ENV,
      logLevel: parsed.LOG_LEVEL,
      dataDir,
      database: {
        url:
          parsed.DATABASE_URL ??
          embeddedDatabaseUrl(generated!.postgresPassword, parsed.CRONIUM_EMBEDDED_PG_PORT),
        embedded,
        embeddedPort: parsed.CRONIUM_EMBEDDED_PG_PORT,
        poolMax: parsed.DATABASE_POOL_MAX,
      },
      valkeyUrl: parsed.VALKEY_URL?.replace(/^valkey(s?):/, 'redis$1:'),
      metricsToken: parsed.CRONIUM_METRICS_TOKEN,
      secrets,
      previousEncryptionKey: parsed.CRONIUM_ENCRYPTION_KEY_PREVIOUS,
    },
    app,
  };
}
