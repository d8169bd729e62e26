import { createServer, type Server } from 'node:http';
import { chmod, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FastifyInstance } from 'fastify';

/**
 * Serves the same Fastify app on a unix socket, for scripts in containers without a network
 * (the socket's directory is bind-mounted read-only into them). The socket accepts any local
 * user (0666): every call still needs a valid run token.
 */
export async function listenOnUnixSocket(
  app: FastifyInstance,
  path: string,
): Promise<{ close(): Promise<void> }> {
  await mkdir(dirname(path), { recursive: true, mode: 0o755 });
  await chmod(dirname(path), 0o755);
  await rm(path, { force: true }); // a socket left by a process that died
  const server: Server = createServer((request, response) => app.routing(request, response));
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  await chmod(path, 0o666);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5_000).unref();
      }).then(() => rm(path, { force: true })),
  };
}
