import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { createDatabase } from './create-database.ts';
import { migrateToLatest, pendingMigrations } from './migrate.ts';
import { migrations } from './migrations/index.ts';
import { createEmptyTestDatabase } from './testing/test-database.ts';

const cli = fileURLToPath(new URL('./migrate-cli.ts', `file://${__filename}`));

function runCli(url: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli], { env: { ...process.env, DATABASE_URL: url } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const EXPECTED_TABLES = [
  'api_tokens',
  'audit_log',
  'event_actions',
  'event_servers',
  'events',
  'invitations',
  'run_actions',
  'run_log_chunks',
  'run_targets',
  'runs',
  'schedule_ticks',
  'servers',
  'sessions',
  'settings',
  'tool_credentials',
  'users',
  'variables',
  'webhooks',
  'workflow_edges',
  'workflow_node_runs',
  'workflow_nodes',
  'workflow_runs',
  'workflows',
];

describe('migrations', () => {
  it('migrate an empty database up to the whole schema, then do nothing on a second run', async () => {
    const target = await createEmptyTestDatabase();
    const { db } = createDatabase({ url: target.url, poolMax: 2 });
    try {
      expect(await pendingMigrations(db)).toEqual(Object.keys(migrations));
      const first = await migrateToLatest(db);
      expect(first.applied).toEqual(Object.keys(migrations));
      const second = await migrateToLatest(db);
      expect(second.applied).toEqual([]);
      expect(await pendingMigrations(db)).toEqual([]);
      const tables = await sql<{ table_name: string }>`
        SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_name NOT LIKE 'kysely_%' ORDER BY table_name`.execute(
        db,
      );
      expect(tables.rows.map((r) => r.table_name)).toEqual(EXPECTED_TABLES);
    } finally {
      await db.destroy();
      await target.drop();
    }
  });

  it('let several processes start migrating at once: exactly one applies each migration', async () => {
    const target = await createEmptyTestDatabase();
    try {
      const results = await Promise.all([
        runCli(target.url),
        runCli(target.url),
        runCli(target.url),
      ]);
      for (const r of results)
        expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
      const applied = results.map((r) => (JSON.parse(r.stdout) as { applied: string[] }).applied);
      expect(applied.flat().sort()).toEqual(Object.keys(migrations).sort());
      const { db } = createDatabase({ url: target.url, poolMax: 1 });
      try {
        const rows = await sql<{ name: string }>`SELECT name FROM kysely_migration`.execute(db);
        expect(rows.rows.map((r) => r.name)).toEqual(Object.keys(migrations));
      } finally {
        await db.destroy();
      }
    } finally {
      await target.drop();
    }
  });

  it('refuse to start without DATABASE_URL, with a clear message', async () => {
    const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const env = { ...process.env };
      delete env.DATABASE_URL;
      const child = spawn(process.execPath, [cli], { env });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('exit', (code) => resolve({ code, stderr }));
    });
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/DATABASE_URL is required/);
  });
});
