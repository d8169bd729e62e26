// The workflow engine against real PostgreSQL, with the test standing in for the executor:
// it claims node runs, sets their output as a script would, and finishes them. Each step of a
// workflow is decided in the transaction that stores the previous step's outcome.
import { sql } from 'kysely';
import type { EdgeCondition } from '@cronium/db';
import {
  createTestDatabase,
  insertTestEvent,
  insertTestUser,
  type TestDatabase,
} from '@cronium/db/testing';
import { claimRuns } from '../claim-runs.ts';
import { finishRuns } from '../finish-run.ts';
import { purgeOldRuns } from '../purge-old-runs.ts';
import { requestCancel } from '../trigger-run.ts';
import { cancelOwnerRuns } from '../enqueue-run.ts';
import { sweepExpiredLeases } from '../sweep-expired-leases.ts';
import { cancelWorkflowRun, timeOutWorkflowRuns } from './cancel-workflow-run.ts';
import { rerunWorkflowRun } from './rerun-workflow-run.ts';
import { startWorkflowRun } from './start-workflow-run.ts';

describe('workflow runs', () => {
  let t: TestDatabase;
  let userId: number;
  beforeAll(async () => {
    t = await createTestDatabase();
    userId = await insertTestUser(t.db);
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

  interface NodeSpec {
    name: string;
    event?: number;
    workflow?: number;
    join?: 'all' | 'any';
    mapping?: Record<string, string>;
  }

  /** A workflow of `nodes` (each its own event unless given) and `edges` [from, to, condition]. */
  async function workflow(
    nodes: NodeSpec[],
    edges: [string, string, EdgeCondition?][],
    settings: { concurrency_policy?: 'allow' | 'skip'; timeout_seconds?: number } = {},
  ) {
    const { id } = await t.db
      .insertInto('workflows')
      .values({ owner_id: userId, name: `wf ${Math.random()}`, ...settings })
      .returning('id')
      .executeTakeFirstOrThrow();
    const ids = new Map<string, number>();
    const events = new Map<string, number>();
    for (const node of nodes) {
      const eventId = node.workflow ? null : (node.event ?? (await insertTestEvent(t.db, userId)));
      const row = await t.db
        .insertInto('workflow_nodes')
        .values({
          workflow_id: id,
          name: node.name,
          kind: node.workflow ? 'workflow' : 'event',
          event_id: eventId,
          child_workflow_id: node.workflow ?? null,
          join_mode: node.join ?? 'all',
          input_mapping: node.mapping ? JSON.stringify(node.mapping) : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids.set(node.name, row.id);
      if (eventId !== null) events.set(node.name, eventId);
    }
    for (const [from, to, condition] of edges)
      await t.db
        .insertInto('workflow_edges')
        .values({
          workflow_id: id,
          from_node_id: ids.get(from)!,
          to_node_id: ids.get(to)!,
          condition: condition ?? 'always',
        })
        .execute();
    return { id, ids, events };
  }

  /** The node runs queued now, by node name (claimed by the test). */
  async function claim(names: Map<string, number>) {
    const claimed = await claimRuns(t.db, { owner: 'test', limit: 500, leaseMs: 60_000 });
    const nameOf = new Map([...names].map(([name, id]) => [id, name]));
    const rows = await t.db
      .selectFrom('runs')
      .select(['id', 'workflow_node_id', 'input'])
      .where('id', 'in', claimed.map((c) => c.runId).concat(-1))
      .execute();
    return new Map(rows.map((r) => [nameOf.get(Number(r.workflow_node_id)) ?? `run ${r.id}`, r]));
  }

  /** Ends claimed runs as a script would: output and condition set, then the outcome. */
  async function end(
    runs: { id: number }[],
    status: 'succeeded' | 'failed',
    set: { output?: unknown; condition?: boolean } = {},
  ) {
    for (const run of runs)
      await t.db
        .updateTable('runs')
        .set({
          output: set.output === undefined ? null : JSON.stringify(set.output),
          condition: set.condition ?? null,
        })
        .where('id', '=', run.id)
        .execute();
    return finishRuns(
      t.db,
      runs.map((run) => ({
        fence: { runId: run.id, attempt: 1, owner: 'test' },
        outcome: { status, exitCode: status === 'succeeded' ? 0 : 1 },
      })),
    );
  }

  const states = async (workflowRunId: number, ids: Map<string, number>) => {
    const rows = await t.db
      .selectFrom('workflow_node_runs')
      .select(['node_id', 'state'])
      .where('workflow_run_id', '=', workflowRunId)
      .execute();
    const nameOf = new Map([...ids].map(([name, id]) => [id, name]));
    return Object.fromEntries(rows.map((r) => [nameOf.get(Number(r.node_id)), r.state]));
  };
  const workflowRun = (id: number) =>
    t.db.selectFrom('workflow_runs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const started = async (workflowId: number, input?: unknown) => {
    const result = await startWorkflowRun(t.db, workflowId, { trigger: 'manual', input });
    if (result.outcome !== 'started') throw new Error(result.reason);
    return result.workflowRunId;
  };

  it('runs a chain step by step, each step queued in the commit that ends the one before, with the parents’ outputs as input', async () => {
    const wf = await workflow(
      [{ name: 'extract' }, { name: 'transform' }, { name: 'load' }],
      [
        ['extract', 'transform', 'on_success'],
        ['transform', 'load'],
      ],
    );
    const runId = await started(wf.id, { day: 'monday' });
    expect(await states(runId, wf.ids)).toEqual({
      extract: 'started',
      transform: 'waiting',
      load: 'waiting',
    });
    let runs = await claim(wf.ids);
    expect([...runs.keys()]).toEqual(['extract']);
    expect(runs.get('extract')!.input).toEqual({ day: 'monday' });
    await end([runs.get('extract')!], 'succeeded', { output: { rows: 3 } });
    // The next step is queued already: no poll, no other process.
    runs = await claim(wf.ids);
    expect([...runs.keys()]).toEqual(['transform']);
    expect(runs.get('transform')!.input).toEqual({ extract: { rows: 3 } });
    await end([runs.get('transform')!], 'succeeded', { output: { rows: 2 } });
    runs = await claim(wf.ids);
    await end([runs.get('load')!], 'succeeded', { output: 'done' });
    expect(await workflowRun(runId)).toMatchObject({
      status: 'succeeded',
      output: { load: 'done' },
      error: null,
    });
    expect((await workflowRun(runId)).finished_at).toBeInstanceOf(Date);
    expect(await states(runId, wf.ids)).toEqual({
      extract: 'succeeded',
      transform: 'succeeded',
      load: 'succeeded',
    });
    const trigger = await t.db
      .selectFrom('runs')
      .select(['trigger', 'workflow_run_id'])
      .where('workflow_run_id', '=', runId)
      .execute();
    expect(trigger).toHaveLength(3);
    expect(new Set(trigger.map((r) => r.trigger))).toEqual(new Set(['workflow']));
  });

  it('follows success, failure and condition edges, skips what can no longer run, and counts a handled failure as handled', async () => {
    const wf = await workflow(
      [
        { name: 'backup' },
        { name: 'upload' },
        { name: 'page' },
        { name: 'check' },
        { name: 'big' },
        { name: 'small' },
        { name: 'report', join: 'all' },
      ],
      [
        ['backup', 'upload', 'on_success'],
        ['backup', 'page', 'on_failure'],
        ['upload', 'report'],
        ['page', 'check'],
        ['check', 'big', 'on_condition_true'],
        ['check', 'small', 'on_condition_false'],
        ['big', 'report'],
      ],
    );
    const runId = await started(wf.id);
    let runs = await claim(wf.ids);
    await end([runs.get('backup')!], 'failed');
    // upload can no longer run, nor report (join all, one edge dead): skipped at once.
    expect(await states(runId, wf.ids)).toMatchObject({
      backup: 'failed',
      upload: 'skipped',
      report: 'skipped',
      page: 'started',
      check: 'waiting',
    });
    runs = await claim(wf.ids);
    await end([runs.get('page')!], 'succeeded');
    runs = await claim(wf.ids);
    await end([runs.get('check')!], 'succeeded', { condition: false });
    runs = await claim(wf.ids);
    expect([...runs.keys()]).toEqual(['small']);
    await end([runs.get('small')!], 'succeeded', { output: 1 });
    expect(await states(runId, wf.ids)).toEqual({
      backup: 'failed',
      upload: 'skipped',
      page: 'succeeded',
      check: 'succeeded',
      big: 'skipped',
      small: 'succeeded',
      report: 'skipped',
    });
    // backup's failure was handled (an on_failure edge): the workflow succeeded.
    expect(await workflowRun(runId)).toMatchObject({ status: 'succeeded', output: { small: 1 } });
  });

  it('joins: all waits for every parent, any starts once with the first; mappings pick what a node gets', async () => {
    const wf = await workflow(
      [
        { name: 'a' },
        { name: 'b' },
        { name: 'both', join: 'all' },
        { name: 'first', join: 'any' },
        {
          name: 'mapped',
          mapping: { archive: 'a.file.name', day: 'input.day', whole: 'b', none: 'a.nothing.here' },
        },
      ],
      [
        ['a', 'both'],
        ['b', 'both'],
        ['a', 'first'],
        ['b', 'first'],
        ['both', 'mapped'],
      ],
    );
    const runId = await started(wf.id, { day: 'tue' });
    let runs = await claim(wf.ids);
    expect(new Set(runs.keys())).toEqual(new Set(['a', 'b']));
    const b = runs.get('b')!;
    await end([runs.get('a')!], 'succeeded', { output: { file: { name: 'a.tar' } } });
    runs = await claim(wf.ids);
    expect([...runs.keys()]).toEqual(['first']);
    expect(runs.get('first')!.input).toEqual({ a: { file: { name: 'a.tar' } } });
    await end([runs.get('first')!], 'succeeded');
    expect((await states(runId, wf.ids)).both).toBe('waiting');
    await end([b], 'succeeded', { output: [1, 2] });
    runs = await claim(wf.ids);
    // `first` started once, with a; b's end does not start it again.
    expect([...runs.keys()]).toEqual(['both']);
    expect(runs.get('both')!.input).toEqual({ a: { file: { name: 'a.tar' } }, b: [1, 2] });
    await end([runs.get('both')!], 'succeeded');
    runs = await claim(wf.ids);
    expect(runs.get('mapped')!.input).toEqual({
      archive: 'a.tar',
      day: 'tue',
      whole: [1, 2],
      none: null,
    });
    await end([runs.get('mapped')!], 'failed');
    expect(await workflowRun(runId)).toMatchObject({ status: 'failed', error: 'mapped failed' });
  });

  it('fans out to many nodes in one commit and joins them back', async () => {
    const children = Array.from({ length: 50 }, (_, i) => ({ name: `c${i}` }));
    const wf = await workflow(
      [{ name: 'root' }, ...children, { name: 'join' }],
      [
        ...children.map((c) => ['root', c.name] as [string, string]),
        ...children.map((c) => [c.name, 'join'] as [string, string]),
      ],
    );
    const runId = await started(wf.id);
    let runs = await claim(wf.ids);
    await end([runs.get('root')!], 'succeeded');
    runs = await claim(wf.ids);
    expect(runs.size).toBe(50);
    // All fifty end in one batch (one transaction): the join starts once.
    await end([...runs.values()], 'succeeded', { output: 1 });
    runs = await claim(wf.ids);
    expect([...runs.keys()]).toEqual(['join']);
    expect(Object.keys(runs.get('join')!.input as object)).toHaveLength(50);
    await end([runs.get('join')!], 'succeeded');
    expect((await workflowRun(runId)).status).toBe('succeeded');
  });

  it('cancels every node of a run: queued ones at once, running ones through their orchestrator; nothing starts after', async () => {
    const wf = await workflow(
      [{ name: 'a' }, { name: 'b' }, { name: 'after' }],
      [
        ['a', 'after'],
        ['b', 'after'],
      ],
    );
    const runId = await started(wf.id);
    const claimed = await claimRuns(t.db, { owner: 'test', limit: 1, leaseMs: 60_000 });
    expect(claimed).toHaveLength(1);
    expect(await cancelWorkflowRun(t.db, runId, { reason: 'stop' })).toBe(true);
    expect(await cancelWorkflowRun(t.db, runId, { reason: 'again' })).toBe(false);
    const nodeRuns = await t.db
      .selectFrom('runs')
      .select(['id', 'status'])
      .where('workflow_run_id', '=', runId)
      .orderBy('id')
      .execute();
    expect(nodeRuns.map((r) => r.status).sort()).toEqual(['cancelled', 'cancelling']);
    // The running one ends later: its workflow run stays cancelled, `after` never starts.
    await finishRuns(t.db, [
      {
        fence: { runId: claimed[0]!.runId, attempt: 1, owner: 'test' },
        outcome: { status: 'succeeded' },
      },
    ]);
    expect(await workflowRun(runId)).toMatchObject({ status: 'cancelled', error: 'stop' });
    expect((await states(runId, wf.ids)).after).toBe('cancelled');
    expect(await claim(wf.ids)).toEqual(new Map());
  });

  it('a node run cancelled on its own, or failed by the lease sweep, moves its workflow on', async () => {
    const wf = await workflow(
      [{ name: 'a' }, { name: 'cleanup' }, { name: 'b' }, { name: 'c' }],
      [
        ['a', 'cleanup', 'always'],
        ['b', 'c', 'on_failure'],
      ],
    );
    const runId = await started(wf.id);
    const queued = await t.db
      .selectFrom('runs')
      .select(['id', 'workflow_node_id'])
      .where('workflow_run_id', '=', runId)
      .execute();
    const aRun = queued.find((r) => Number(r.workflow_node_id) === wf.ids.get('a'))!;
    expect(await requestCancel(t.db, Number(aRun.id))).toBe(true);
    expect((await states(runId, wf.ids)).a).toBe('cancelled');
    let runs = await claim(wf.ids);
    expect(new Set(runs.keys())).toEqual(new Set(['cleanup', 'b']));
    // b's orchestrator dies again and again: the sweep fails it, and c (on_failure) starts.
    await t.db
      .updateTable('runs')
      .set({ lease_losses: 4, lease_expires_at: sql`now() - interval '1 second'` })
      .where('id', '=', runs.get('b')!.id)
      .execute();
    await sweepExpiredLeases(t.db);
    expect((await states(runId, wf.ids)).b).toBe('failed');
    await end([runs.get('cleanup')!], 'succeeded');
    runs = await claim(wf.ids);
    expect([...runs.keys()]).toEqual(['c']);
    await end([runs.get('c')!], 'succeeded');
    // a was cancelled with only an `always` edge out: handled; b's failure too (on_failure).
    expect((await workflowRun(runId)).status).toBe('succeeded');
  });

  it('re-runs from the failed node, reusing what succeeded with its outputs', async () => {
    const wf = await workflow(
      [{ name: 'fetch' }, { name: 'parse' }, { name: 'store' }],
      [
        ['fetch', 'parse', 'on_success'],
        ['parse', 'store', 'on_success'],
      ],
    );
    const first = await started(wf.id, { url: 'x' });
    let runs = await claim(wf.ids);
    await end([runs.get('fetch')!], 'succeeded', { output: { body: 'abc' } });
    runs = await claim(wf.ids);
    await end([runs.get('parse')!], 'failed');
    expect((await workflowRun(first)).status).toBe('failed');

    const again = await rerunWorkflowRun(t.db, first, { ownerId: userId });
    if (again.outcome !== 'started') throw new Error(again.reason);
    expect(await workflowRun(again.workflowRunId)).toMatchObject({
      trigger: 'rerun',
      rerun_of: first,
      input: { url: 'x' },
    });
    expect(await states(again.workflowRunId, wf.ids)).toEqual({
      fetch: 'succeeded',
      parse: 'started',
      store: 'waiting',
    });
    runs = await claim(wf.ids);
    expect([...runs.keys()]).toEqual(['parse']);
    expect(runs.get('parse')!.input).toEqual({ fetch: { body: 'abc' } });
    await end([runs.get('parse')!], 'succeeded');
    runs = await claim(wf.ids);
    await end([runs.get('store')!], 'succeeded');
    expect((await workflowRun(again.workflowRunId)).status).toBe('succeeded');
    expect(await rerunWorkflowRun(t.db, again.workflowRunId)).toMatchObject({
      outcome: 'refused',
    });
  });

  it('runs a workflow as a node of another: the child’s end moves the parent’s node on', async () => {
    const child = await workflow([{ name: 'inner' }], []);
    const parent = await workflow(
      [{ name: 'pre' }, { name: 'sub', workflow: child.id }, { name: 'post' }],
      [
        ['pre', 'sub'],
        ['sub', 'post', 'on_success'],
      ],
    );
    const runId = await started(parent.id);
    let runs = await claim(parent.ids);
    await end([runs.get('pre')!], 'succeeded', { output: 7 });
    const childRun = await t.db
      .selectFrom('workflow_runs')
      .selectAll()
      .where('parent_run_id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(childRun).toMatchObject({ trigger: 'workflow', depth: 1, input: { pre: 7 } });
    runs = await claim(child.ids);
    expect(runs.get('inner')!.input).toEqual({ pre: 7 });
    await end([runs.get('inner')!], 'succeeded', { output: 'deep' });
    expect((await workflowRun(Number(childRun.id))).status).toBe('succeeded');
    runs = await claim(parent.ids);
    expect(runs.get('post')!.input).toEqual({ sub: { inner: 'deep' } });
    await end([runs.get('post')!], 'succeeded');
    expect((await workflowRun(runId)).status).toBe('succeeded');
  });

  it('times out a run past its deadline, and skips a start while one runs under policy skip', async () => {
    const wf = await workflow([{ name: 'slow' }], [], {
      concurrency_policy: 'skip',
      timeout_seconds: 60,
    });
    const runId = await started(wf.id);
    expect(await startWorkflowRun(t.db, wf.id, { trigger: 'manual' })).toMatchObject({
      outcome: 'skipped',
    });
    await t.db
      .updateTable('workflow_runs')
      .set({ deadline_at: sql`now() - interval '1 second'` })
      .where('id', '=', runId)
      .execute();
    expect(await timeOutWorkflowRuns(t.db)).toEqual([runId]);
    expect(await workflowRun(runId)).toMatchObject({
      status: 'timed_out',
      error: "timed out after 60 s (the workflow's timeout)",
    });
    const nodeRun = await t.db
      .selectFrom('runs')
      .select('status')
      .where('workflow_run_id', '=', runId)
      .executeTakeFirstOrThrow();
    expect(nodeRun.status).toBe('cancelled');
    // Its run ended: a new one may start.
    expect((await startWorkflowRun(t.db, wf.id, { trigger: 'manual' })).outcome).toBe('started');
  });

  it('keeps the graph a run started with when the workflow is edited meanwhile', async () => {
    const wf = await workflow([{ name: 'one' }, { name: 'two' }], [['one', 'two']]);
    const runId = await started(wf.id);
    await t.db.deleteFrom('workflow_nodes').where('id', '=', wf.ids.get('two')!).execute();
    let runs = await claim(wf.ids);
    await end([runs.get('one')!], 'succeeded');
    runs = await claim(wf.ids);
    // `two` runs (the graph as it started), its run no longer linked to the deleted node row.
    expect(runs.size).toBe(1);
    await end([...runs.values()], 'succeeded');
    expect((await workflowRun(runId)).status).toBe('succeeded');
  });

  it('purges workflow runs past retention with their nodes and child runs, never a running one', async () => {
    const child = await workflow([{ name: 'inner' }], []);
    const parent = await workflow([{ name: 'sub', workflow: child.id }], []);
    const old = await started(parent.id);
    let runs = await claim(child.ids);
    await end([runs.get('inner')!], 'succeeded');
    expect((await workflowRun(old)).status).toBe('succeeded');
    const running = await started(parent.id);
    await t.db
      .updateTable('workflow_runs')
      .set({
        finished_at: sql`now() - interval '40 days'`,
        created_at: sql`now() - interval '40 days'`,
      })
      .execute();
    const purged = await purgeOldRuns(t.db, { olderThanDays: 30 });
    expect(purged.workflowRuns).toBeGreaterThanOrEqual(1);
    const left = await t.db.selectFrom('workflow_runs').select(['id', 'parent_run_id']).execute();
    expect(left.some((r) => Number(r.id) === old || Number(r.parent_run_id) === old)).toBe(false);
    expect(left.some((r) => Number(r.id) === running)).toBe(true);
    runs = await claim(child.ids);
    await end([...runs.values()], 'succeeded');
    expect((await workflowRun(running)).status).toBe('succeeded');
  });

  it('ends a disabled owner’s workflow runs before their node runs, so nothing follows', async () => {
    const owner = await insertTestUser(t.db);
    const eventId = await insertTestEvent(t.db, owner);
    const { id } = await t.db
      .insertInto('workflows')
      .values({ owner_id: owner, name: 'theirs' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const nodes = await t.db
      .insertInto('workflow_nodes')
      .values([
        { workflow_id: id, name: 'first', event_id: eventId },
        { workflow_id: id, name: 'cleanup', event_id: eventId },
      ])
      .returning('id')
      .execute();
    await t.db
      .insertInto('workflow_edges')
      .values({ workflow_id: id, from_node_id: nodes[0]!.id, to_node_id: nodes[1]!.id })
      .execute();
    const runId = await started(id);
    await t.db
      .transaction()
      .execute((trx) => cancelOwnerRuns(trx, owner, 'cancelled: its owner was disabled'));
    expect(await workflowRun(runId)).toMatchObject({
      status: 'cancelled',
      error: 'cancelled: its owner was disabled',
    });
    const theirs = await t.db
      .selectFrom('runs')
      .select('status')
      .where('owner_id', '=', owner)
      .execute();
    // The first node's run, cancelled; the `always` edge started nothing after it.
    expect(theirs.map((r) => r.status)).toEqual(['cancelled']);
  });
});
