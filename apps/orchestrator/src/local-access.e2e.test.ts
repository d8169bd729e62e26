import { getSetting } from '@cronium/db';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import { readRunLogs, triggerRun } from '@cronium/run-queue';
import { startOrchestrator, type OrchestratorProcess } from './orchestrator-process.test-helper.ts';

describe('orchestrator process: who may run local scripts (ORCHESTRATOR_LOCAL=admins)', () => {
  let t: TestDatabase;
  let orchestrator: OrchestratorProcess;
  const uidBase = 1_900_000_000 + Math.floor(Math.random() * 90_000) * 1_000;

  beforeAll(async () => {
    t = await createTestDatabase();
    orchestrator = await startOrchestrator(t.url, 'orch-local-access', {
      ORCHESTRATOR_LOCAL: 'admins',
      ORCHESTRATOR_LOCAL_UID_BASE: String(uidBase),
      ORCHESTRATOR_CONTAINERS: 'off',
    });
  });
  afterAll(async () => {
    await orchestrator.stop();
    await t.destroy();
  });

  async function run(ownerId: number, script: string) {
    const eventId = await insertTestEvent(t.db, ownerId, { script });
    const triggered = await triggerRun(t.db, eventId, { trigger: 'manual' });
    if (triggered.outcome !== 'enqueued') throw new Error('not enqueued');
    for (let i = 0; i < 400; i++) {
      const row = await t.db
        .selectFrom('runs')
        .selectAll()
        .where('id', '=', triggered.runId)
        .executeTakeFirstOrThrow();
      if (row.status === 'succeeded' || row.status === 'failed')
        return { row, logs: (await readRunLogs(t.db, row.id)).map((l) => l.data) };
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the run did not finish');
  }

  it('publishes the policy for the API: local for admins, no containers', async () => {
    expect(await getSetting(t.db, 'targets.policy')).toEqual({
      local: 'admins',
      containers: false,
    });
  });

  it("fails the run of a non-admin's local event (say, an admin demoted since it was saved)", async () => {
    const userId = await insertTestUser(t.db, { role: 'user' });
    const { row, logs } = await run(userId, 'echo should-not-run');
    expect(row).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^only administrators may run local scripts/),
    });
    expect(logs).not.toContain('should-not-run');
  });

  it("runs an admin's script as the admin's own unprivileged uid (the tests run as root)", async () => {
    const adminId = await insertTestUser(t.db, { role: 'admin' });
    const { row, logs } = await run(adminId, 'id -u; id -G');
    expect(row.status).toBe('succeeded');
    const uid = String(uidBase + adminId);
    expect(logs).toEqual([uid, uid]);
  });
});
