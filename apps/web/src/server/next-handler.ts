import type { FastifyInstance } from 'fastify';
import nextModule from 'next';

// next is CommonJS: at run time the default import is the factory itself, while its type
// declarations describe an ES module with a `default` export.
type CreateNextServer = typeof nextModule.default;
const createNextServer: CreateNextServer =
  typeof nextModule === 'function' ? (nextModule as CreateNextServer) : nextModule.default;

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
