import type { Kysely } from 'kysely';
import type { Database } from '@cronium/db';
import { requestCancelInTransaction } from '../enqueue-run.ts';
import type { DbExecutor } from '../queue-types.ts';
import {
  advanceWorkflowRuns,
  lockWorkflowRun,
  notifyWorkflowRun,
} from './advance-workflow-runs.ts';

/**
 * Ends a running workflow run as `cancelled` (or `timed_out`), in one transaction: nodes not
 * started yet are cancelled, the runs of started nodes are cancelled (queued ones at once,
 * running ones through their orchestrator), and child workflow runs likewise. A workflow run
 * started as a node of another moves that node on (cancelled). False when it was not running
 * (or is not `ownerId`'s).
 */
export async function cancelWorkflowRun(
  db: Kysely<Database>,
  workflowRunId: number,
  options: { ownerId?: number; reason: string; status?: 'cancelled' | 'timed_out' },
): Promise<boolean> {
  return db.transaction().execute((trx) => cancelWorkflowRunIn(trx, workflowRunId, options, true));
}

/** `cancelWorkflowRun` in the caller's transaction; `moveParent`: move its parent's node on. */
export async function cancelWorkflowRunIn(
  trx: DbExecutor,
  workflowRunId: number,
  options: { ownerId?: number; reason: string; status?: 'cancelled' | 'timed_out' },
  moveParent: boolean,
): Promise<boolean> {
  const run = await lockWorkflowRun(trx, workflowRunId);
  if (!run || run.status !== 'running') return false;
  if (options.ownerId !== undefined && run.ownerId !== options.ownerId) return false;
  const status = options.status ?? 'cancelled';
  await trx
    .updateTable('workflow_runs')
    .set({ status, error: options.reason, finished_at: new Date() })
    .where('id', '=', workflowRunId)
    .execute();
  const nodes = await trx
    .updateTable('workflow_node_runs')
    // A tool node not sent yet is not sent; one being sent finds its claim gone.
    .set({
      state: 'cancelled',
      error: options.reason,
      finished_at: new Date(),
      send_due_at: null,
      lease_owner: null,
      lease_expires_at: null,
    })
    .where('workflow_run_id', '=', workflowRunId)
    .where('state', 'in', ['waiting', 'started'])
    .returning(['run_id', 'child_run_id'])
    .execute();
  await requestCancelInTransaction(
    trx,
    nodes.flatMap((n) => (n.run_id === null ? [] : [Number(n.run_id)])),
    options.reason,
  );
  for (const node of nodes)
    if (node.child_run_id !== null)
      await cancelWorkflowRunIn(trx, Number(node.child_run_id), { reason: options.reason }, false);
  await notifyWorkflowRun(trx, workflowRunId);
  if (moveParent && run.parentRunId !== null && run.parentNodeId !== null)
    await advanceWorkflowRuns(trx, [
      {
        workflowRunId: run.parentRunId,
        nodeId: run.parentNodeId,
        state: status === 'cancelled' ? 'cancelled' : 'failed',
        output: null,
        condition: null,
        error: options.reason,
      },
    ]);
  return true;
}

/**
 * Ends the workflow runs past their deadline as `timed_out` (any orchestrator may run this;
 * each run is ended once: a second sweeper finds it no longer running). Returns their ids.
 */
export async function timeOutWorkflowRuns(db: Kysely<Database>, limit = 100): Promise<number[]> {
  const due = await db
    .selectFrom('workflow_runs as r')
    .innerJoin('workflows as w', 'w.id', 'r.workflow_id')
    .select(['r.id', 'w.timeout_seconds'])
    .where('r.status', '=', 'running')
    .where('r.deadline_at', '<', new Date())
    .orderBy('r.deadline_at')
    .limit(limit)
    .execute();
  const ended: number[] = [];
  for (const run of due) {
    if (
      await cancelWorkflowRun(db, Number(run.id), {
        reason: `timed out after ${run.timeout_seconds} s (the workflow's timeout)`,
        status: 'timed_out',
      })
    )
      ended.push(Number(run.id));
  }
  return ended;
}
