import { sql } from 'kysely';
import type { FinalRunStatus } from '@cronium/contracts';
import type { WorkflowNodeState, WorkflowRunStatus } from '@cronium/db';
import { CHANNELS, type DbExecutor } from '../queue-types.ts';
import {
  isFinalNodeState,
  resolveWorkflow,
  workflowFinished,
  workflowOutcome,
  type NodeStatus,
  type WorkflowGraph,
} from './workflow-graph.ts';
import { startWorkflowRunIn } from './start-workflow-run.ts';
import { insertNodeRuns, type NodeRunStart } from './insert-node-runs.ts';

/** A node's work that ended: its event's run, or its child workflow run. */
export interface EndedNode {
  workflowRunId: number;
  /** The node, by id; or found by the run it started (`runId`). */
  nodeId?: number;
  runId?: number;
  state: 'succeeded' | 'failed' | 'cancelled';
  output: unknown;
  condition: boolean | null;
  error: string | null;
}

/** A node state from how its run ended. */
export function nodeStateOf(status: FinalRunStatus): EndedNode['state'] {
  return status === 'succeeded' ? 'succeeded' : status === 'cancelled' ? 'cancelled' : 'failed';
}

/** A workflow run locked for advancing (its row, FOR UPDATE). */
export interface LockedWorkflowRun {
  id: number;
  workflowId: number;
  ownerId: number;
  status: WorkflowRunStatus;
  input: unknown;
  graph: WorkflowGraph;
  depth: number;
  parentRunId: number | null;
  parentNodeId: number | null;
  /** Collects the ids of the runs started while it is advanced (when set). */
  queuedRunIds?: number[];
  /** A schedule's slot, for the runs of the nodes started with the run (its roots). */
  slot?: { scheduledFor: Date; runAt?: Date };
  /** The run worker whose finished run advances this one (it claims what follows itself). */
  queuedBy?: string;
}

export async function lockWorkflowRun(
  trx: DbExecutor,
  id: number,
): Promise<LockedWorkflowRun | undefined> {
  const row = await trx
    .selectFrom('workflow_runs')
    .select([
      'id',
      'workflow_id',
      'owner_id',
      'status',
      'input',
      'graph',
      'depth',
      'parent_run_id',
      'parent_node_id',
    ])
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: Number(row.id),
    workflowId: Number(row.workflow_id),
    ownerId: Number(row.owner_id),
    status: row.status,
    input: row.input,
    graph: row.graph as unknown as WorkflowGraph,
    depth: row.depth,
    parentRunId: row.parent_run_id === null ? null : Number(row.parent_run_id),
    parentNodeId: row.parent_node_id === null ? null : Number(row.parent_node_id),
  };
}

/** Every node's state in a workflow run. */
export async function readNodeStatuses(
  trx: DbExecutor,
  workflowRunId: number,
): Promise<{ statuses: Map<number, NodeStatus>; byRun: Map<number, number> }> {
  const rows = await trx
    .selectFrom('workflow_node_runs')
    .select(['node_id', 'state', 'output', 'condition', 'run_id'])
    .where('workflow_run_id', '=', workflowRunId)
    .execute();
  const statuses = new Map<number, NodeStatus>();
  const byRun = new Map<number, number>();
  for (const row of rows) {
    statuses.set(Number(row.node_id), {
      state: row.state,
      output: row.output,
      condition: row.condition,
    });
    if (row.run_id !== null) byRun.set(Number(row.run_id), Number(row.node_id));
  }
  return { statuses, byRun };
}

/**
 * Moves workflow runs on from nodes that ended, in the caller's transaction (the one that
 * stored the outcome): records each node's end, starts the nodes that became ready, skips
 * those that no longer can run, and finishes the workflow run when every node has ended
 * (then its parent workflow's node, and so on up). Runs are locked in id order, so two
 * transactions advancing the same runs cannot deadlock each other.
 */
export async function advanceWorkflowRuns(
  trx: DbExecutor,
  ended: EndedNode[],
  options: { queuedBy?: string } = {},
): Promise<void> {
  const byRun = new Map<number, EndedNode[]>();
  for (const end of ended) {
    const list = byRun.get(end.workflowRunId) ?? [];
    list.push(end);
    byRun.set(end.workflowRunId, list);
  }
  for (const id of [...byRun.keys()].sort((a, b) => a - b)) {
    const run = await lockWorkflowRun(trx, id);
    if (!run) continue;
    const { statuses, byRun: nodeOfRun } = await readNodeStatuses(trx, id);
    const changed = new Set<number>();
    const errors = new Map<number, string | null>();
    for (const end of byRun.get(id)!) {
      const nodeId = end.nodeId ?? nodeOfRun.get(end.runId ?? -1);
      if (nodeId === undefined || statuses.get(nodeId)?.state !== 'started') continue;
      statuses.set(nodeId, { state: end.state, output: end.output, condition: end.condition });
      errors.set(nodeId, end.error);
      changed.add(nodeId);
    }
    if (changed.size === 0) continue;
    if (options.queuedBy) run.queuedBy = options.queuedBy;
    await progressWorkflowRun(trx, run, statuses, changed, errors);
  }
}

/** How a workflow run ended, when it has. */
export interface WorkflowRunEnd {
  state: 'succeeded' | 'failed';
  output: Record<string, unknown>;
  error: string | null;
}

/**
 * Writes the nodes in `changed` (ended nodes, with `errors`), then, while the workflow run is
 * running, decides and starts what follows and finishes it when everything has ended. Returns
 * how it ended, if it did. `deferParent`: a run that ends here does not move its parent's node
 * on (its parent is starting it, and takes the end from the return value).
 */
export async function progressWorkflowRun(
  trx: DbExecutor,
  run: LockedWorkflowRun,
  statuses: Map<number, NodeStatus>,
  changed: Set<number>,
  errors: Map<number, string | null> = new Map(),
  options: { deferParent?: boolean } = {},
): Promise<WorkflowRunEnd | undefined> {
  const writes = new NodeWrites(run.id);
  for (const nodeId of changed) {
    const status = statuses.get(nodeId)!;
    writes.set(nodeId, {
      state: status.state,
      output: status.output ?? null,
      condition: status.condition,
      error: errors.get(nodeId) ?? null,
      finished_at: isFinalNodeState(status.state) ? new Date() : null,
    });
  }
  if (run.status !== 'running') {
    await writes.flush(trx, { notify: false });
    return undefined;
  }
  const byId = new Map(run.graph.nodes.map((n) => [n.id, n]));
  /** A node that ended as it started: recorded for the next round of decisions. */
  const endAtStart = (nodeId: number, start: { ended?: WorkflowRunEnd; childRunId?: number }) => {
    if (!start.ended) return;
    statuses.set(nodeId, { state: start.ended.state, output: start.ended.output, condition: null });
    writes.set(nodeId, {
      state: start.ended.state,
      output: start.ended.output ?? null,
      error: start.ended.error,
      started_at: new Date(),
      finished_at: new Date(),
      ...(start.childRunId === undefined ? {} : { child_run_id: start.childRunId }),
    });
  };
  // A node can end as it starts (its event is gone, its child workflow ended at once):
  // decide again until nothing moves.
  for (let decisions = resolveWorkflow(run.graph, statuses, run.input); decisions.length > 0;) {
    const eventStarts: NodeRunStart[] = [];
    for (const decision of decisions) {
      const node = byId.get(decision.nodeId)!;
      if (!decision.start)
        writes.set(decision.nodeId, { state: 'skipped', finished_at: new Date() });
      else if (node.kind === 'event')
        eventStarts.push({ nodeId: node.id, eventId: node.eventId!, input: decision.input });
      else endAtStart(node.id, await startNode(trx, run, node, decision.input, writes));
    }
    // The ready event nodes' runs, in one statement.
    const runIds = await insertNodeRuns(trx, run, eventStarts);
    for (const { nodeId, eventId } of eventStarts) {
      const runId = runIds.get(nodeId);
      if (runId === undefined) {
        endAtStart(nodeId, {
          ended: { state: 'failed', output: {}, error: `event ${eventId} is gone` },
        });
        continue;
      }
      run.queuedRunIds?.push(runId);
      writes.set(nodeId, { state: 'started', run_id: runId, started_at: new Date() });
    }
    decisions = resolveWorkflow(run.graph, statuses, run.input);
  }
  if (!workflowFinished(statuses)) {
    await writes.flush(trx, { notify: true });
    return undefined;
  }
  await writes.flush(trx, { notify: false });
  return finishWorkflowRun(trx, run, statuses, options.deferParent ?? false);
}

/** What changes in one node's row (absent fields are kept). */
interface NodeChange {
  state: WorkflowNodeState;
  output?: unknown;
  condition?: boolean | null;
  error?: string | null;
  run_id?: number;
  child_run_id?: number;
  started_at?: Date;
  finished_at?: Date | null;
  /** A tool node: its input, and when it is due to be sent (null: not any more). */
  input?: unknown;
  send_due_at?: Date | null;
}

/**
 * The node rows a workflow run's advance changes, written together in one statement (with
 * the run's notification) instead of one round trip per change: a step of a chain is a
 * few statements, and each is a round trip inside the transaction that holds the run's lock.
 */
class NodeWrites {
  readonly #workflowRunId: number;
  readonly #changes = new Map<number, NodeChange>();

  constructor(workflowRunId: number) {
    this.#workflowRunId = workflowRunId;
  }

  set(nodeId: number, change: NodeChange): void {
    this.#changes.set(nodeId, { ...this.#changes.get(nodeId), ...change });
  }

  async flush(trx: DbExecutor, options: { notify: boolean }): Promise<void> {
    const sends = [...this.#changes.values()].some((c) => c.send_due_at);
    const notify = sql`SELECT ${
      options.notify
        ? sql`pg_notify(${CHANNELS.workflowRuns}, ${String(this.#workflowRunId)})`
        : sql`NULL`
    }, ${sends ? sql`pg_notify(${CHANNELS.actionsDue}, ${String(this.#workflowRunId)})` : sql`NULL`}`;
    if (this.#changes.size === 0) {
      if (options.notify) await notify.execute(trx);
      return;
    }
    // JSON keeps "not changed" (key absent) apart from "set to null".
    const changes = JSON.stringify(Object.fromEntries(this.#changes));
    this.#changes.clear();
    await sql`
      WITH changed AS (
        UPDATE workflow_node_runs n SET
          state = c.change->>'state',
          output = CASE WHEN c.change ? 'output' THEN c.change->'output' ELSE n.output END,
          condition = CASE WHEN c.change ? 'condition' THEN (c.change->>'condition')::boolean ELSE n.condition END,
          error = CASE WHEN c.change ? 'error' THEN c.change->>'error' ELSE n.error END,
          run_id = coalesce((c.change->>'run_id')::bigint, n.run_id),
          child_run_id = coalesce((c.change->>'child_run_id')::bigint, n.child_run_id),
          started_at = coalesce((c.change->>'started_at')::timestamptz, n.started_at),
          finished_at = CASE WHEN c.change ? 'finished_at' THEN (c.change->>'finished_at')::timestamptz ELSE n.finished_at END,
          input = CASE WHEN c.change ? 'input' THEN c.change->'input' ELSE n.input END,
          send_due_at = CASE WHEN c.change ? 'send_due_at' THEN (c.change->>'send_due_at')::timestamptz ELSE n.send_due_at END
        FROM jsonb_each(${changes}::jsonb) AS c(node_id, change)
        WHERE n.workflow_run_id = ${this.#workflowRunId} AND n.node_id = c.node_id::bigint
      )
      ${notify}`.execute(trx);
  }
}

/**
 * Starts a node that is not an event's (those are queued together, `insertNodeRuns`): a run
 * of its child workflow, or a tool action due to be sent. `ended`: the node ended as it
 * started (it could not start, or its child workflow ended at once).
 */
async function startNode(
  trx: DbExecutor,
  run: LockedWorkflowRun,
  node: WorkflowGraph['nodes'][number],
  input: unknown,
  writes: NodeWrites,
): Promise<{ ended?: WorkflowRunEnd; childRunId?: number }> {
  const failed = (error: string) => ({ ended: { state: 'failed' as const, output: {}, error } });
  if (node.kind === 'workflow') {
    const child = await startWorkflowRunIn(trx, node.childWorkflowId!, {
      trigger: 'workflow',
      input,
      ownerId: run.ownerId,
      parent: { runId: run.id, nodeId: node.id, depth: run.depth + 1 },
    });
    if (child.outcome !== 'started') return failed(child.reason);
    if (child.ended) return { ended: child.ended, childRunId: child.workflowRunId };
    writes.set(node.id, {
      state: 'started',
      child_run_id: child.workflowRunId,
      started_at: new Date(),
    });
    return {};
  }
  // A tool node: its row is the outbox entry an action worker claims and sends.
  writes.set(node.id, { state: 'started', started_at: new Date(), input, send_due_at: new Date() });
  return {};
}

/**
 * Ends a workflow run whose nodes have all ended; then (unless `deferParent`) moves its
 * parent's node on.
 */
async function finishWorkflowRun(
  trx: DbExecutor,
  run: LockedWorkflowRun,
  statuses: Map<number, NodeStatus>,
  deferParent: boolean,
): Promise<WorkflowRunEnd> {
  const outcome = workflowOutcome(run.graph, statuses);
  await trx
    .updateTable('workflow_runs')
    .set({
      status: outcome.status,
      output: JSON.stringify(outcome.output),
      error: outcome.error,
      finished_at: new Date(),
    })
    .where('id', '=', run.id)
    .execute();
  run.status = outcome.status;
  await notifyWorkflowRun(trx, run.id);
  const end = { state: outcome.status, output: outcome.output, error: outcome.error };
  if (!deferParent && run.parentRunId !== null && run.parentNodeId !== null)
    await advanceWorkflowRuns(trx, [
      { workflowRunId: run.parentRunId, nodeId: run.parentNodeId, ...end, condition: null },
    ]);
  return end;
}

export async function notifyWorkflowRun(trx: DbExecutor, id: number): Promise<void> {
  await sql`SELECT pg_notify(${CHANNELS.workflowRuns}, ${String(id)})`.execute(trx);
}
