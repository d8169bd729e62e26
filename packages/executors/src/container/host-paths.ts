import { readFile } from 'node:fs/promises';
import { posix } from 'node:path';
import type Dockerode from 'dockerode';

/**
 * Where this process's files are on the Docker engine's host. Script containers are started
 * by the host's engine, so their bind mounts name host paths; when the orchestrator itself
 * runs in a container (the Cronium image with the host's socket mounted), its paths must be
 * translated through its own mounts. Outside a container every path is its own host path.
 */
export interface HostPaths {
  /** The container this process runs in, when the engine knows it. */
  containerId: string | undefined;
  /** The host path of `path`, or undefined when it is only inside this container's image. */
  toHost(path: string): string | undefined;
}

export interface MountInfo {
  Source: string;
  Destination: string;
}

const CONTAINER_ID = /\/containers\/([0-9a-f]{64})\//;

/** The Docker container id in /proc/self/mountinfo (its hostname, hosts and resolv.conf files). */
export function containerIdFromMountInfo(mountInfo: string): string | undefined {
  for (const line of mountInfo.split('\n')) {
    const fields = line.split(' ');
    // Field 4 is the root of the mount within its filesystem: /var/lib/docker/containers/<id>/hostname.
    const match = CONTAINER_ID.exec(fields[3] ?? '');
    if (match && /\/(hostname|hosts|resolv\.conf)$/.test(fields[3] ?? '')) return match[1];
  }
  return undefined;
}

/** Maps paths through mounts: the longest mount destination that holds the path wins. */
export function hostPathsFrom(containerId: string | undefined, mounts: MountInfo[]): HostPaths {
  if (!containerId) return { containerId, toHost: (path) => path };
  const sorted = [...mounts].sort((a, b) => b.Destination.length - a.Destination.length);
  return {
    containerId,
    toHost(path) {
      const normal = posix.normalize(path);
      for (const mount of sorted) {
        const relative = posix.relative(mount.Destination, normal);
        if (relative === '') return mount.Source;
        if (!relative.startsWith('..') && !posix.isAbsolute(relative))
          return posix.join(mount.Source, relative);
      }
      return undefined;
    },
  };
}

/**
 * Finds out whether this process runs in a container of `docker`'s engine and, if so, reads
 * that container's mounts. A container of another engine, or none, maps paths to themselves.
 */
export async function detectHostPaths(
  docker: Dockerode,
  mountInfoPath = '/proc/self/mountinfo',
): Promise<HostPaths> {
  const mountInfo = await readFile(mountInfoPath, 'utf8').catch(() => '');
  const id = containerIdFromMountInfo(mountInfo);
  if (!id) return hostPathsFrom(undefined, []);
  const inspected = await docker
    .getContainer(id)
    .inspect()
    .catch(() => undefined);
  if (!inspected) return hostPathsFrom(undefined, []);
  return hostPathsFrom(id, (inspected.Mounts ?? []) as MountInfo[]);
}
