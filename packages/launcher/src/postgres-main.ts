// The embedded PostgreSQL as a long-running process of its own, run by pm2 beside the four
// apps when DATABASE_URL is unset. It starts (or initialises) the cluster under the data
// directory and stops it cleanly on SIGTERM/SIGINT.
import { join, resolve } from 'node:path';
import { chmodSync, chownSync, mkdirSync } from 'node:fs';
import { createLogger } from '@cronium/logger';
import {
  ConfigError,
  EMBEDDED_APP_ROLE,
  EXIT_CONFIG,
  baseEnvSpec,
  defaultDataDir,
  embeddedAppPassword,
  ensureEmbeddedSecrets,
  onShutdownSignal,
  parseEnv,
  reportStartupFailure,
} from '@cronium/service-kit';
import { serverIdentity, startEmbeddedPostgres } from './embedded-postgres.ts';

const spec = {
  CRONIUM_DATA_DIR: baseEnvSpec.CRONIUM_DATA_DIR,
  DATABASE_URL: baseEnvSpec.DATABASE_URL,
  CRONIUM_EMBEDDED_PG_PORT: baseEnvSpec.CRONIUM_EMBEDDED_PG_PORT,
  LOG_LEVEL: baseEnvSpec.LOG_LEVEL,
};

async function main(): Promise<void> {
  let config;
  try {
    config = parseEnv(spec, process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      reportStartupFailure('postgres', error.message);
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
  const logger = createLogger({ service: 'postgres', level: config.LOG_LEVEL });
  if (config.DATABASE_URL) {
    // `turbo dev` starts this beside the apps; with an external database it has nothing to do.
    logger.info('DATABASE_URL is set: the embedded PostgreSQL is not needed');
    return;
  }
  const dataDir = config.CRONIUM_DATA_DIR
    ? resolve(config.CRONIUM_DATA_DIR)
    : defaultDataDir(process.cwd());
  const secrets = ensureEmbeddedSecrets(dataDir);
  // The data directory is private. As root, the server runs as the postgres user, which owns
  // the cluster directory and must get through the data directory to it: its group lets it
  // (and nobody else: scripts run as other users must not reach anything in here).
  mkdirSync(dataDir, { recursive: true });
  const identity = serverIdentity();
  if (identity) chownSync(dataDir, 0, identity.gid);
  chmodSync(dataDir, identity ? 0o710 : 0o700);
  const postgres = await startEmbeddedPostgres({
    clusterDir: join(dataDir, 'postgres'),
    port: config.CRONIUM_EMBEDDED_PG_PORT,
    user: 'cronium',
    password: secrets.postgresPassword,
    database: 'cronium',
    // The apps connect as a role that is not a superuser; only this process uses `cronium`.
    appRole: { user: EMBEDDED_APP_ROLE, password: embeddedAppPassword(secrets.postgresPassword) },
    onLog: (message) => logger.debug({ postgres: message.trim() }),
  });
  logger.info({ port: config.CRONIUM_EMBEDDED_PG_PORT, dataDir }, 'embedded PostgreSQL ready');
  onShutdownSignal({
    logger,
    forceAfterMs: 40_000,
    exit: (code) => process.exit(code),
    shutdown: () => postgres.stop({ smartMs: 30_000 }),
  });
}

// A server that did not start will not start on a retry either (a cluster it cannot reach or
// read, a port taken, binaries that fail their checks): exit with the configuration code, so
// pm2 does not restart it, and tell the launcher why.
main().catch((error: unknown) => {
  const reasons: string[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) reasons.push(e.message.trim());
  const message = `the embedded PostgreSQL cannot start: ${reasons.join(': ') || String(error)}`;
  console.error(message);
  reportStartupFailure('postgres', message.split('\n').slice(0, 12).join('\n'));
  process.exit(EXIT_CONFIG);
});
