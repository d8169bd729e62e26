// A fresh, migrated database for one benchmark run: on BENCH_DATABASE_URL's server when set,
// otherwise on an embedded PostgreSQL started for the run.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createDatabase, migrateToLatest, type Db } from '@cronium/db';
import { startEmbeddedPostgres } from '@cronium/launcher/embedded-postgres';

/** Connections in the pool of each migrated database `create` opens. */
export const BENCH_POOL_MAX = 20;

export interface BenchDatabase {
  serverUrl: string;
  /** The server's `server_version` (e.g. `15.20 (Debian 15.20-0+deb12u1)`). */
  version: string;
  /** Creates an empty database; `migrate` applies Cronium's schema. */
  create(name: string, migrate: boolean): Promise<{ url: string; db?: Db }>;
  close(): Promise<void>;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function openBenchDatabase(): Promise<BenchDatabase> {
  let stop: (() => Promise<void>) | undefined;
  let serverUrl = process.env.BENCH_DATABASE_URL;
  if (!serverUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'cronium-bench-'));
    chmodSync(dir, 0o711);
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const server = await startEmbeddedPostgres({
      clusterDir: join(dir, 'postgres'),
      port,
      user: 'cronium',
      password: randomBytes(12).toString('hex'),
      database: 'postgres',
    });
    serverUrl = server.url;
    stop = async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const created: { name: string; db?: Db }[] = [];
  const admin = async (query: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      return await client.query(query);
    } finally {
      await client.end();
    }
  };
  const version = await admin('SHOW server_version').then(
    ({ rows }) => String(rows[0]?.server_version),
    async (error: unknown) => {
      await stop?.();
      throw error;
    },
  );
  return {
    serverUrl,
    version,
    async create(prefix, migrate) {
      const name = `${prefix}_${Date.now()}_${randomBytes(3).toString('hex')}`;
      await admin(`CREATE DATABASE ${name}`);
      const url = withDatabase(serverUrl, name);
      const entry: { name: string; db?: Db } = { name };
      if (migrate) {
        entry.db = createDatabase({ url, poolMax: BENCH_POOL_MAX }).db;
        await migrateToLatest(entry.db);
      }
      created.push(entry);
      return { url, db: entry.db };
    },
    async close() {
      for (const entry of created) {
        await entry.db?.destroy();
        await admin(`DROP DATABASE IF EXISTS ${entry.name} WITH (FORCE)`);
      }
      await stop?.();
    },
  };
}
