// The reference: a bare Fastify route answering what getVariable expects, no auth, no
// database. Prints its port on stdout once listening.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/v1/variables/:key', async (request) => ({
  key: (request.params as { key: string }).key,
  value: 'forty-two',
}));
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
