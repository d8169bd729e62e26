import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database, WorkflowRunTrigger } from '@cronium/db';
import type { DbExecutor } from '../queue-types.ts';
import {
  progressWorkflowRun,
  type LockedWorkflowRun,
  type WorkflowRunEnd,
} from './advance-workflow-runs.ts';
import type { NodeStatus, WorkflowGraph } from './workflow-graph.ts';

/** Deepest nesting of workflows in workflows (a run at depth 8 may not start another). */
export const MAX_WORKFLOW_DEPTH = 8;

export class WorkflowNotFoundError extends Error {
  constructor(workflowId: number) {
    super(`workflow ${workflowId} not found`);
    this.name = 'WorkflowNotFoundError';
  }
}

export interface StartWorkflowRequest {
  trigger: WorkflowRunTrigger;
  input?: unknown;
  /** Only this owner's workflow (another's is not found). */
  ownerId?: number;
  /**
   * Names the delivery that starts it (a webhook's): a second start with the same key, of the
   * same workflow, fails with a conflict `isWorkflowIdempotencyConflict` recognises, and
   * `findWorkflowRunByIdempotencyKey` answers the first run.
   */
  idempotencyKey?: string;
  /** A schedule's slot: the root nodes' runs are `scheduledFor` it, claimable at `runAt`. */
  slot?: { scheduledFor: Date; runAt?: Date };
  /** Started as a node of another workflow run. */
  parent?: { runId: number; nodeId: number; depth: number };
  /** A re-run: its graph and the nodes it reuses (succeeded, with their outputs). */
  rerun?: {
    of: number;
    graph: WorkflowGraph;
    reused: Map<number, NodeStatus & { runId: number | null; childRunId: number | null }>;
  };
}

export type StartWorkflowResult =
  | { outcome: 'started'; workflowRunId: number; queuedRunIds: number[]; ended?: WorkflowRunEnd }
  | { outcome: 'skipped' | 'refused'; reason: string };

/** Starts a workflow run in a transaction of its own; see `startWorkflowRunIn`. */
export async function startWorkflowRun(
  db: Kysely<Database>,
  workflowId: number,
  request: StartWorkflowRequest,
): Promise<StartWorkflowResult> {
  return db.transaction().execute((trx) => startWorkflowRunIn(trx, workflowId, request));
}

/**
 * Starts a run of a workflow in the caller's transaction: the graph as it is now is frozen
 * into the run, one row per node is written, and the root nodes' runs are queued, all in one
 * commit. The workflow's row is locked, so its concurrency policy (`skip`: not while a run of
 * it is running) holds across processes. A paused workflow starts only by hand (or as a node
 * of another). Refused: no nodes, nested deeper than MAX_WORKFLOW_DEPTH.
 */
export async function startWorkflowRunIn(
  trx: DbExecutor,
  workflowId: number,
  request: StartWorkflowRequest,
): Promise<StartWorkflowResult> {
  let lookup = trx
    .selectFrom('workflows')
    .select(['id', 'owner_id', 'status', 'concurrency_policy', 'timeout_seconds', 'name'])
    .where('id', '=', workflowId);
  if (request.ownerId !== undefined) lookup = lookup.where('owner_id', '=', request.ownerId);
  const workflow = await lookup.forUpdate().executeTakeFirst();
  if (!workflow) {
    if (request.parent) return { outcome: 'refused', reason: `workflow ${workflowId} is gone` };
    throw new WorkflowNotFoundError(workflowId);
  }
  const depth = request.parent?.depth ?? 0;
  if (depth > MAX_WORKFLOW_DEPTH)
    return {
      outcome: 'refused',
      reason: `workflows nest at most ${MAX_WORKFLOW_DEPTH} deep`,
    };
  const automatic = request.trigger === 'schedule' || request.trigger === 'webhook';
  if (automatic && workflow.status !== 'active')
    return { outcome: 'refused', reason: `workflow ${workflowId} is ${workflow.status}` };
  if (workflow.concurrency_policy === 'skip' && !request.parent) {
    const running = await trx
      .selectFrom('workflow_runs')
      .select('id')
      .where('workflow_id', '=', workflowId)
      .where('status', '=', 'running')
      .limit(1)
      .executeTakeFirst();
    if (running)
      return {
        outcome: 'skipped',
        reason: `run ${running.id} of the workflow is still running; policy skip`,
      };
  }
  const graph = request.rerun?.graph ?? (await readWorkflowGraph(trx, workflowId));
  if (graph.nodes.length === 0)
    return { outcome: 'refused', reason: `workflow ${workflowId} has no nodes` };
  const inserted = await trx
    .insertInto('workflow_runs')
    .values({
      workflow_id: workflowId,
      owner_id: Number(workflow.owner_id),
      status: 'running',
      trigger: request.trigger,
      input: request.input === undefined ? null : JSON.stringify(request.input),
      graph: JSON.stringify(graph),
      depth,
      parent_run_id: request.parent?.runId ?? null,
      parent_node_id: request.parent?.nodeId ?? null,
      rerun_of: request.rerun?.of ?? null,
      idempotency_key: request.idempotencyKey ?? null,
      deadline_at: sql<Date>`now() + ${workflow.timeout_seconds} * interval '1 second'`,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(inserted.id);
  const statuses = new Map<number, NodeStatus>();
  await trx
    .insertInto('workflow_node_runs')
    .values(
      graph.nodes.map((node) => {
        const reused = request.rerun?.reused.get(node.id);
        statuses.set(
          node.id,
          reused
            ? { state: 'succeeded', output: reused.output, condition: reused.condition }
            : { state: 'waiting', output: null, condition: null },
        );
        return reused
          ? {
              workflow_run_id: id,
              node_id: node.id,
              state: 'succeeded' as const,
              output: JSON.stringify(reused.output ?? null),
              condition: reused.condition,
              run_id: reused.runId,
              child_run_id: reused.childRunId,
              reused: true,
              finished_at: new Date(),
            }
          : { workflow_run_id: id, node_id: node.id };
      }),
    )
    .execute();
  const run: LockedWorkflowRun = {
    id,
    workflowId,
    ownerId: Number(workflow.owner_id),
    status: 'running',
    input: request.input ?? null,
    graph,
    depth,
    parentRunId: request.parent?.runId ?? null,
    parentNodeId: request.parent?.nodeId ?? null,
    queuedRunIds: [],
    ...(request.slot ? { slot: request.slot } : {}),
  };
  const ended = await progressWorkflowRun(trx, run, statuses, new Set(), new Map(), {
    deferParent: true,
  });
  return {
    outcome: 'started',
    workflowRunId: id,
    queuedRunIds: run.queuedRunIds!,
    ...(ended ? { ended } : {}),
  };
}

/** A workflow's graph as it is now (what a run started now freezes). */
export async function readWorkflowGraph(
  trx: DbExecutor,
  workflowId: number,
): Promise<WorkflowGraph> {
  const [nodes, edges] = await Promise.all([
    trx
      .selectFrom('workflow_nodes')
      .select([
        'id',
        'name',
        'kind',
        'event_id',
        'child_workflow_id',
        'tool_credential_id',
        'tool_params',
        'join_mode',
        'input_mapping',
      ])
      .where('workflow_id', '=', workflowId)
      .orderBy('id')
      .execute(),
    trx
      .selectFrom('workflow_edges')
      .select(['from_node_id', 'to_node_id', 'condition'])
      .where('workflow_id', '=', workflowId)
      .orderBy('id')
      .execute(),
  ]);
  return {
    nodes: nodes.map((n) => ({
      id: Number(n.id),
      name: n.name,
      kind: n.kind,
      eventId: n.event_id === null ? null : Number(n.event_id),
      childWorkflowId: n.child_workflow_id === null ? null : Number(n.child_workflow_id),
      toolCredentialId: n.tool_credential_id === null ? null : Number(n.tool_credential_id),
      toolParams: (n.tool_params as Record<string, unknown> | null) ?? null,
      join: n.join_mode,
      inputMapping: n.input_mapping as Record<string, string> | null,
    })),
    edges: edges.map((e) => ({
      from: Number(e.from_node_id),
      to: Number(e.to_node_id),
      condition: e.condition,
    })),
  };
}

/** A start that lost to an earlier one with the same idempotency key. */
export function isWorkflowIdempotencyConflict(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string };
  return e?.code === '23505' && e.constraint === 'workflow_runs_idempotency_key_idx';
}

/** The workflow's run started with this idempotency key, if any (purged runs are forgotten). */
export async function findWorkflowRunByIdempotencyKey(
  db: DbExecutor,
  workflowId: number,
  key: string,
): Promise<{ id: number; status: string } | undefined> {
  const row = await db
    .selectFrom('workflow_runs')
    .select(['id', 'status'])
    .where('workflow_id', '=', workflowId)
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  return row && { id: Number(row.id), status: row.status };
}
