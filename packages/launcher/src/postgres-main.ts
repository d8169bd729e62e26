// The embedded PostgreSQL as a long-running process of its own, run by pm2 beside the four
// apps when DATABASE_URL is unset. It starts (or initialises) the cluster under the data
// directory and stops it cleanly on SIGTERM/SIGINT.
import { join, resolve } from 'node:path';
import { chmodSync, mkdirSync } from 'node:fs';
import { createLogger } from '@cronium/logger';
import {
  ConfigError,
  baseEnvSpec,
  defaultDataDir,
  ensureEmbeddedSecrets,
  onShutdownSignal,
  parseEnv,
} from '@cronium/service-kit';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

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
      process.exit(78);
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
  // The cluster directory is owned by the postgres user when running as root; the data
  // directory must let it through (secrets.json itself stays 0600).
  mkdirSync(dataDir, { recursive: true });
  chmodSync(dataDir, 0o711);
  const postgres = await startEmbeddedPostgres({
    clusterDir: join(dataDir, 'postgres'),
    port: config.CRONIUM_EMBEDDED_PG_PORT,
    user: 'cronium',
    password: secrets.postgresPassword,
    database: 'cronium',
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

main().catch((error: unknown) => {
  console.error('embedded PostgreSQL failed to start:', error);
  process.exit(1);
});
