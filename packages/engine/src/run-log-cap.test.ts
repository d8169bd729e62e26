// The log cap is per run, not per attempt (M2): a run that retries cannot store more output
// than one cap, however many attempts it has.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import { LocalExecutor } from '@cronium/executors';
import { createLogger } from '@cronium/logger';
import { readRunLogs, triggerRun } from '@cronium/run-queue';
import { ExecutorRegistry } from './executor-registry.ts';
import { RunWorker } from './run-worker.ts';

jest.setTimeout(90_000);
const MiB = 1024 * 1024;

describe('log cap per run', () => {
  let t: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    t = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'cronium-logcap-'));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.destroy();
  });

  it('keeps log_bytes within one cap over three attempts of 8 MiB each', async () => {
    const cap = 10 * MiB;
    const eventId = await insertTestEvent(t.db, await insertTestUser(t.db), {
      // 8 MiB of output in lines of 1 KiB, then a failure: retried twice at once.
      script: `head -c ${8 * MiB} /dev/zero | tr '\\0' a | fold -w 1023; exit 1`,
      retry_max_attempts: 3,
      retry_delay_seconds: 0,
    });
    const { runId } = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number };
    const local = new LocalExecutor({ workRoot: dir });
    const worker = new RunWorker({
      db: t.db,
      logger: createLogger({ service: 'test', level: 'silent', destination: new PassThrough() }),
      owner: 'cap',
      concurrency: 1,
      leaseMs: 30_000,
      pollMs: 100,
      logMaxBytes: cap,
      executors: new ExecutorRegistry({ http: local, targets: { local } }),
      environmentFor: () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin' }),
    });
    worker.start();
    try {
      for (let i = 0; i < 800; i++) {
        const row = await t.db
          .selectFrom('runs')
          .select('status')
          .where('id', '=', runId)
          .executeTakeFirstOrThrow();
        if (row.status === 'failed') break;
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await worker.stop(0);
    }
    const row = await t.db
      .selectFrom('runs')
      .selectAll()
      .where('id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'failed', attempt: 3, log_truncated: true });
    expect(Number(row.log_bytes)).toBeLessThanOrEqual(cap);
    expect(Number(row.log_bytes)).toBeGreaterThan(cap - 8192);
    const system = (await readRunLogs(t.db, runId, 0, 100_000))
      .filter((l) => l.stream === 'system')
      .map((l) => `${l.attempt}: ${l.data}`);
    expect(system[0]).toBe(
      `2: log limit of ${cap} bytes per run reached: further output is not stored`,
    );
  });
});
