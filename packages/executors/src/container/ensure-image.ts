import type Dockerode from 'dockerode';

/** A pull that takes longer than this is given up (the run fails and retries apply). */
export const PULL_TIMEOUT_MS = 300_000;

/**
 * Makes sure an image is present: used as is when the engine has it, pulled when a registry
 * is reachable, otherwise a clear error (the run fails with it, and retries apply). A pull
 * stops at `signal` (the run's cancel or timeout) or after `timeoutMs`, whichever is first,
 * so a registry that never answers cannot hold a run slot.
 */
export async function ensureImage(
  docker: Dockerode,
  image: string,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<{ ok: true } | { ok: false; error: string }> {
  try {
    await docker.getImage(image).inspect();
    return { ok: true };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) {
      return { ok: false, error: `cannot inspect image ${image}: ${(error as Error).message}` };
    }
  }
  const timeoutMs = options.timeoutMs ?? PULL_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  try {
    // The engine answers the pull request only once the registry has, so the signal goes
    // to the request itself (docker-modem takes it out of the query), then to the stream.
    const stream = (await docker.pull(image, { abortSignal: signal })) as NodeJS.ReadableStream & {
      destroy?: () => void;
    };
    await new Promise<void>((resolve, reject) => {
      const stop = () => {
        stream.destroy?.();
        reject(new Error('aborted'));
      };
      if (signal.aborted) return stop();
      signal.addEventListener('abort', stop, { once: true });
      docker.modem.followProgress(stream, (error: Error | null) => {
        signal.removeEventListener('abort', stop);
        if (error) reject(error);
        else resolve();
      });
    });
    return { ok: true };
  } catch (error) {
    const why = deadline.aborted
      ? `the pull took longer than ${Math.round(timeoutMs / 1000)} s`
      : signal.aborted
        ? 'the run was stopped while pulling'
        : (error as Error).message;
    return {
      ok: false,
      error: `image ${image} is not on this Docker engine and could not be pulled: ${why}`,
    };
  }
}
