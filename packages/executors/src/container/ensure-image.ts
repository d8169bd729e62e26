import type Dockerode from 'dockerode';

/**
 * Makes sure an image is present: used as is when the engine has it, pulled when a registry
 * is reachable, otherwise a clear error (the run fails with it, and retries apply).
 */
export async function ensureImage(
  docker: Dockerode,
  image: string,
): Promise<{ ok: true } | { ok: false; error: string }> {
  try {
    await docker.getImage(image).inspect();
    return { ok: true };
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode !== 404) {
      return { ok: false, error: `cannot inspect image ${image}: ${(error as Error).message}` };
    }
  }
  try {
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(stream, (error: Error | null) =>
        error ? reject(error) : resolve(),
      ),
    );
    return { ok: true };
  } catch (error) {
    return {
      ok: false,
      error: `image ${image} is not on this Docker engine and could not be pulled: ${(error as Error).message}`,
    };
  }
}
