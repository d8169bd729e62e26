// A workflow's tool nodes against real PostgreSQL: the node's row is the outbox entry, claimed
// with a lease by an action worker (the test stands in for it), and its end, fenced by that
// claim, moves the workflow run on in the same transaction.
import { sql } from 'kysely';
import { listenForNotifications } from '@cronium/db';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import { claimRuns } from '../claim-runs.ts';
import { CHANNELS } from '../queue-types.ts';
import { finishRuns } from '../finish-run.ts';
import { cancelWorkflowRun } from './cancel-workflow-run.ts';
import { startWorkflowRun } from './start-workflow-run.ts';
import { claimToolNodes, finishToolNode } from './tool-nodes.ts';

describe('workflow tool nodes', () => {
  let t: TestDatabase;
  let userId: number;
  let credentialId: number;
  beforeAll(async () => {
    t = await createTestDatabase();
    userId = await insertTestUser(t.db);
    ({ id: credentialId } = await t.db
      .insertInto('tool_credentials')
      .values({ owner_id: userId, kind: 'webhook', name: 'hook', config_encrypted: 'sealed' })
      .returning('id')
      .executeTakeFirstOrThrow());
  });
  afterAll(() => t.destroy());
  // Each test claims only its own runs: none may be left queued by the one before.
  afterEach(async () => {
    await t.db
      .updateTable('runs')
      .set({ status: 'cancelled', lease_owner: null, lease_expires_at: null })
      .where('status', 'in', ['queued', 'running', 'cancelling'])
      .execute();
  });

  const params = { body: 'rows: {{ input.extract.rows }}' };

  /** extract (event) -> notify (tool) -> load (event), each edge on success. */
  async function workflow() {
    const { id } = await t.db
      .insertInto('workflows')
      .values({ owner_id: userId, name: `wf ${Math.random()}` })
      .returning('id')
      .executeTakeFirstOrThrow();
    const node = async (name: string, tool: boolean) =>
      (
        await t.db
          .insertInto('workflow_nodes')
          .values({
            workflow_id: id,
            name,
            kind: tool ? 'tool' : 'event',
            event_id: tool ? null : await insertTestEvent(t.db, userId),
            tool_credential_id: tool ? credentialId : null,
            tool_params: tool ? JSON.stringify(params) : null,
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    const ids = { extract: await node('extract', false), notify: await node('notify', true) };
    const load = await node('load', false);
    await t.db
      .insertInto('workflow_edges')
      .values([
        {
          workflow_id: id,
          from_node_id: ids.extract,
          to_node_id: ids.notify,
          condition: 'on_success',
        },
        { workflow_id: id, from_node_id: ids.notify, to_node_id: load, condition: 'on_success' },
      ])
      .execute();
    return { id, ...ids, load };
  }

  /** Starts the workflow and ends its first node's run with `{ rows: 3 }`. */
  async function startedToTool() {
    const wf = await workflow();
    const started = await startWorkflowRun(t.db, wf.id, { trigger: 'manual' });
    if (started.outcome !== 'started') throw new Error(started.reason);
    const [run] = await claimRuns(t.db, { owner: 'test', limit: 10, leaseMs: 60_000 });
    await t.db
      .updateTable('runs')
      .set({ output: JSON.stringify({ rows: 3 }) })
      .where('id', '=', run!.runId)
      .execute();
    await finishRuns(t.db, [
      { fence: { runId: run!.runId, attempt: 1, owner: 'test' }, outcome: { status: 'succeeded' } },
    ]);
    return { wf, workflowRunId: started.workflowRunId };
  }

  const node = (workflowRunId: number, nodeId: number) =>
    t.db
      .selectFrom('workflow_node_runs')
      .selectAll()
      .where('workflow_run_id', '=', workflowRunId)
      .where('node_id', '=', nodeId)
      .executeTakeFirstOrThrow();
  const workflowRunStatus = async (workflowRunId: number) =>
    (
      await t.db
        .selectFrom('workflow_runs')
        .select(['status'])
        .where('id', '=', workflowRunId)
        .executeTakeFirstOrThrow()
    ).status;
  const queuedLoads = (workflowRunId: number) =>
    t.db
      .selectFrom('runs')
      .select(['input'])
      .where('workflow_run_id', '=', workflowRunId)
      .where('status', '=', 'queued')
      .execute();

  it('is claimed once, with its frozen params and its input, and its answer feeds the next node', async () => {
    const { wf, workflowRunId } = await startedToTool();
    const [claimed, ...more] = await claimToolNodes(t.db, {
      owner: 'a',
      limit: 10,
      leaseMs: 60_000,
    });
    expect(more).toEqual([]);
    expect(claimed).toMatchObject({
      workflowRunId,
      workflowId: wf.id,
      nodeId: wf.notify,
      nodeName: 'notify',
      ownerId: userId,
      tries: 1,
      credentialId,
      params,
      input: { extract: { rows: 3 } },
    });
    // Leased: another orchestrator finds nothing to send.
    expect(await claimToolNodes(t.db, { owner: 'b', limit: 10, leaseMs: 60_000 })).toEqual([]);
    const fence = { workflowRunId, nodeId: wf.notify, owner: 'a', tries: 1 };
    const answer = { kind: 'webhook', status: 200, detail: 'ok' };
    // A stale claim writes nothing.
    expect(
      await finishToolNode(
        t.db,
        { ...fence, owner: 'b' },
        { status: 'succeeded', output: answer, error: null },
      ),
    ).toBe(false);
    expect(await queuedLoads(workflowRunId)).toEqual([]);
    expect(
      await finishToolNode(t.db, fence, { status: 'succeeded', output: answer, error: null }),
    ).toBe(true);
    expect(await node(workflowRunId, wf.notify)).toMatchObject({
      state: 'succeeded',
      output: answer,
      send_due_at: null,
      lease_owner: null,
    });
    // The next node was queued in that commit, with the tool's answer as its input.
    expect(await queuedLoads(workflowRunId)).toEqual([{ input: { notify: answer } }]);
    // Once is once.
    expect(
      await finishToolNode(t.db, fence, { status: 'succeeded', output: answer, error: null }),
    ).toBe(false);
    expect(await queuedLoads(workflowRunId)).toHaveLength(1);
  });

  it('is due again when its lease runs out, and the first claim can no longer write', async () => {
    const { wf, workflowRunId } = await startedToTool();
    const [first] = await claimToolNodes(t.db, { owner: 'a', limit: 10, leaseMs: 1 });
    await new Promise((r) => setTimeout(r, 20));
    const [second] = await claimToolNodes(t.db, { owner: 'a', limit: 10, leaseMs: 60_000 });
    expect(second).toMatchObject({ nodeId: wf.notify, tries: 2 });
    const end = { status: 'failed' as const, output: null, error: 'refused' };
    expect(
      await finishToolNode(
        t.db,
        { workflowRunId, nodeId: wf.notify, owner: 'a', tries: first!.tries },
        end,
      ),
    ).toBe(false);
    expect(
      await finishToolNode(t.db, { workflowRunId, nodeId: wf.notify, owner: 'a', tries: 2 }, end),
    ).toBe(true);
    // Failed: the success edge cannot fire, so `load` is skipped and the run has failed.
    expect(await node(workflowRunId, wf.load)).toMatchObject({ state: 'skipped' });
    expect(await workflowRunStatus(workflowRunId)).toBe('failed');
  });

  it('waits for its retry time after a retryable failure', async () => {
    const { wf, workflowRunId } = await startedToTool();
    const [claimed] = await claimToolNodes(t.db, { owner: 'a', limit: 10, leaseMs: 60_000 });
    const fence = { workflowRunId, nodeId: wf.notify, owner: 'a', tries: claimed!.tries };
    expect(
      await finishToolNode(t.db, fence, {
        status: 'retry',
        error: '503',
        retryAt: new Date(Date.now() + 60_000),
      }),
    ).toBe(true);
    expect(await node(workflowRunId, wf.notify)).toMatchObject({
      state: 'started',
      error: '503',
      lease_owner: null,
    });
    expect(await claimToolNodes(t.db, { owner: 'a', limit: 10, leaseMs: 60_000 })).toEqual([]);
    await t.db
      .updateTable('workflow_node_runs')
      .set({ send_due_at: new Date(Date.now() - 1) })
      .where('workflow_run_id', '=', workflowRunId)
      .execute();
    expect(await claimToolNodes(t.db, { owner: 'a', limit: 10, leaseMs: 60_000 })).toMatchObject([
      { nodeId: wf.notify, tries: 2 },
    ]);
  });

  it('is not sent once its workflow run is cancelled, and a send in flight records nothing', async () => {
    const { wf, workflowRunId } = await startedToTool();
    const [claimed] = await claimToolNodes(t.db, { owner: 'a', limit: 10, leaseMs: 60_000 });
    expect(await cancelWorkflowRun(t.db, workflowRunId, { reason: 'stop' })).toBe(true);
    const fence = { workflowRunId, nodeId: wf.notify, owner: 'a', tries: claimed!.tries };
    expect(
      await finishToolNode(t.db, fence, { status: 'succeeded', output: {}, error: null }),
    ).toBe(false);
    expect(await node(workflowRunId, wf.notify)).toMatchObject({
      state: 'cancelled',
      send_due_at: null,
    });
    expect(await queuedLoads(workflowRunId)).toEqual([]);
    expect(await claimToolNodes(t.db, { owner: 'b', limit: 10, leaseMs: 60_000 })).toEqual([]);
  });

  it('notifies its workflow run when it is claimed, when a try is to be retried, and when it ends', async () => {
    const heard: string[] = [];
    const listener = listenForNotifications({
      url: t.url,
      channels: [CHANNELS.workflowRuns],
      onNotification: (_channel, payload) => heard.push(payload),
    });
    const hear = async (what: string, probe: () => boolean) => {
      const deadline = Date.now() + 10_000;
      while (!probe()) {
        if (Date.now() > deadline) throw new Error(`no notification: ${what} (heard ${heard})`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      // LISTEN is set up on a connection of its own: notify until it hears.
      await hear('listening', () => {
        void sql`SELECT pg_notify(${CHANNELS.workflowRuns}, 'probe')`.execute(t.db);
        return heard.includes('probe');
      });
      const { wf, workflowRunId } = await startedToTool();
      const id = String(workflowRunId);
      const count = () => heard.filter((p) => p === id).length;

      let before = count();
      const [claimed] = await claimToolNodes(t.db, { owner: 'a', limit: 10, leaseMs: 60_000 });
      await hear('claimed', () => count() > before);

      before = count();
      const retryAt = new Date(Date.now() - 1);
      const fence = { workflowRunId, nodeId: wf.notify, owner: 'a' };
      await finishToolNode(
        t.db,
        { ...fence, tries: claimed!.tries },
        { status: 'retry', error: '503', retryAt },
      );
      await hear('retry scheduled', () => count() > before);

      before = count();
      const [again] = await claimToolNodes(t.db, { owner: 'a', limit: 10, leaseMs: 60_000 });
      expect(again).toMatchObject({ tries: 2 });
      // Delivery is asynchronous: the claim's own notification is heard before counting on.
      await hear('claimed again', () => count() > before);
      before = count();
      // A final failure ends the workflow run (its next node can no longer run).
      await finishToolNode(
        t.db,
        { ...fence, tries: 2 },
        { status: 'failed', output: null, error: 'no' },
      );
      await hear('ended', () => count() > before);
      expect(await workflowRunStatus(workflowRunId)).toBe('failed');

      // Another workflow run's node changes are not announced as this one's (this run's
      // last notifications are let in first).
      await new Promise((r) => setTimeout(r, 200));
      before = count();
      await startedToTool();
      await new Promise((r) => setTimeout(r, 200));
      expect(count()).toBe(before);
    } finally {
      await listener.close();
    }
  });
});
