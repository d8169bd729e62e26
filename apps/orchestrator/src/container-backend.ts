import { chmod, cp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SDK_DIR } from '@cronium/sdk';
import Dockerode from 'dockerode';
import { installationId, type Db } from '@cronium/db';
import { ContainerExecutor, detectHostPaths, reapOrphanContainers } from '@cronium/executors';
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
  const mounts = await hostMounts(docker, config, logger);
  if (!mounts) return undefined;
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
        mounts.hostPath(mounts.sdkDir),
        `${mounts.hostPath(mounts.sdkDir)}/node/cronium`,
        ...(config.runtime.socketPath ? [mounts.hostPath(dirname(config.runtime.socketPath))] : []),
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
    sdkDir: mounts.sdkDir,
    hostPath: mounts.hostPath,
  });
  return {
    executor,
    reap: () =>
      reapOrphanContainers(docker, installation, (attempts) => currentAttempts(db, attempts)),
  };
}

/**
 * What script containers mount, as the engine's host sees it. When the orchestrator runs in
 * a container (the image, with the host's Docker socket), its paths are translated through its
 * own mounts, and the SDK, which is in the image and so on no mount, is first copied into the
 * data directory. Undefined, with the reason logged, when the runtime API's socket is on no
 * mount: a script container could not reach it.
 */
async function hostMounts(
  docker: Dockerode,
  config: OrchestratorConfig,
  logger: Logger,
): Promise<{ sdkDir: string; hostPath: (path: string) => string } | undefined> {
  const paths = await detectHostPaths(docker);
  if (!paths.containerId) return { sdkDir: SDK_DIR, hostPath: (path) => path };
  let sdkDir = SDK_DIR;
  if (!paths.toHost(sdkDir)) {
    sdkDir = join(config.base.dataDir, 'container-sdk');
    await rm(sdkDir, { recursive: true, force: true });
    await cp(SDK_DIR, sdkDir, { recursive: true });
    await chmod(sdkDir, 0o755);
  }
  const socketDir = config.runtime.socketPath ? dirname(config.runtime.socketPath) : undefined;
  const unmapped = [sdkDir, ...(socketDir ? [socketDir] : [])].filter((p) => !paths.toHost(p));
  if (unmapped.length > 0) {
    logger.error(
      { containerId: paths.containerId, unmapped },
      'container events are off: this orchestrator runs in a container and these paths are on no volume or bind mount, so script containers cannot mount them; put CRONIUM_DATA_DIR on a volume',
    );
    return undefined;
  }
  logger.info(
    {
      containerId: paths.containerId,
      sdkDir: paths.toHost(sdkDir),
      socketDir: socketDir && paths.toHost(socketDir),
    },
    'running in a container: script containers mount these host paths',
  );
  return { sdkDir, hostPath: (path) => paths.toHost(path) ?? path };
}
