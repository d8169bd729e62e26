// The contract every Cronium process keeps, as one reusable suite: it starts from main.ts
// against real Postgres, migrates, answers /health and /ready with the shared payload,
// reports 503 when its database goes away, exits 78 on bad configuration listing every
// problem, and exits 0 on SIGTERM.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createEmptyTestDatabase, testAdminUrl } from '@cronium/db/testing';
import { freePort, spawnService, waitForStatus } from './service-process-harness.ts';

export function describeServiceProcess(options: {
  service: string;
  entry: string;
  portVariable: string;
  hostVariable: string;
  /** Extra arguments (the web app needs none; kept for symmetry). */
  args?: string[];
  startTimeoutMs?: number;
}): void {
  describe(`${options.service} process`, () => {
    let dataDir: string;
    beforeAll(() => {
      dataDir = mkdtempSync(join(tmpdir(), `cronium-${options.service}-`));
    });
    afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

    it('starts, migrates, answers /health and /ready, turns unready when the database goes away, and stops on SIGTERM', async () => {
      const database = await createEmptyTestDatabase();
      const port = await freePort();
      const proc = spawnService(
        options.entry,
        {
          DATABASE_URL: database.url,
          CRONIUM_DATA_DIR: dataDir,
          [options.portVariable]: String(port),
          [options.hostVariable]: '127.0.0.1',
          LOG_LEVEL: 'info',
        },
        options.args,
      );
      try {
        const base = `http://127.0.0.1:${port}`;
        const ready = await waitForStatus(`${base}/ready`, 200, {
          process: proc,
          timeoutMs: options.startTimeoutMs ?? 30_000,
        });
        expect(ready.body).toMatchObject({
          status: 'healthy',
          version: expect.stringMatching(/^\d+\.\d+\.\d+/),
          service: options.service,
          details: { database: { status: 'healthy', latencyMs: expect.any(Number) } },
        });
        // Whatever else the service checks (its bus, Valkey) is healthy too.
        const details = (ready.body as { details: Record<string, { status: string }> }).details;
        expect(Object.values(details).map((d) => d.status)).toEqual(
          Object.keys(details).map(() => 'healthy'),
        );
        const health = await waitForStatus(`${base}/health`, 200);
        expect(health.body).toMatchObject({ status: 'healthy', service: options.service });

        // Prometheus metrics, for this machine: the process, its pool, its requests.
        const metrics = await fetch(`${base}/metrics`);
        expect(metrics.status).toBe(200);
        expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
        const text = await metrics.text();
        const series = (name: string, ...labels: string[]) =>
          text
            .split('\n')
            .some(
              (line) =>
                line.startsWith(`${name}{`) &&
                [`service="${options.service}"`, ...labels].every((l) => line.includes(l)),
            );
        expect(series('process_resident_memory_bytes')).toBe(true);
        expect(series('cronium_db_pool_connections', 'state="total"')).toBe(true);
        expect(
          series('cronium_http_request_duration_seconds_count', 'route="/ready"', 'status="2xx"'),
        ).toBe(true);
        // What a reverse proxy on this machine forwards is not for it.
        const proxied = await fetch(`${base}/metrics`, {
          headers: { 'x-forwarded-for': '192.0.2.1' },
        });
        expect(proxied.status).toBe(403);

        // The database disappears: liveness stays, readiness reports it.
        const admin = new pg.Client({ connectionString: testAdminUrl() });
        await admin.connect();
        try {
          await admin.query(`DROP DATABASE ${database.name} WITH (FORCE)`);
        } finally {
          await admin.end();
        }
        const unready = await waitForStatus(`${base}/ready`, 503, { timeoutMs: 15_000 });
        expect(unready.body).toMatchObject({
          status: 'unhealthy',
          details: { database: { status: 'unhealthy' } },
        });
        expect((await fetch(`${base}/health`)).status).toBe(200);

        const { code } = await proc.stop();
        expect({ code, output: proc.output() }).toEqual({
          code: 0,
          output: expect.stringContaining('shutdown complete'),
        });
      } finally {
        await proc.stop(2_000);
        await database.drop();
      }
    });

    it('exits 78 on invalid configuration, listing every problem at once', async () => {
      const proc = spawnService(
        options.entry,
        {
          CRONIUM_DATA_DIR: dataDir,
          [options.portVariable]: 'not-a-port',
          LOG_LEVEL: 'chatty',
          DATABASE_URL: 'mysql://nope',
        },
        options.args,
      );
      const { code } = await proc.exited;
      expect(code).toBe(78);
      const output = proc.output();
      expect(output).toContain(
        `${options.portVariable} is invalid: expected an integer from 1 to 65535`,
      );
      expect(output).toContain(
        'LOG_LEVEL is invalid: expected one of fatal, error, warn, info, debug, trace, silent',
      );
      expect(output).toContain(
        'DATABASE_URL is invalid: expected a URL starting with postgres:// or postgresql://, got [redacted]',
      );
      expect(output).not.toContain('mysql://nope');
    });
  });
}
