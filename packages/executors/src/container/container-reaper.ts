import type Dockerode from 'dockerode';
import { CONTAINER_LABELS } from './container-executor.ts';

export interface LabelledAttempt {
  runId: number;
  attempt: number;
  orchestrator: string;
}

/**
 * Removes every Cronium container whose attempt is no longer the current one of its run
 * (its orchestrator crashed, its lease was swept, the run finished): after a crash, nothing
 * of the lost attempts keeps running. `stillCurrent` answers, for the labelled attempts, which
 * are still held (from the database). Returns how many containers were removed.
 */
export async function reapOrphanContainers(
  docker: Dockerode,
  installationId: string,
  stillCurrent: (attempts: LabelledAttempt[]) => Promise<Set<string>>,
): Promise<number> {
  // Only this installation's containers: another installation on the same engine keeps its own.
  const containers = await docker.listContainers({
    all: true,
    filters: {
      label: [`${CONTAINER_LABELS.installation}=${installationId}`, CONTAINER_LABELS.runId],
    },
  });
  const labelled = containers.map((c) => ({
    id: c.Id,
    runId: Number(c.Labels[CONTAINER_LABELS.runId]),
    attempt: Number(c.Labels[CONTAINER_LABELS.attempt]),
    orchestrator: c.Labels[CONTAINER_LABELS.orchestrator] ?? '',
  }));
  // A container whose labels are not ours to read is left alone rather than guessed at.
  const readable = labelled.filter(
    (c) => Number.isSafeInteger(c.runId) && Number.isSafeInteger(c.attempt),
  );
  if (readable.length === 0) return 0;
  const current = await stillCurrent(readable);
  let removed = 0;
  for (const c of readable) {
    if (current.has(attemptKey(c))) continue;
    await docker
      .getContainer(c.id)
      .remove({ force: true })
      .then(() => (removed += 1))
      .catch(() => undefined); // already gone
  }
  return removed;
}

export function attemptKey(a: LabelledAttempt): string {
  return `${a.runId}:${a.attempt}:${a.orchestrator}`;
}
