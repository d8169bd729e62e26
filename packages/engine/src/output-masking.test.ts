// The output a script stores through the runtime API during an attempt is masked like its log
// once the attempt ends: from the value the outcome statement returns, without reading the
// run again.
import { PassThrough } from 'node:stream';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import { FakeExecutor } from '@cronium/executors';
import { createLogger } from '@cronium/logger';
import { setLiveRunField, triggerRun } from '@cronium/run-queue';
import { ExecutorRegistry } from './executor-registry.ts';
import { RunWorker } from './run-worker.ts';

describe('output stored by a script', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(() => t.destroy());

  async function runWithOutput(output: unknown, failFirst = false) {
    const userId = await insertTestUser(t.db);
    const eventId = await insertTestEvent(t.db, userId, {
      retry_max_attempts: failFirst ? 2 : 1,
      retry_delay_seconds: 0,
    });
    const { runId } = (await triggerRun(t.db, eventId, { trigger: 'manual' })) as { runId: number };
    // The script's part: it sets its output through the runtime API (a live-attempt write),
    // then ends; the first attempt fails when asked to.
    const executor = new FakeExecutor({ decide: () => ({ status: 'succeeded', exitCode: 0 }) });
    const run = executor.run.bind(executor);
    executor.run = async (request, context) => {
      await setLiveRunField(
        t.db,
        { runId, attempt: request.attempt, eventId, ownerId: userId },
        { output: request.attempt === 1 && failFirst ? { from: 'attempt 1' } : output },
      );
      const result = await run(request, context);
      return request.attempt === 1 && failFirst
        ? { status: 'failed', exitCode: 1, error: 'first attempt fails' }
        : result;
    };
    const worker = new RunWorker({
      db: t.db,
      logger: createLogger({ service: 'test', level: 'silent', destination: new PassThrough() }),
      owner: 'mask',
      concurrency: 1,
      leaseMs: 30_000,
      pollMs: 50,
      logMaxBytes: 1 << 20,
      executors: new ExecutorRegistry({ http: executor, targets: { local: executor } }),
      environmentFor: () => ({}),
      secretsFor: async () => ['hunter2-secret'],
    });
    const read = () =>
      t.db
        .selectFrom('runs')
        .select(['status', 'output', 'attempt'])
        .where('id', '=', runId)
        .executeTakeFirstOrThrow();
    worker.start();
    let finished = false;
    try {
      for (let i = 0; i < 200 && !finished; i++) {
        finished = (await read()).status === 'succeeded';
        if (!finished) await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      // Stopping waits for the attempt's work after its outcome (the masked output is written
      // in a statement of its own, just after the outcome's).
      await worker.stop(0);
    }
    if (!finished) throw new Error('the run did not finish');
    return read();
  }

  it('is masked, keys and nested values included', async () => {
    const row = await runWithOutput({
      token: 'hunter2-secret',
      list: ['x hunter2-secret y', 3],
      'hunter2-secret': true,
    });
    expect(row.output).toEqual({ token: '***', list: ['x *** y', 3], '***': true });
  });

  it('is kept as it is when it holds no secret, and a retry does not keep the first attempt’s', async () => {
    const row = await runWithOutput({ rows: 42 }, true);
    expect(row).toMatchObject({ attempt: 2, output: { rows: 42 } });
  });
});
