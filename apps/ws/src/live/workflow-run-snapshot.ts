import type { Db } from '@cronium/db';

export interface WorkflowRunSnapshot {
  workflowRunId: number;
  ownerId: number;
  status: string;
}

/** Whose a workflow run is and its status now, or undefined when it does not exist. */
export async function readWorkflowRunSnapshot(
  db: Db,
  workflowRunId: number,
): Promise<WorkflowRunSnapshot | undefined> {
  const row = await db
    .selectFrom('workflow_runs')
    .select(['owner_id', 'status'])
    .where('id', '=', workflowRunId)
    .executeTakeFirst();
  return row && { workflowRunId, ownerId: Number(row.owner_id), status: row.status };
}
