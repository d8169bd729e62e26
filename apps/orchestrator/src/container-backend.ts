import { dirname } from 'node:path';
import { SDK_DIR } from '@cronium/sdk';
import Dockerode from 'dockerode';
import { installationId, type Db } from '@cronium/db';
import { ContainerExecutor, reapOrphanContainers } from '@cronium/executors';
import type { Logger } from '@cronium/logger';
import { currentAttempts } from '@cronium/run-queue';
import type { OrchestratorConfig } from './config.ts';
import { eventOwner } from './run-egress.ts';

const MiB = 2 ** 20;

export interface ContainerBackend {
  executor: ContainerExecutor;
  reap: () => Promise<number>;
}

/**
 * The container executor and its orphan reaper, when a Docker engine is there to use:
 * ORCHESTRATOR_CONTAINERS=auto uses one that answers at start (and goes without otherwise),
 * =on requires one, =off never uses one.
 */
export async function connectContainerBackend(
  config: OrchestratorConfig,
  db: Db,
  logger: Logger,
): Promise<ContainerBackend | undefined> {
  const settings = config.containers;
  if (settings.mode === 'off') return undefined;
  const docker = new Dockerode({ socketPath: settings.socketPath });
  try {
    await docker.ping();
  } catch (error) {
    const message = `no Docker engine answers at ${settings.socketPath}: ${(error as Error).message}`;
    if (settings.mode === 'on')
      throw new Error(`${message} (ORCHESTRATOR_CONTAINERS=on)`, { cause: error });
    logger.info(
      `${message}; container events will fail until one is available and the orchestrator restarts`,
    );
    return undefined;
  }
  const installation = await installationId(db);
  const executor = new ContainerExecutor({
    docker,
    images: settings.images,
    caps: {
      maxMemoryBytes: settings.caps.memoryMb * MiB,
      maxNanoCpus: settings.caps.cpuMillis * 1e6,
      maxPids: settings.caps.pids,
      maxTmpfsBytes: settings.limits.tmpfsMb * MiB,
      allowedNetworks: settings.network ? [settings.network] : [],
      // The SDK and the runtime API's socket directory, nothing else of the host.
      allowedReadOnlyBinds: [
        SDK_DIR,
        `${SDK_DIR}/node/cronium`,
        ...(config.runtime.socketPath ? [dirname(config.runtime.socketPath)] : []),
      ],
    },
    limits: {
      memoryBytes: settings.limits.memoryMb * MiB,
      nanoCpus: settings.limits.cpuMillis * 1e6,
      pids: settings.limits.pids,
      tmpfsBytes: settings.limits.tmpfsMb * MiB,
    },
    ...(settings.network ? { network: settings.network } : {}),
    // The container network is outside the egress policy: an admin's events only.
    mayUseNetwork: async (request) => (await eventOwner(db, request.eventId))?.role === 'admin',
    user: settings.user,
    orchestratorId: config.id,
    installationId: installation,
    killGraceMs: config.killGraceMs,
  });
  return {
    executor,
    reap: () =>
      reapOrphanContainers(docker, installation, (attempts) => currentAttempts(db, attempts)),
  };
}
