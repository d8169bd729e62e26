// Re-encryption under a new master key: how many values a second `reencryptAll` (what
// `npm run keys -- reencrypt` runs) moves, online, in batches, and what a user's read of a
// secret costs meanwhile. The reference is the offline way, in the same run on a copy of the
// same rows: everything read, sealed again and written back in one transaction.
// Run: `node bench/src/key-rotation.ts` (BENCH_VALUES: secret variables, default 100000).
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { SecretBox } from '@cronium/crypto';
import { readVariable, reencryptAll, variableSecretAad, type Db } from '@cronium/db';
import { openBenchDatabase } from './bench-database.ts';
import { summarize, writeResults } from './results.ts';

const VALUES = Number(process.env.BENCH_VALUES ?? 100_000);
const oldKey = randomBytes(32);
const newKey = randomBytes(32);
const before = new SecretBox(oldKey);
const during = new SecretBox(newKey, [oldKey]);

/** VALUES secret variables of one user, sealed with the old key (64-character values). */
async function seed(db: Db): Promise<number> {
  const { id: owner } = await db
    .insertInto('users')
    .values({ email: `bench-${Date.now()}@example.com`, password_hash: 'x', role: 'user' })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (let from = 0; from < VALUES; from += 5_000) {
    const keys = Array.from({ length: Math.min(5_000, VALUES - from) }, (_, i) => `S_${from + i}`);
    const sealed = keys.map((key) =>
      before.encrypt(randomBytes(32).toString('hex'), variableSecretAad(owner, key)),
    );
    await sql`INSERT INTO variables (owner_id, key, is_secret, value_encrypted)
              SELECT ${owner}, k, true, v FROM unnest(${keys}::text[], ${sealed}::text[]) AS t(k, v)`.execute(
      db,
    );
  }
  return owner;
}

/** Reads of one secret after another until stopped: the latency a user sees. */
function reader(db: Db, box: SecretBox, owner: number) {
  const samples: number[] = [];
  let stop = false;
  const done = (async () => {
    while (!stop) {
      const key = `S_${Math.floor(Math.random() * VALUES)}`;
      const started = performance.now();
      await readVariable(db, box, owner, key);
      samples.push(performance.now() - started);
    }
  })();
  return {
    async stop() {
      stop = true;
      await done;
      return summarize(samples);
    },
  };
}

async function offline(db: Db, owner: number): Promise<number> {
  const started = performance.now();
  await db.transaction().execute(async (trx) => {
    const rows = await trx
      .selectFrom('variables')
      .select(['id', 'key', 'value_encrypted'])
      .where('owner_id', '=', owner)
      .forUpdate()
      .execute();
    const ids = rows.map((r) => r.id);
    const sealed = rows.map((r) =>
      during.reseal(r.value_encrypted!, variableSecretAad(owner, r.key)),
    );
    await sql`UPDATE variables AS t SET value_encrypted = v.sealed
              FROM unnest(${ids}::bigint[], ${sealed}::text[]) AS v(id, sealed)
              WHERE t.id = v.id`.execute(trx);
  });
  return performance.now() - started;
}

const bench = await openBenchDatabase();
try {
  const results: Record<string, unknown> = { values: VALUES, postgres: bench.version };
  for (const batchSize of [500, 2_000]) {
    const { db } = await bench.create('keyrot', true);
    const owner = await seed(db!);
    const idle = reader(db!, during, owner);
    await new Promise((r) => setTimeout(r, 2_000));
    const idleReads = await idle.stop();
    const busy = reader(db!, during, owner);
    const started = performance.now();
    const pass = await reencryptAll(db!, during, { batchSize });
    const seconds = (performance.now() - started) / 1000;
    const busyReads = await busy.stop();
    if (pass.resealed !== VALUES) throw new Error(`resealed ${pass.resealed} of ${VALUES}`);
    results[`online${batchSize}`] = {
      batchSize,
      seconds,
      perSecond: VALUES / seconds,
      readsIdle: idleReads,
      readsDuring: busyReads,
    };
  }
  const { db } = await bench.create('keyrot', true);
  const owner = await seed(db!);
  const offlineMs = await offline(db!, owner);
  results.offline = { seconds: offlineMs / 1000, perSecond: VALUES / (offlineMs / 1000) };
  writeResults('key-rotation', results);
} finally {
  await bench.close();
}
