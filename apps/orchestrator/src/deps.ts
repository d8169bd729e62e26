import { tmpdir } from 'node:os';
import {
  listenForNotifications,
  openEventSecretEnv,
  openLivenessSession,
  publishSandboxCaps,
  publishTargetPolicy,
  readToolCredentialConfig,
  type LivenessSession,
  type NotificationListener,
} from '@cronium/db';
import {
  HelperProcessLauncher,
  HttpExecutor,
  LocalExecutor,
  LocalIsolation,
  SshConnectionPool,
  SshExecutor,
  ToolExecutor,
} from '@cronium/executors';
import { EgressPolicy } from '@cronium/egress';
import { createLogger } from '@cronium/logger';
import { CHANNELS, queuedBy } from '@cronium/run-queue';
import { createRunEventBus, statusEvents } from '@cronium/run-events';
import { createServiceProcess, secretBoxFromConfig } from '@cronium/service-kit';
import {
  ActionWorker,
  ExecutorRegistry,
  LivenessMonitor,
  MaintenanceLoop,
  RunWorker,
  SchedulerLoop,
  buildRunEnvironment,
} from '@cronium/engine';
import type { OrchestratorConfig } from './config.ts';
import { connectContainerBackend } from './container-backend.ts';
import { LocalAccessGuard } from './local-access.ts';
import { loadSshServers } from './ssh-servers.ts';
import { runMetrics } from './run-metrics.ts';
import { OwnerSecretSets } from './owner-secret-sets.ts';
import { secretsForRun, secretVariablesLookup } from './run-secrets.ts';
import { runEgress, workflowNodeEgress } from './run-egress.ts';

export const SERVICE_NAME = 'orchestrator';

/** The composition root: everything the orchestrator process uses, built once from config. */
export function createDeps(config: OrchestratorConfig, version: string) {
  const logger = createLogger({ service: SERVICE_NAME, level: config.base.logLevel }).child({
    orchestrator: config.id,
  });
  const box = secretBoxFromConfig(config.base);
  const service = createServiceProcess({
    service: SERVICE_NAME,
    version,
    base: config.base,
    logger,
    usesMasterKey: true,
    host: config.host,
    port: config.port,
    shutdownGraceMs: 5_000,
    checks: {
      // Runs go on without the bus; live viewers then see lines at ws's poll interval.
      bus: async () =>
        events.health() === 'ok'
          ? { status: 'healthy' as const }
          : {
              status: 'degraded' as const,
              message:
                'the live-log bus is away: runs go on, live viewers lag by the ws poll interval',
            },
    },
  });
  const db = service.db;
  const events = createRunEventBus({
    db,
    databaseUrl: config.base.database.url,
    valkeyUrl: config.base.valkeyUrl,
    onError: (error) => logger.warn({ reason: error.message }, 'run event bus'),
  });
  // Scripts are started by a small helper process: forking it is cheaper than forking the
  // orchestrator, and it keeps that cost off the event loop. It starts with an empty
  // environment, never this process's (its secrets would be in /proc/<helper>/environ).
  const launcher = new HelperProcessLauncher();
  let isolation: LocalIsolation | undefined;
  const sshPool = new SshConnectionPool({
    connectTimeoutMs: config.ssh.connectTimeoutMs,
    idleMs: config.ssh.idleMs,
    runsPerConnection: config.ssh.runsPerConnection,
  });
  // HTTP events and SSH runs connect only where the egress policy allows the event's owner.
  const egressPolicy = new EgressPolicy(config.egress);
  const egress = runEgress(db, egressPolicy, logger);
  const ssh = new SshExecutor({ pool: sshPool, killGraceMs: config.killGraceMs, egress });
  // The local target is registered at start, once its isolation is prepared.
  const executors = new ExecutorRegistry({
    http: new HttpExecutor({ egress }),
    tool: new ToolExecutor({ egress }),
    targets: { ssh },
  });
  // Crash recovery in seconds (ORCHESTRATOR_LIVENESS_MS): a session that holds this
  // orchestrator's liveness lock, opened at start.
  const livenessPingMs = Math.max(100, Math.floor(config.livenessMs / 6));
  let livenessSession: LivenessSession | undefined;
  const liveness = {
    get live() {
      return livenessSession?.live ?? false;
    },
    get confirmedAt() {
      return livenessSession?.confirmedAt ?? -Infinity;
    },
  };
  const secretVariables = secretVariablesLookup(db, box);
  const ownerSets = new OwnerSecretSets();
  const runWorker = new RunWorker({
    db,
    logger,
    owner: config.id,
    concurrency: config.concurrency,
    maxRunningPerOwner: config.maxRunningPerOwner,
    leaseMs: config.leaseMs,
    // A script stopped for want of a lease has the kill grace to exit, plus a second.
    leaseSafetyMs: config.killGraceMs + 1_000,
    pollMs: config.pollMs,
    logMaxBytes: config.logMaxBytes,
    executors,
    environmentFor: (run, secretEnv) =>
      buildRunEnvironment(run, secretEnv, {
        path: run.event.targetKind === 'ssh' ? null : config.scriptPath,
      }),
    openSecretEnv: (run) => openEventSecretEnv(box, run.event.id, run.event.secretEnvEncrypted),
    serversFor: (run) => loadSshServers(db, box, run.event.id),
    toolCredentialFor: async (run) => {
      const stored = await readToolCredentialConfig(
        db,
        box,
        run.event.ownerId,
        run.event.toolCredentialId!,
      );
      return stored && { kind: stored.kind, config: stored.config };
    },
    secretsFor: (run) => secretsForRun(secretVariables, ownerSets, run),
    onActionsQueued: () => actions?.wake(),
    runtime: config.runtime,
    events,
    observer: runMetrics(service.metrics, { db, running: (): number => runWorker.inFlightCount }),
    ...(config.livenessMs > 0
      ? { liveness: { session: liveness, stopAfterMs: Math.floor(config.livenessMs / 2) } }
      : {}),
  });
  const livenessMonitor =
    config.livenessMs > 0
      ? new LivenessMonitor({
          db,
          logger,
          owner: config.id,
          session: liveness,
          takeOverAfterMs: config.livenessMs,
          checkMs: livenessPingMs,
          onRequeued: () => {
            runWorker.wake();
            // The orphan reaper (with the container executor) removes the gone one's containers.
            void maintenance.sweep();
          },
          events,
        })
      : undefined;
  // Conditional actions of finished runs (the outbox); any orchestrator may send them.
  const actions = config.actionsEnabled
    ? new ActionWorker({
        db,
        logger: logger.child({ component: 'actions' }),
        owner: config.id,
        concurrency: 8,
        leaseMs: config.leaseMs,
        pollMs: Math.max(config.pollMs, 500),
        egressFor: (run) => egress(run),
        egressForNode: workflowNodeEgress(db, egressPolicy, logger),
        credentialFor: async (ownerId, credentialId) => {
          const stored = await readToolCredentialConfig(db, box, ownerId, credentialId);
          return stored && { kind: stored.kind, config: stored.config };
        },
      })
    : undefined;
  const scheduler = config.schedulerEnabled
    ? new SchedulerLoop({
        db,
        logger,
        misfireThresholdMs: config.misfireThresholdMs,
        onEnqueued: (runs) => {
          for (const run of runs) runWorker.wakeAt(run.runAt);
          void events.publish(statusEvents(runs, 'queued'));
        },
        onSkipped: (runs) => void events.publish(statusEvents(runs, 'cancelled')),
      })
    : undefined;
  let reapContainers: (() => Promise<number>) | undefined;
  const maintenance = new MaintenanceLoop({
    reap: () => reapContainers?.() ?? Promise.resolve(0),
    db,
    logger,
    sweepMs: config.sweepMs,
    purgeMs: 3_600_000,
    retentionDays: config.retentionDays,
    auditRetentionDays: config.auditRetentionDays,
    onRequeued: () => runWorker.wake(),
    events,
  });
  let listener: NotificationListener | undefined;

  /** The local executor behind the ORCHESTRATOR_LOCAL rule; per-owner uids where possible. */
  async function startLocalTarget(): Promise<LocalAccessGuard> {
    const { access, switchUsers, uidBase, sandbox } = config.local;
    if (access === 'off') return new LocalAccessGuard({ db, access });
    if (switchUsers)
      isolation = await LocalIsolation.prepare({ workRoot: tmpdir(), uidBase, sandbox });
    logger.info(
      {
        access,
        runAs: isolation ? `uid ${uidBase} + owner id` : 'this process user',
        sandbox: isolation?.sandbox ?? 'none',
      },
      'local scripts',
    );
    if (isolation?.sandboxProblem)
      logger.warn(
        { reason: isolation.sandboxProblem },
        'bubblewrap is installed but does not work here: local scripts run as users of their own without its sandbox (no private /proc and /tmp, no PID namespace)',
      );
    if (!isolation)
      logger.warn(
        'local scripts run as the orchestrator user (it cannot switch users): only administrators should have the local target',
      );
    const local = new LocalExecutor({ killGraceMs: config.killGraceMs, launcher, isolation });
    return new LocalAccessGuard({ db, access, local });
  }

  return {
    logger,
    service,
    worker: runWorker,
    async start() {
      await service.start(async () => {
        await events.whenReady(5_000);
        await publishSandboxCaps(db, {
          ...config.containers.caps,
          network: Boolean(config.containers.network),
        });
        executors.register('local', await startLocalTarget());
        const containers = await connectContainerBackend(config, db, logger);
        await publishTargetPolicy(db, { local: config.local.access, containers: !!containers });
        if (containers) {
          executors.register('container', containers.executor);
          reapContainers = containers.reap;
          // Containers of attempts that died with a previous orchestrator go first; a failure
          // here is retried by the maintenance loop rather than stopping the start.
          await maintenance.sweep();
        }
        listener = listenForNotifications({
          url: config.base.database.url,
          channels: Object.values(CHANNELS),
          onNotification: (channel, payload) => {
            // Its own echo is left alone: the worker that queued a workflow's next node
            // claims it as the attempt before it ends.
            if (channel === CHANNELS.runsQueued) {
              if (queuedBy(payload) !== config.id) runWorker.wake();
            } else if (channel === CHANNELS.actionsDue) actions?.wake();
            else if (channel === CHANNELS.runCancel)
              runWorker.cancel(payload.split(',').map(Number));
            else if (channel === CHANNELS.scheduleChanged) scheduler?.wake();
          },
          onReconnect: () => {
            runWorker.wake();
            scheduler?.wake();
          },
          onError: (error) =>
            logger.warn({ reason: error.message }, 'notification listener: reconnecting'),
        });
        if (livenessMonitor)
          livenessSession = openLivenessSession({
            url: config.base.database.url,
            owner: config.id,
            pingMs: livenessPingMs,
            // A partition must not end the session before this orchestrator's leases expire.
            keepaliveIdleSeconds: Math.ceil(config.leaseMs / 1000) + 10,
            onChange: (live) => {
              if (live) logger.info('liveness session held');
              else logger.warn('liveness session lost: not claiming until it is back');
              livenessMonitor.livenessChanged(live);
              void runWorker.livenessChanged(live);
            },
            onError: (error) => logger.warn({ reason: error.message }, 'liveness session'),
          });
        runWorker.start();
        livenessMonitor?.start();
        actions?.start();
        scheduler?.start();
        maintenance.start();
      });
    },
    async stop() {
      // Stop intake first (readiness 503, no new claims, no new schedule passes), then drain.
      await service.stop(async () => {
        await scheduler?.stop();
        maintenance.stop();
        livenessMonitor?.stop();
        await runWorker.stop(config.shutdownGraceMs);
        // Only now that its runs are finished or handed back: peers see it gone.
        await livenessSession?.close();
        await actions?.stop();
        await launcher.close();
        await isolation?.close();
        await listener?.close();
        await sshPool.close();
        await events.close();
      });
    },
  };
}

export type OrchestratorDeps = ReturnType<typeof createDeps>;
