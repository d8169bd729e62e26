import { sql, type Kysely } from 'kysely';
import type { Database } from '@cronium/db';
import { CHANNELS } from '../queue-types.ts';
import {
  advanceWorkflowRuns,
  lockWorkflowRun,
  notifyWorkflowRun,
} from './advance-workflow-runs.ts';

/** A workflow's tool node due to be sent, claimed by one orchestrator (leased). */
export interface ClaimedToolNode {
  workflowRunId: number;
  workflowId: number;
  nodeId: number;
  nodeName: string;
  ownerId: number;
  /** This try's number (1 for the first); a lease that ran out counts as a try. */
  tries: number;
  credentialId: number;
  params: Record<string, unknown>;
  /** The node's input (from its parents' outputs) and the workflow run's. */
  input: unknown;
  workflowInput: unknown;
}

/** The claim a tool node's end is written against. */
export interface ToolNodeFence {
  workflowRunId: number;
  nodeId: number;
  owner: string;
  tries: number;
}

/**
 * Claims up to `limit` tool nodes due to be sent (oldest first, skipping those another
 * orchestrator holds; a node whose lease ran out is due again) and leases them to `owner`.
 * What to send comes from the run's frozen graph, not from the workflow as it is now.
 * Each claimed node's workflow run is notified (`CHANNELS.workflowRuns`, in the claim's own
 * statement): a run view then shows the node being sent, and its try, at once.
 */
export async function claimToolNodes(
  db: Kysely<Database>,
  options: { owner: string; limit: number; leaseMs: number },
): Promise<ClaimedToolNode[]> {
  const { rows } = await sql<{
    workflow_run_id: number;
    workflow_id: number;
    node_id: number;
    owner_id: number;
    send_tries: number;
    input: unknown;
    workflow_input: unknown;
    node: { name: string; toolCredentialId: number; toolParams: Record<string, unknown> } | null;
  }>`
    WITH due AS (
      SELECT workflow_run_id, node_id FROM workflow_node_runs
      WHERE send_due_at <= now() AND state = 'started'
        AND (lease_expires_at IS NULL OR lease_expires_at < now())
      ORDER BY send_due_at LIMIT ${options.limit}
      FOR UPDATE SKIP LOCKED
    )
    UPDATE workflow_node_runs n SET
      send_tries = n.send_tries + 1,
      lease_owner = ${options.owner},
      lease_expires_at = now() + ${options.leaseMs} * interval '1 millisecond'
    FROM due, workflow_runs wr
    WHERE n.workflow_run_id = due.workflow_run_id AND n.node_id = due.node_id
      AND wr.id = n.workflow_run_id
    RETURNING n.workflow_run_id, wr.workflow_id, n.node_id, wr.owner_id, n.send_tries, n.input,
      wr.input AS workflow_input,
      (SELECT g FROM jsonb_array_elements(wr.graph->'nodes') g
       WHERE (g->>'id')::bigint = n.node_id) AS node,
      pg_notify(${CHANNELS.workflowRuns}, n.workflow_run_id::text) AS notified`.execute(db);
  return rows.map((row) => ({
    workflowRunId: Number(row.workflow_run_id),
    workflowId: Number(row.workflow_id),
    nodeId: Number(row.node_id),
    nodeName: row.node?.name ?? String(row.node_id),
    ownerId: Number(row.owner_id),
    tries: row.send_tries,
    credentialId: Number(row.node?.toolCredentialId ?? 0),
    params: row.node?.toolParams ?? {},
    input: row.input,
    workflowInput: row.workflow_input,
  }));
}

/** How a send ended: for good (the node ends with it), or to be tried again at `retryAt`. */
export type ToolNodeEnd =
  | { status: 'succeeded' | 'failed'; output: unknown; error: string | null }
  | { status: 'retry'; error: string; retryAt: Date };

/**
 * Records a tool node's send, fenced by its claim (a node cancelled, timed out or claimed
 * again meanwhile changes nothing: false). A final end moves the workflow run on in the
 * same transaction, as a run's outcome does (which notifies the workflow run); a retry
 * notifies it itself, so a run view shows the failed try and its next one at once. The
 * workflow run is locked first, the order every advance takes.
 */
export async function finishToolNode(
  db: Kysely<Database>,
  fence: ToolNodeFence,
  end: ToolNodeEnd,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    if (!(await lockWorkflowRun(trx, fence.workflowRunId))) return false;
    const retry = end.status === 'retry';
    const held = await trx
      .updateTable('workflow_node_runs')
      .set({
        send_due_at: retry ? end.retryAt : null,
        lease_owner: null,
        lease_expires_at: null,
        ...(retry ? { error: end.error } : {}),
      })
      .where('workflow_run_id', '=', fence.workflowRunId)
      .where('node_id', '=', fence.nodeId)
      .where('state', '=', 'started')
      .where('lease_owner', '=', fence.owner)
      .where('send_tries', '=', fence.tries)
      .returning('node_id')
      .executeTakeFirst();
    if (!held) return false;
    if (retry) await notifyWorkflowRun(trx, fence.workflowRunId);
    else
      await advanceWorkflowRuns(trx, [
        {
          workflowRunId: fence.workflowRunId,
          nodeId: fence.nodeId,
          state: end.status,
          output: end.output,
          condition: null,
          error: end.error,
        },
      ]);
    return true;
  });
}
