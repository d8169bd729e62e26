import { Gauge } from 'prom-client';
import type { NotificationListener } from '@cronium/db';
import { createLogger } from '@cronium/logger';
import { createRunEventBus } from '@cronium/run-events';
import { createServiceProcess } from '@cronium/service-kit';
import type { WsConfig } from './config.ts';
import { LiveHub } from './live/live-hub.ts';
import { registerLiveRoutes } from './live/live-routes.ts';
import { listenForWorkflowRuns } from './live/workflow-run-listener.ts';

export const SERVICE_NAME = 'ws';

/** The composition root: everything the ws process uses, built once from config. */
export function createDeps(config: WsConfig, version: string) {
  const logger = createLogger({ service: SERVICE_NAME, level: config.base.logLevel });
  let busHealth: () => 'ok' | 'degraded' = () => 'ok';
  const service = createServiceProcess({
    service: SERVICE_NAME,
    version,
    base: config.base,
    logger,
    host: config.host,
    port: config.port,
    shutdownGraceMs: config.shutdownGraceMs,
    checks: {
      // Without its bus, ws still delivers (from the store, at the poll interval): degraded.
      bus: async () =>
        busHealth() === 'ok'
          ? { status: 'healthy' as const }
          : {
              status: 'degraded' as const,
              message:
                'the live-log bus is away: lines are delivered from the store at the poll interval',
            },
    },
  });
  const onError = (error: Error) => logger.warn({ reason: error.message }, 'live logs');
  const bus = createRunEventBus({
    db: service.db,
    databaseUrl: config.base.database.url,
    valkeyUrl: config.base.valkeyUrl,
    onError,
  });
  busHealth = () => bus.health();
  const hub = new LiveHub({ db: service.db, bus, pollMs: config.pollMs, onError });
  new Gauge({
    name: 'cronium_ws_connections',
    help: 'Live-log WebSocket connections open on this ws process',
    registers: [service.metrics.registry],
    collect() {
      this.set(hub.connectionCount);
    },
  });
  const routes = registerLiveRoutes(service.http.app, {
    db: service.db,
    hub,
    publicOrigin: config.publicOrigin,
    maxConnectionsPerUser: config.maxConnectionsPerUser,
    highWaterBytes: config.highWaterBytes,
    onError,
  });
  let workflowRuns: NotificationListener | undefined;
  return {
    logger,
    service,
    hub,
    bus,
    async start() {
      await routes;
      const address = await service.start(async () => {
        hub.start(); // subscribes: whenReady then covers the subscription too
        workflowRuns = listenForWorkflowRuns({
          url: config.base.database.url,
          onChange: (id) => void hub.workflowRunChanged(id),
          onError,
        });
        await bus.whenReady(5_000);
      });
      return address;
    },
    async stop() {
      await service.stop(async () => {
        hub.stop();
        await workflowRuns?.close();
        await bus.close();
      });
    },
  };
}

export type WsDeps = ReturnType<typeof createDeps>;
