// Against a real Docker engine: a registry that accepts connections and never answers must
// not hold a run slot (the review's L5: pulls had no deadline and no abort).
import { createServer, type Server, type Socket } from 'node:net';
import Dockerode from 'dockerode';
import { ensureImage } from './ensure-image.ts';

const docker = new Dockerode();

describe('ensureImage', () => {
  let registry: Server;
  let port: number;
  const sockets = new Set<Socket>();
  beforeAll(async () => {
    // A "registry" on loopback that takes the connection and says nothing.
    registry = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
    port = (registry.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => registry.close(resolve));
  });

  it('uses an image the engine has', async () => {
    // Docker 20.10 lists an untagged (dangling) image as `<none>:<none>`, which is no reference.
    const [image] = (await docker.listImages())
      .flatMap((i) => i.RepoTags ?? [])
      .filter((tag) => tag !== '<none>:<none>');
    expect(image).toBeDefined();
    await expect(ensureImage(docker, image!)).resolves.toEqual({ ok: true });
  });

  it('gives up a pull that does not finish within its deadline', async () => {
    const started = Date.now();
    const result = await ensureImage(docker, `127.0.0.1:${port}/stuck/image:1`, {
      timeoutMs: 1_500,
    });
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(/could not be pulled: the pull took longer than 2 s/),
    });
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('gives up a pull when the run is stopped', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled')), 500);
    const result = await ensureImage(docker, `127.0.0.1:${port}/stuck/image:2`, {
      signal: controller.signal,
    });
    expect(result).toEqual({
      ok: false,
      error: expect.stringMatching(/the run was stopped while pulling/),
    });
  });
});
