// Real Postgres for tests: a migrated template database, created once per schema version,
// cloned into a fresh database per test file (CREATE DATABASE ... TEMPLATE is a file copy,
// much faster than migrating each time).
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type Db } from '../create-database.ts';
import { migrateToLatest } from '../migrate.ts';
import { migrations } from '../migrations/index.ts';

const TEMPLATE_LOCK_KEY = 7_302_918_414_226_114n;

export interface TestDatabase {
  db: Db;
  /** Connection URL of this test file's own database, for child processes. */
  url: string;
  name: string;
  destroy(): Promise<void>;
}

export function testAdminUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    throw new Error(
      'TEST_DATABASE_URL is not set. Run the suite with `npm test` (it starts an embedded PostgreSQL), ' +
        'or point TEST_DATABASE_URL at a Postgres server where this user may create databases.',
    );
  }
  return url;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** Changes whenever a migration's code changes, so a stale template is never reused. */
function schemaFingerprint(): string {
  const hash = createHash('sha256');
  for (const [name, m] of Object.entries(migrations)) hash.update(name).update(m.up.toString());
  return hash.digest('hex').slice(0, 12);
}

async function withAdminClient<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testAdminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function databaseExists(client: pg.Client, name: string): Promise<boolean> {
  const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  return result.rowCount === 1;
}

/** Creates (once) and returns the name of the migrated template database. */
export async function ensureTemplateDatabase(): Promise<string> {
  const template = `cronium_tmpl_${schemaFingerprint()}`;
  return withAdminClient(async (client) => {
    await client.query('SELECT pg_advisory_lock($1)', [TEMPLATE_LOCK_KEY.toString()]);
    try {
      if (await databaseExists(client, template)) return template;
      const building = `${template}_building`;
      await client.query(`DROP DATABASE IF EXISTS ${building} WITH (FORCE)`);
      await client.query(`CREATE DATABASE ${building}`);
      const { db } = createDatabase({ url: withDatabase(testAdminUrl(), building), poolMax: 2 });
      try {
        await migrateToLatest(db);
      } finally {
        await db.destroy();
      }
      await client.query(`ALTER DATABASE ${building} RENAME TO ${template}`);
      return template;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [TEMPLATE_LOCK_KEY.toString()]);
    }
  });
}

/** An empty database with no schema at all, for migration tests. */
export async function createEmptyTestDatabase(): Promise<{
  url: string;
  name: string;
  drop(): Promise<void>;
}> {
  const name = `cronium_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: withDatabase(testAdminUrl(), name),
    drop: () =>
      withAdminClient((client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      ).then(() => undefined),
  };
}

/** A fresh, fully migrated database for one test file. Call `destroy()` in afterAll. */
export async function createTestDatabase(
  options: { poolMax?: number } = {},
): Promise<TestDatabase> {
  const template = await ensureTemplateDatabase();
  const name = `cronium_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  const url = withDatabase(testAdminUrl(), name);
  const { db } = createDatabase({
    url,
    poolMax: options.poolMax ?? 5,
    applicationName: 'cronium-test',
  });
  return {
    db,
    url,
    name,
    async destroy() {
      await db.destroy();
      await withAdminClient((client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    },
  };
}
