import { sql } from 'kysely';
import { auditAction, isAdmin, type Principal, type RequestMeta } from '@cronium/accounts';
import type { EventStatus, MisfirePolicy } from '@cronium/contracts';
import type { Db } from '@cronium/db';
import { AppError } from '@cronium/service-kit/errors';
import { CHANNELS } from '@cronium/run-queue';
import {
  checkWorkflowGraph,
  checkWorkflowSchedule,
  fromCondition,
  toCondition,
  type WorkflowInput,
  type WorkflowNodeInput,
} from './workflow-input.ts';
import { scheduleColumns, scheduleView } from './schedule-columns.ts';

export interface WorkflowView {
  id: number;
  ownerId: number;
  name: string;
  description: string;
  status: EventStatus;
  concurrency: { policy: 'allow' | 'skip' };
  timeoutSeconds: number;
  schedule: { cron: string; timezone: string; misfirePolicy: MisfirePolicy } | null;
  /** The next slot the scheduler will fire (null: no schedule, paused, or not computed yet). */
  nextFireAt: Date | null;
  nodes: (WorkflowNodeInput & { id: number })[];
  edges: { from: string; to: string; on: ReturnType<typeof fromCondition> }[];
  createdAt: Date;
  updatedAt: Date;
}

export interface WorkflowListItem {
  id: number;
  name: string;
  description: string;
  status: EventStatus;
  nodeCount: number;
  lastRun: { id: number; status: string; createdAt: Date } | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The workflow row, if the principal may see it (its owner, or an admin); else 404. */
export async function ownedWorkflow(db: Db, principal: Principal, id: number) {
  const row = await db.selectFrom('workflows').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || (!isAdmin(principal) && Number(row.owner_id) !== principal.userId))
    throw new AppError('NOT_FOUND', `no workflow ${id}`);
  return row;
}

export async function readWorkflow(
  db: Db,
  principal: Principal,
  id: number,
): Promise<WorkflowView> {
  const row = await ownedWorkflow(db, principal, id);
  const [nodes, edges] = await Promise.all([
    db
      .selectFrom('workflow_nodes')
      .selectAll()
      .where('workflow_id', '=', id)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('workflow_edges')
      .selectAll()
      .where('workflow_id', '=', id)
      .orderBy('id')
      .execute(),
  ]);
  const nameOf = new Map(nodes.map((n) => [Number(n.id), n.name]));
  return {
    id: Number(row.id),
    ownerId: Number(row.owner_id),
    name: row.name,
    description: row.description,
    status: row.status,
    concurrency: { policy: row.concurrency_policy },
    timeoutSeconds: row.timeout_seconds,
    schedule: scheduleView(row),
    nextFireAt:
      row.status === 'active' && row.schedule_cron && row.schedule_next_at?.getFullYear() !== 9999
        ? row.schedule_next_at
        : null,
    nodes: nodes.map((n) => ({
      id: Number(n.id),
      name: n.name,
      ...(n.event_id !== null ? { event: { id: Number(n.event_id) } } : {}),
      ...(n.child_workflow_id !== null ? { workflow: { id: Number(n.child_workflow_id) } } : {}),
      ...(n.tool_credential_id !== null
        ? {
            tool: {
              credentialId: Number(n.tool_credential_id),
              params: (n.tool_params ?? {}) as Record<string, unknown>,
            },
          }
        : {}),
      join: n.join_mode,
      ...(n.input_mapping ? { input: n.input_mapping as Record<string, string> } : {}),
      label: n.label,
      position: n.position,
    })),
    edges: edges.map((e) => ({
      from: nameOf.get(Number(e.from_node_id))!,
      to: nameOf.get(Number(e.to_node_id))!,
      on: fromCondition(e.condition),
    })),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** A page of the principal's workflows (an admin's: everyone's), newest first. */
export async function listWorkflows(
  db: Db,
  principal: Principal,
  page: { before?: number; limit?: number; q?: string },
): Promise<{ workflows: WorkflowListItem[]; nextBefore: number | null }> {
  const limit = Math.min(Math.max(page.limit ?? 50, 1), 200);
  let query = db
    .selectFrom('workflows as w')
    .select([
      'w.id',
      'w.name',
      'w.description',
      'w.status',
      'w.created_at',
      'w.updated_at',
      sql<number>`(SELECT count(*) FROM workflow_nodes n WHERE n.workflow_id = w.id)::int`.as(
        'node_count',
      ),
      sql<{ id: number; status: string; createdAt: string } | null>`(
        SELECT json_build_object('id', r.id, 'status', r.status, 'createdAt', r.created_at)
        FROM workflow_runs r WHERE r.workflow_id = w.id ORDER BY r.id DESC LIMIT 1)`.as('last_run'),
    ])
    .orderBy('w.id', 'desc')
    .limit(limit + 1);
  if (!isAdmin(principal)) query = query.where('w.owner_id', '=', principal.userId);
  if (page.before !== undefined) query = query.where('w.id', '<', page.before);
  if (page.q)
    query = query.where(
      sql<boolean>`w.name ILIKE ${`%${page.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}`,
    );
  const rows = await query.execute();
  const more = rows.length > limit;
  return {
    workflows: rows.slice(0, limit).map((r) => ({
      id: Number(r.id),
      name: r.name,
      description: r.description,
      status: r.status,
      nodeCount: r.node_count,
      lastRun: r.last_run
        ? {
            id: r.last_run.id,
            status: r.last_run.status,
            createdAt: new Date(r.last_run.createdAt),
          }
        : null,
      createdAt: r.created_at,
      updatedAt: r.updated_at,
    })),
    nextBefore: more ? Number(rows[limit - 1]!.id) : null,
  };
}

export async function createWorkflow(
  db: Db,
  principal: Principal,
  input: WorkflowInput,
  meta: RequestMeta,
): Promise<WorkflowView> {
  await checkWorkflowGraph(db, principal.userId, input);
  checkWorkflowSchedule(input.schedule);
  const id = await db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('workflows')
      .values({
        owner_id: principal.userId,
        name: input.name,
        description: input.description ?? '',
        status: input.status ?? 'active',
        concurrency_policy: input.concurrency?.policy ?? 'allow',
        timeout_seconds: input.timeoutSeconds ?? 86_400,
        ...scheduleColumns(input.schedule),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeGraph(trx as unknown as Db, Number(id), input);
    await audit(trx as unknown as Db, principal, 'workflow.create', Number(id), meta, {
      nodes: input.nodes.length,
    });
    if (input.schedule) await scheduleChanged(trx as unknown as Db, Number(id));
    return Number(id);
  });
  return readWorkflow(db, principal, id);
}

/** Changes the given fields; `nodes` and `edges` replace the graph as a whole (both given). */
export async function updateWorkflow(
  db: Db,
  principal: Principal,
  id: number,
  patch: Partial<WorkflowInput>,
  meta: RequestMeta,
): Promise<WorkflowView> {
  const current = await readWorkflow(db, principal, id);
  const graph = { nodes: patch.nodes ?? current.nodes, edges: patch.edges ?? current.edges };
  if (patch.nodes !== undefined || patch.edges !== undefined)
    await checkWorkflowGraph(db, current.ownerId, graph, id);
  checkWorkflowSchedule(patch.schedule);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('workflows')
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.concurrency ? { concurrency_policy: patch.concurrency.policy } : {}),
        ...(patch.timeoutSeconds !== undefined ? { timeout_seconds: patch.timeoutSeconds } : {}),
        ...(patch.schedule !== undefined ? scheduleColumns(patch.schedule) : {}),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
    if (patch.nodes !== undefined || patch.edges !== undefined)
      await writeGraph(trx as unknown as Db, id, graph);
    await audit(trx as unknown as Db, principal, 'workflow.update', id, meta, {
      fields: Object.keys(patch),
    });
    if (patch.schedule !== undefined || patch.status !== undefined)
      await scheduleChanged(trx as unknown as Db, id);
  });
  return readWorkflow(db, principal, id);
}

export async function deleteWorkflow(
  db: Db,
  principal: Principal,
  id: number,
  meta: RequestMeta,
): Promise<void> {
  await ownedWorkflow(db, principal, id);
  await db.transaction().execute(async (trx) => {
    const parent = await trx
      .selectFrom('workflow_nodes as n')
      .innerJoin('workflows as w', 'w.id', 'n.workflow_id')
      .select(['w.id', 'w.name'])
      .where('n.child_workflow_id', '=', id)
      .limit(1)
      .executeTakeFirst();
    if (parent)
      throw new AppError(
        'CONFLICT',
        `the workflow is a node of workflow ${parent.id} (${parent.name}): remove it there first`,
      );
    const running = await trx
      .selectFrom('workflow_runs')
      .select('id')
      .where('workflow_id', '=', id)
      .where('status', '=', 'running')
      .limit(1)
      .executeTakeFirst();
    if (running)
      throw new AppError(
        'CONFLICT',
        `run ${running.id} of the workflow is running: cancel it first`,
      );
    await trx.deleteFrom('workflows').where('id', '=', id).execute();
    await audit(trx as unknown as Db, principal, 'workflow.delete', id, meta);
  });
}

/** Tells the schedulers to look again (a schedule, or a workflow's status, changed). */
async function scheduleChanged(trx: Db, id: number): Promise<void> {
  await sql`SELECT pg_notify(${CHANNELS.scheduleChanged}, ${`workflow:${id}`})`.execute(trx);
}

/**
 * Writes a workflow's nodes and edges: nodes are matched by name and updated in place (their
 * ids, which runs refer to, stay), new ones inserted, missing ones deleted; edges replaced.
 */
async function writeGraph(
  trx: Db,
  workflowId: number,
  graph: Pick<WorkflowInput, 'nodes' | 'edges'>,
): Promise<void> {
  await trx.deleteFrom('workflow_edges').where('workflow_id', '=', workflowId).execute();
  const names = graph.nodes.map((n) => n.name);
  let removed = trx.deleteFrom('workflow_nodes').where('workflow_id', '=', workflowId);
  if (names.length > 0) removed = removed.where('name', 'not in', names);
  await removed.execute();
  const ids = new Map<string, number>();
  if (graph.nodes.length > 0) {
    const rows = await trx
      .insertInto('workflow_nodes')
      .values(
        graph.nodes.map((node) => ({
          workflow_id: workflowId,
          name: node.name,
          kind: node.workflow
            ? ('workflow' as const)
            : node.tool
              ? ('tool' as const)
              : ('event' as const),
          event_id: node.event?.id ?? null,
          child_workflow_id: node.workflow?.id ?? null,
          tool_credential_id: node.tool?.credentialId ?? null,
          tool_params: node.tool ? JSON.stringify(node.tool.params) : null,
          join_mode: node.join ?? 'all',
          input_mapping: node.input ? JSON.stringify(node.input) : null,
          label: node.label ?? '',
          position: JSON.stringify(node.position ?? { x: 0, y: 0 }),
        })),
      )
      .onConflict((oc) =>
        oc.columns(['workflow_id', 'name']).doUpdateSet((eb) => ({
          kind: eb.ref('excluded.kind'),
          event_id: eb.ref('excluded.event_id'),
          child_workflow_id: eb.ref('excluded.child_workflow_id'),
          tool_credential_id: eb.ref('excluded.tool_credential_id'),
          tool_params: eb.ref('excluded.tool_params'),
          join_mode: eb.ref('excluded.join_mode'),
          input_mapping: eb.ref('excluded.input_mapping'),
          label: eb.ref('excluded.label'),
          position: eb.ref('excluded.position'),
        })),
      )
      .returning(['id', 'name'])
      .execute();
    for (const row of rows) ids.set(row.name, Number(row.id));
  }
  if (graph.edges.length > 0)
    await trx
      .insertInto('workflow_edges')
      .values(
        graph.edges.map((edge) => ({
          workflow_id: workflowId,
          from_node_id: ids.get(edge.from)!,
          to_node_id: ids.get(edge.to)!,
          condition: toCondition(edge.on),
        })),
      )
      .execute();
}

async function audit(
  trx: Db,
  principal: Principal,
  action: string,
  id: number,
  meta: RequestMeta,
  details: Record<string, unknown> = {},
): Promise<void> {
  await auditAction(trx, principal, meta, {
    action,
    targetType: 'workflow',
    targetId: String(id),
    details,
  });
}
