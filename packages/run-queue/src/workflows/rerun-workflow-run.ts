import type { Kysely } from 'kysely';
import type { Database } from '@cronium/db';
import { reusableNodes, type NodeStatus, type WorkflowGraph } from './workflow-graph.ts';
import {
  startWorkflowRunIn,
  WorkflowNotFoundError,
  type StartWorkflowResult,
} from './start-workflow-run.ts';

/**
 * Runs a finished workflow run again from where it failed: a new run of the same graph and
 * input, `rerun_of` the old one, which reuses (does not run again) every node that succeeded
 * with all its ancestors, with the outputs it had, and runs the rest. Refused for a run still
 * running or one that succeeded (nothing to run again).
 */
export async function rerunWorkflowRun(
  db: Kysely<Database>,
  workflowRunId: number,
  options: { ownerId?: number } = {},
): Promise<StartWorkflowResult> {
  return db.transaction().execute(async (trx) => {
    let lookup = trx
      .selectFrom('workflow_runs')
      .select(['id', 'workflow_id', 'status', 'input', 'graph'])
      .where('id', '=', workflowRunId);
    if (options.ownerId !== undefined) lookup = lookup.where('owner_id', '=', options.ownerId);
    const old = await lookup.executeTakeFirst();
    if (!old) throw new WorkflowRunNotFoundError(workflowRunId);
    if (old.status === 'running' || old.status === 'succeeded')
      return { outcome: 'refused', reason: `run ${workflowRunId} is ${old.status}` };
    const graph = old.graph as unknown as WorkflowGraph;
    const rows = await trx
      .selectFrom('workflow_node_runs')
      .select(['node_id', 'state', 'output', 'condition', 'run_id', 'child_run_id'])
      .where('workflow_run_id', '=', workflowRunId)
      .execute();
    const statuses = new Map<number, NodeStatus>(
      rows.map((r) => [
        Number(r.node_id),
        { state: r.state, output: r.output, condition: r.condition },
      ]),
    );
    const keep = reusableNodes(graph, statuses);
    const reused = new Map(
      rows
        .filter((r) => keep.has(Number(r.node_id)))
        .map((r) => [
          Number(r.node_id),
          {
            state: r.state,
            output: r.output,
            condition: r.condition,
            runId: r.run_id === null ? null : Number(r.run_id),
            childRunId: r.child_run_id === null ? null : Number(r.child_run_id),
          },
        ]),
    );
    try {
      return await startWorkflowRunIn(trx, Number(old.workflow_id), {
        trigger: 'rerun',
        input: old.input ?? undefined,
        ...(options.ownerId === undefined ? {} : { ownerId: options.ownerId }),
        rerun: { of: workflowRunId, graph, reused },
      });
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) throw new WorkflowRunNotFoundError(workflowRunId);
      throw error;
    }
  });
}

export class WorkflowRunNotFoundError extends Error {
  constructor(id: number) {
    super(`workflow run ${id} not found`);
    this.name = 'WorkflowRunNotFoundError';
  }
}
