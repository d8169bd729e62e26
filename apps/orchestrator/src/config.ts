import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { egressSettings, type EgressSettings } from '@cronium/egress';
import {
  ConfigError,
  defaultRuntimeApiSocket,
  loadServiceConfig,
  type BaseConfig,
} from '@cronium/service-kit';
import type { ScriptType } from '@cronium/contracts';
import { orchestratorEnvSpec } from './config-env.ts';

export { orchestratorEnvSpec };

export interface OrchestratorConfig {
  base: BaseConfig;
  host: string;
  port: number;
  shutdownGraceMs: number;
  id: string;
  concurrency: number;
  maxRunningPerOwner: number;
  leaseMs: number;
  pollMs: number;
  sweepMs: number;
  /** ORCHESTRATOR_LIVENESS_MS; 0: no liveness session, leases only. */
  livenessMs: number;
  misfireThresholdMs: number;
  logMaxBytes: number;
  killGraceMs: number;
  retentionDays: number;
  auditRetentionDays: number;
  schedulerEnabled: boolean;
  actionsEnabled: boolean;
  scriptPath: string;
  local: {
    access: 'off' | 'admins' | 'everyone';
    /** Whether scripts run as per-owner uids (this process can switch users). */
    switchUsers: boolean;
    uidBase: number;
    sandbox: 'auto' | 'off';
  };
  ssh: { connectTimeoutMs: number; idleMs: number; runsPerConnection: number };
  /** The egress policy's settings (EGRESS_ALLOW, EGRESS_ALLOW_METADATA). */
  egress: EgressSettings;
  runtime: { apiUrl: string; socketPath: string | null; jwtSecret: string };
  containers: {
    mode: 'auto' | 'on' | 'off';
    socketPath: string;
    images: Record<ScriptType, string>;
    user: string;
    limits: { memoryMb: number; cpuMillis: number; pids: number; tmpfsMb: number };
    caps: { memoryMb: number; cpuMillis: number; pids: number };
    network: string | undefined;
  };
}

/** What the configuration depends on beyond the environment. */
export interface HostAbilities {
  /** This process may run scripts as other users (root, or CAP_SETUID/CAP_SETGID and co). */
  canSwitchUsers: boolean;
}

export function loadConfig(
  source: Record<string, string | undefined>,
  host: HostAbilities = { canSwitchUsers: false },
): OrchestratorConfig {
  const { base, app } = loadServiceConfig(orchestratorEnvSpec, source, [
    'encryptionKey',
    'jwtSecret',
  ]);
  const problems: string[] = [];
  if (app.CONTAINER_MEMORY_MB > app.CONTAINER_MAX_MEMORY_MB) {
    problems.push('CONTAINER_MEMORY_MB must not exceed CONTAINER_MAX_MEMORY_MB');
  }
  if (app.CONTAINER_CPU_MILLIS > app.CONTAINER_MAX_CPU_MILLIS) {
    problems.push('CONTAINER_CPU_MILLIS must not exceed CONTAINER_MAX_CPU_MILLIS');
  }
  if (app.CONTAINER_PIDS > app.CONTAINER_MAX_PIDS)
    problems.push('CONTAINER_PIDS must not exceed CONTAINER_MAX_PIDS');
  if (app.CONTAINER_NETWORK === 'host' || app.CONTAINER_NETWORK?.startsWith('container:')) {
    problems.push('CONTAINER_NETWORK must name a Docker network, not host or another container');
  }
  if (app.ORCHESTRATOR_LOCAL === 'everyone' && !host.canSwitchUsers)
    problems.push(
      'ORCHESTRATOR_LOCAL=everyone needs an orchestrator that can run scripts as other users (started as root, or with CAP_SETUID, CAP_SETGID, CAP_CHOWN, CAP_KILL and CAP_FOWNER); without that every script would run as the orchestrator itself, with access to its data: use admins or off, or start it so',
    );
  const egress = egressSettings({
    allow: app.EGRESS_ALLOW,
    allowMetadata: app.EGRESS_ALLOW_METADATA,
  });
  if (!egress.ok) problems.push(...egress.problems);
  if (problems.length > 0 || !egress.ok) throw new ConfigError(problems);
  return {
    egress: egress.settings,
    base,
    host: app.ORCHESTRATOR_HOST,
    port: app.ORCHESTRATOR_PORT,
    shutdownGraceMs: app.ORCHESTRATOR_SHUTDOWN_GRACE_MS,
    id: app.ORCHESTRATOR_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    concurrency: app.ORCHESTRATOR_CONCURRENCY,
    maxRunningPerOwner: app.ORCHESTRATOR_MAX_RUNNING_PER_OWNER,
    leaseMs: app.ORCHESTRATOR_LEASE_MS,
    pollMs: app.ORCHESTRATOR_POLL_MS,
    sweepMs: app.ORCHESTRATOR_SWEEP_MS,
    livenessMs: app.ORCHESTRATOR_LIVENESS_MS,
    misfireThresholdMs: app.ORCHESTRATOR_MISFIRE_THRESHOLD_MS,
    logMaxBytes: app.ORCHESTRATOR_LOG_MAX_BYTES,
    killGraceMs: app.ORCHESTRATOR_KILL_GRACE_MS,
    retentionDays: app.ORCHESTRATOR_RETENTION_DAYS,
    auditRetentionDays: app.ORCHESTRATOR_AUDIT_RETENTION_DAYS,
    schedulerEnabled: app.ORCHESTRATOR_SCHEDULER,
    actionsEnabled: app.ORCHESTRATOR_ACTIONS,
    scriptPath: app.PATH,
    local: {
      access: app.ORCHESTRATOR_LOCAL,
      switchUsers: host.canSwitchUsers,
      uidBase: app.ORCHESTRATOR_LOCAL_UID_BASE,
      sandbox: app.ORCHESTRATOR_LOCAL_SANDBOX,
    },
    runtime: {
      apiUrl: (
        app.RUNTIME_API_URL ?? defaultRuntimeApiUrl(app.RUNTIME_API_HOST, app.RUNTIME_API_PORT)
      ).replace(/\/$/, ''),
      socketPath:
        app.RUNTIME_API_SOCKET === 'off'
          ? null
          : (app.RUNTIME_API_SOCKET ?? defaultRuntimeApiSocket(base.dataDir)),
      jwtSecret: base.secrets.jwtSecret!,
    },
    ssh: {
      connectTimeoutMs: app.SSH_CONNECT_TIMEOUT_MS,
      idleMs: app.SSH_IDLE_MS,
      runsPerConnection: app.SSH_RUNS_PER_CONNECTION,
    },
    containers: {
      mode: app.ORCHESTRATOR_CONTAINERS,
      socketPath: app.DOCKER_SOCKET,
      images: {
        bash: app.CONTAINER_IMAGE_BASH,
        python: app.CONTAINER_IMAGE_PYTHON,
        node: app.CONTAINER_IMAGE_NODE,
      },
      user: app.CONTAINER_USER,
      limits: {
        memoryMb: app.CONTAINER_MEMORY_MB,
        cpuMillis: app.CONTAINER_CPU_MILLIS,
        pids: app.CONTAINER_PIDS,
        tmpfsMb: app.CONTAINER_TMPFS_MB,
      },
      caps: {
        memoryMb: app.CONTAINER_MAX_MEMORY_MB,
        cpuMillis: app.CONTAINER_MAX_CPU_MILLIS,
        pids: app.CONTAINER_MAX_PIDS,
      },
      network: app.CONTAINER_NETWORK,
    },
  };
}

/** The runtime API's own address, as a client on this machine reaches it. */
function defaultRuntimeApiUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host;
  return `http://${reachable.includes(':') && !reachable.startsWith('[') ? `[${reachable}]` : reachable}:${port}`;
}
