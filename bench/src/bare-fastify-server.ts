// The reference for the runtime API: a bare Fastify route answering what getVariable expects
// with the same one SQL statement the runtime API runs (readLiveVariable: the attempt's
// liveness and the variable in one round trip), on the same database with a pool of the same
// size, but no token check, no rate limit, no schemas and no error handler. Prints its port
// on stdout once listening.
// Usage (from runtime-api-latency.ts): DATABASE_URL, BENCH_ENCRYPTION_KEY, BENCH_LIVE_ATTEMPT
// (JSON of runId, attempt, eventId, ownerId) in the environment.
import Fastify from 'fastify';
import { SecretBox, parseMasterKey } from '@cronium/crypto';
import { createDatabase } from '@cronium/db';
import { readLiveVariable, type LiveAttemptRef } from '@cronium/run-queue';

/** The runtime API's DATABASE_POOL_MAX default. */
const POOL_MAX = 10;
const { db } = createDatabase({ url: process.env.DATABASE_URL!, poolMax: POOL_MAX });
const box = new SecretBox(parseMasterKey(process.env.BENCH_ENCRYPTION_KEY!));
const attempt = JSON.parse(process.env.BENCH_LIVE_ATTEMPT!) as LiveAttemptRef;

const app = Fastify({ logger: false });
app.get('/v1/variables/:key', async (request, reply) => {
  const key = (request.params as { key: string }).key;
  const found = await readLiveVariable(db, box, attempt, key);
  if (!found?.found) return reply.code(404).send({ key });
  return { key, value: found.value };
});
app.addHook('onClose', () => db.destroy());
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(`${typeof address === 'object' && address ? address.port : 0}\n`);
process.once('SIGTERM', () => void app.close());
