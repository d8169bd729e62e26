import type { FastifyInstance } from 'fastify';
import nextModule from 'next';

// next is CommonJS: under Node the default import is the factory itself; its type declarations
// (read with bundler resolution) say the same, but some loaders wrap it in `default`.
type CreateNextServer = typeof nextModule;
const createNextServer: CreateNextServer =
  typeof nextModule === 'function'
    ? nextModule
    : (nextModule as unknown as { default: CreateNextServer }).default;

/**
 * Mounts the Next.js app (the UI's pages) behind the Fastify shell; `/api/v1` is Fastify's.
 * The scope drops Fastify's body parsers so Next reads request bodies itself.
 */
export async function mountNext(
  app: FastifyInstance,
  options: { dir: string; dev: boolean; hostname: string; port: number },
): Promise<{ close(): Promise<void> }> {
  const nextApp = createNextServer({
    dev: options.dev,
    dir: options.dir,
    hostname: options.hostname,
    port: options.port,
    customServer: true,
  });
  await nextApp.prepare();
  const handle = nextApp.getRequestHandler();
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    const forward = async (
      request: import('fastify').FastifyRequest,
      reply: import('fastify').FastifyReply,
    ) => {
      reply.hijack();
      await handle(request.raw, reply.raw);
    };
    scope.all('/', forward);
    scope.all('/*', forward);
  });
  return { close: () => nextApp.close() };
}
