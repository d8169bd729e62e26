import { auditAction, isAdmin, type Principal, type RequestMeta } from '@cronium/accounts';
import type { Db } from '@cronium/db';
import {
  cancelWorkflowRun,
  rerunWorkflowRun,
  startWorkflowRun,
  WorkflowRunNotFoundError,
  type StartWorkflowResult,
  type WorkflowGraph,
} from '@cronium/run-queue';
import { AppError } from '@cronium/service-kit/errors';
import { scheduleTicks } from './schedule-ticks.ts';
import { fromCondition } from './workflow-input.ts';
import { ownedWorkflow } from './workflows.ts';

export interface WorkflowRunListItem {
  id: number;
  workflowId: number;
  status: string;
  trigger: string;
  error: string | null;
  rerunOf: number | null;
  parentRunId: number | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export interface WorkflowRunView extends WorkflowRunListItem {
  workflowName: string;
  input: unknown;
  output: unknown;
  deadlineAt: Date;
  nodes: {
    id: number;
    name: string;
    kind: string;
    eventId: number | null;
    workflowId: number | null;
    toolCredentialId: number | null;
    join: 'all' | 'any';
    state: string;
    runId: number | null;
    /** The status of the node's run (queued, running...), when it has one. */
    runStatus: string | null;
    childRunId: number | null;
    /** A tool node's input, and its sends so far. */
    input: unknown;
    tries: number;
    output: unknown;
    condition: boolean | null;
    error: string | null;
    reused: boolean;
    startedAt: Date | null;
    finishedAt: Date | null;
  }[];
  edges: { from: string; to: string; on: ReturnType<typeof fromCondition> }[];
}

/** The answer to a start: a started run, or why not (409). */
function started(result: StartWorkflowResult): number {
  if (result.outcome === 'started') return result.workflowRunId;
  throw new AppError('CONFLICT', `not started: ${result.reason}`);
}

/** Starts a run of a workflow by hand, with an input; audited as `workflow.run`. */
export async function runWorkflow(
  db: Db,
  principal: Principal,
  workflowId: number,
  input: unknown,
  meta: RequestMeta,
): Promise<WorkflowRunView> {
  const workflow = await ownedWorkflow(db, principal, workflowId);
  const id = started(
    await startWorkflowRun(db, workflowId, {
      trigger: 'manual',
      input,
      ownerId: Number(workflow.owner_id),
    }),
  );
  await auditAction(db, principal, meta, {
    action: 'workflow.run',
    targetType: 'workflow',
    targetId: String(workflowId),
    details: { workflowRunId: id },
  });
  return readWorkflowRun(db, principal, id);
}

export async function listWorkflowRuns(
  db: Db,
  principal: Principal,
  workflowId: number,
  page: { before?: number; limit?: number },
): Promise<{ runs: WorkflowRunListItem[]; nextBefore: number | null }> {
  await ownedWorkflow(db, principal, workflowId);
  const limit = Math.min(Math.max(page.limit ?? 50, 1), 200);
  let query = db
    .selectFrom('workflow_runs')
    .select([
      'id',
      'workflow_id',
      'status',
      'trigger',
      'error',
      'rerun_of',
      'parent_run_id',
      'created_at',
      'finished_at',
    ])
    .where('workflow_id', '=', workflowId)
    .orderBy('id', 'desc')
    .limit(limit + 1);
  if (page.before !== undefined) query = query.where('id', '<', page.before);
  const rows = await query.execute();
  return {
    runs: rows.slice(0, limit).map(listItem),
    nextBefore: rows.length > limit ? Number(rows[limit - 1]!.id) : null,
  };
}

function listItem(r: {
  id: number;
  workflow_id: number;
  status: string;
  trigger: string;
  error: string | null;
  rerun_of: number | null;
  parent_run_id: number | null;
  created_at: Date;
  finished_at: Date | null;
}): WorkflowRunListItem {
  return {
    id: Number(r.id),
    workflowId: Number(r.workflow_id),
    status: r.status,
    trigger: r.trigger,
    error: r.error,
    rerunOf: r.rerun_of === null ? null : Number(r.rerun_of),
    parentRunId: r.parent_run_id === null ? null : Number(r.parent_run_id),
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

/** One workflow run with every node's state, as its graph was when it started. */
export async function readWorkflowRun(
  db: Db,
  principal: Principal,
  id: number,
): Promise<WorkflowRunView> {
  const run = await db
    .selectFrom('workflow_runs as r')
    .innerJoin('workflows as w', 'w.id', 'r.workflow_id')
    .selectAll('r')
    .select('w.name as workflow_name')
    .where('r.id', '=', id)
    .executeTakeFirst();
  if (!run || (!isAdmin(principal) && Number(run.owner_id) !== principal.userId))
    throw new AppError('NOT_FOUND', `no workflow run ${id}`);
  const rows = await db
    .selectFrom('workflow_node_runs as n')
    .leftJoin('runs as x', 'x.id', 'n.run_id')
    .selectAll('n')
    .select('x.status as run_status')
    .where('n.workflow_run_id', '=', id)
    .execute();
  const byNode = new Map(rows.map((r) => [Number(r.node_id), r]));
  const graph = run.graph as unknown as WorkflowGraph;
  const nameOf = new Map(graph.nodes.map((n) => [n.id, n.name]));
  return {
    ...listItem(run),
    workflowName: run.workflow_name,
    input: run.input,
    output: run.output,
    deadlineAt: run.deadline_at,
    nodes: graph.nodes.map((node) => {
      const r = byNode.get(node.id);
      return {
        id: node.id,
        name: node.name,
        kind: node.kind,
        eventId: node.eventId,
        workflowId: node.childWorkflowId,
        toolCredentialId: node.toolCredentialId,
        join: node.join,
        state: r?.state ?? 'waiting',
        runId: r?.run_id == null ? null : Number(r.run_id),
        runStatus: r?.run_status ?? null,
        childRunId: r?.child_run_id == null ? null : Number(r.child_run_id),
        input: r?.input ?? null,
        tries: r?.send_tries ?? 0,
        output: r?.output ?? null,
        condition: r?.condition ?? null,
        error: r?.error ?? null,
        reused: r?.reused ?? false,
        startedAt: r?.started_at ?? null,
        finishedAt: r?.finished_at ?? null,
      };
    }),
    edges: graph.edges.map((e) => ({
      from: nameOf.get(e.from)!,
      to: nameOf.get(e.to)!,
      on: fromCondition(e.condition),
    })),
  };
}

/** Cancels a running workflow run and everything running in it; 409 when it has ended. */
export async function cancelWorkflowRunFor(
  db: Db,
  principal: Principal,
  id: number,
  meta: RequestMeta,
): Promise<WorkflowRunView> {
  const run = await readWorkflowRun(db, principal, id);
  if (!(await cancelWorkflowRun(db, id, { reason: `cancelled by ${principalName(principal)}` })))
    throw new AppError('CONFLICT', `workflow run ${id} is ${run.status}, not running`);
  await auditAction(db, principal, meta, {
    action: 'workflow_run.cancel',
    targetType: 'workflow_run',
    targetId: String(id),
  });
  return readWorkflowRun(db, principal, id);
}

/** Runs a failed (or cancelled, timed out) workflow run again from where it stopped. */
export async function rerunWorkflowRunFor(
  db: Db,
  principal: Principal,
  id: number,
  meta: RequestMeta,
): Promise<WorkflowRunView> {
  const run = await readWorkflowRun(db, principal, id);
  let result: StartWorkflowResult;
  try {
    result = await rerunWorkflowRun(db, id);
  } catch (error) {
    if (error instanceof WorkflowRunNotFoundError)
      throw new AppError('NOT_FOUND', `no workflow run ${id}`);
    throw error;
  }
  const again = started(result);
  await auditAction(db, principal, meta, {
    action: 'workflow.run',
    targetType: 'workflow',
    targetId: String(run.workflowId),
    details: { workflowRunId: again, rerunOf: id },
  });
  return readWorkflowRun(db, principal, again);
}

const principalName = (principal: Principal) =>
  principal.via === 'api_token'
    ? `user ${principal.userId} (API token ${principal.credentialId})`
    : `user ${principal.userId}`;

/** The workflow's schedule ledger: every due slot and what became of it, newest first. */
export async function listWorkflowTicks(
  db: Db,
  principal: Principal,
  workflowId: number,
  limit: number,
) {
  await ownedWorkflow(db, principal, workflowId);
  return scheduleTicks(db, 'workflow_id', workflowId, limit, (r) => ({
    workflowRunId: r.workflow_run_id === null ? null : Number(r.workflow_run_id),
  }));
}
