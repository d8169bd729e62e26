import {
  announceDatabaseStopping,
  checkDatabase,
  createDatabase,
  DATABASE_STOPPING_CHANNEL,
  listenForNotifications,
  migrateToLatest,
  waitForDatabase,
  type Db,
  type NotificationListener,
} from '@cronium/db';
import type { Logger } from '@cronium/logger';
import type { BaseConfig } from './base-config.ts';
import { createHttpService, type HttpService } from './http-service.ts';
import {
  createProcessMetrics,
  observePool,
  registerMetricsRoute,
  type ProcessMetrics,
} from './metrics.ts';
import type { ReadinessCheck } from './health-routes.ts';
import { processApplicationName } from './process-keys.ts';

export interface ServiceDeps {
  logger: Logger;
  db: Db;
  http: HttpService;
  /** This process's Prometheus metrics (GET /metrics); apps register their own here. */
  metrics: ProcessMetrics;
}

export interface ServiceProcessOptions {
  service: string;
  version: string;
  base: BaseConfig;
  logger: Logger;
  host: string;
  port: number;
  shutdownGraceMs: number;
  /** Extra readiness checks beside the database. */
  checks?: Record<string, ReadinessCheck>;
  /**
   * The process opens or seals secrets with the master key: its lasting connection names the
   * key it uses, for `npm run keys` (see process-keys.ts).
   */
  usesMasterKey?: boolean;
  /** Largest request body; larger is refused with 413 (default 1 MiB). */
  bodyLimitBytes?: number;
  /** Reverse proxies whose X-Forwarded-For gives the client address (IPs or CIDR ranges). */
  trustedProxies?: string[];
}

/**
 * The shared skeleton of the four processes' composition roots: a database pool, the HTTP
 * shell with `/health` and `/ready`, and the start/stop order (wait for the database,
 * migrate under the advisory lock, listen; on stop: refuse new work, drain, close the pool).
 */
export function createServiceProcess(options: ServiceProcessOptions): ServiceDeps & {
  start(extra?: () => Promise<void>): Promise<{ host: string; port: number }>;
  stop(extra?: () => Promise<void>): Promise<void>;
} {
  const { db, pool } = createDatabase({
    url: options.base.database.url,
    poolMax: options.base.database.poolMax,
    applicationName: `cronium-${options.service}`,
  });
  const http = createHttpService({
    service: options.service,
    version: options.version,
    logger: options.logger,
    host: options.host,
    port: options.port,
    shutdownGraceMs: options.shutdownGraceMs,
    ...(options.bodyLimitBytes ? { bodyLimitBytes: options.bodyLimitBytes } : {}),
    ...(options.trustedProxies?.length ? { trustedProxies: options.trustedProxies } : {}),
    checks: { database: () => checkDatabase(db), ...options.checks },
  });
  const metrics = createProcessMetrics(options.service);
  let stoppingListener: NotificationListener | undefined;
  let stopping = false;
  observePool(metrics, pool);
  registerMetricsRoute(http.app, metrics, { token: options.base.metricsToken });
  return {
    logger: options.logger,
    db,
    http,
    metrics,
    async start(extra) {
      await waitForDatabase(db, {
        timeoutMs: 60_000,
        onRetry: (error, attempt) =>
          attempt % 5 === 1 &&
          options.logger.info({ reason: error.message }, 'waiting for the database'),
      });
      const { applied } = await migrateToLatest(db);
      if (applied.length > 0) options.logger.info({ applied }, 'migrations applied');
      // When cronium-postgres starts a smart shutdown it says so: this process then lets go
      // of its connections (pool, listeners, liveness session) so the shutdown can finish,
      // and reconnects once the database is back.
      stoppingListener = listenForNotifications({
        url: options.base.database.url,
        channels: [DATABASE_STOPPING_CHANNEL],
        applicationName: processApplicationName(
          options.service,
          options.base,
          options.usesMasterKey ?? false,
        ),
        onNotification: () => {
          // A process that is stopping itself (all of Cronium stops at once) keeps its
          // connections to finish its work: the shutdown waits for it, as it should.
          if (stopping) return;
          options.logger.warn('the database is shutting down: disconnecting until it is back');
          announceDatabaseStopping();
        },
      });
      await extra?.();
      const address = await http.start();
      options.logger.info(address, `${options.service} listening`);
      return address;
    },
    async stop(extra) {
      stopping = true;
      await http.stop();
      await extra?.();
      await stoppingListener?.close();
      await db.destroy();
    },
  };
}
