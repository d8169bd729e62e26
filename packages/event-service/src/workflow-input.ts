import { sql } from 'kysely';
import type { MisfirePolicy } from '@cronium/contracts';
import { findToolCredential, type Db, type EdgeCondition } from '@cronium/db';
import { validateToolParams } from '@cronium/tools';
import { AppError } from '@cronium/service-kit/errors';
import { scheduleProblems } from './event-input.ts';

/** When an edge fires, by how its parent ended (`success` is stored as `on_success`...). */
export type EdgeOn = 'always' | 'success' | 'failure' | 'condition_true' | 'condition_false';

export interface WorkflowNodeInput {
  /** Unique in the workflow; how edges, mappings and inputs name the node. */
  name: string;
  event?: { id: number };
  workflow?: { id: number };
  /** A tool action sent with one of the owner's credentials (templates read the node's input). */
  tool?: { credentialId: number; params: Record<string, unknown> };
  /** With several parents: start when all edges fired (default), or the first one. */
  join?: 'all' | 'any';
  /** Input keys to sources: `input`, `input.path`, `<ancestor>`, `<ancestor>.path`. */
  input?: Record<string, string>;
  label?: string;
  position?: { x: number; y: number };
}

export interface WorkflowEdgeInput {
  from: string;
  to: string;
  on?: EdgeOn;
}

export interface WorkflowInput {
  name: string;
  description?: string;
  status?: 'active' | 'paused';
  concurrency?: { policy: 'allow' | 'skip' };
  timeoutSeconds?: number;
  /** A cron schedule (same scheduler, ledger and misfire policy as events), or none. */
  schedule?: { cron: string; timezone?: string; misfirePolicy?: MisfirePolicy } | null;
  nodes: WorkflowNodeInput[];
  edges: WorkflowEdgeInput[];
}

export const MAX_WORKFLOW_NODES = 200;
export const MAX_WORKFLOW_EDGES = 1_000;
export const NODE_NAME_PATTERN = '^[A-Za-z][A-Za-z0-9_-]{0,63}$';

export const toCondition = (on: EdgeOn | undefined): EdgeCondition =>
  !on || on === 'always' ? 'always' : (`on_${on}` as EdgeCondition);
export const fromCondition = (condition: EdgeCondition): EdgeOn =>
  condition === 'always' ? 'always' : (condition.slice(3) as EdgeOn);

type Problem = { pointer: string; message: string };

/**
 * Checks a workflow's graph as a whole before anything is written, and throws one 422 with
 * a pointer per problem: node names (unique, `input` reserved), each node one event or one
 * workflow of the owner (a workflow may not contain itself, however deep), edges between
 * known nodes without duplicates or cycles, condition edges only from nodes that can set a
 * condition (scripts: not HTTP or tool events, not workflows), and mappings that read only
 * the workflow's input or an ancestor's output. `workflowId`: the workflow being updated.
 */
export async function checkWorkflowGraph(
  db: Db,
  ownerId: number,
  input: Pick<WorkflowInput, 'nodes' | 'edges'>,
  workflowId?: number,
): Promise<void> {
  const problems: Problem[] = [];
  const index = new Map<string, number>();
  input.nodes.forEach((node, i) => {
    const at = `/body/nodes/${i}`;
    if (node.name === 'input')
      problems.push({ pointer: `${at}/name`, message: '`input` names the workflow’s input' });
    else if (index.has(node.name))
      problems.push({ pointer: `${at}/name`, message: `another node is named ${node.name}` });
    else index.set(node.name, i);
    if ([node.event, node.workflow, node.tool].filter((x) => x !== undefined).length !== 1)
      problems.push({
        pointer: at,
        message: 'a node runs one `event`, one `workflow` or one `tool` action',
      });
  });
  const eventTypes = await ownedEventTypes(db, ownerId, input.nodes);
  const workflows = await ownedWorkflows(db, ownerId, input.nodes);
  for (const [i, node] of input.nodes.entries()) {
    if (node.tool) problems.push(...(await toolProblems(db, ownerId, node.tool, i)));
    if (node.event && !eventTypes.has(node.event.id))
      problems.push({
        pointer: `/body/nodes/${i}/event/id`,
        message: `no event ${node.event.id} of the workflow's owner`,
      });
    if (node.workflow) {
      const at = `/body/nodes/${i}/workflow/id`;
      if (!workflows.has(node.workflow.id))
        problems.push({ pointer: at, message: `no workflow ${node.workflow.id} of its owner` });
      else if (
        workflowId !== undefined &&
        (await workflowContains(db, node.workflow.id, workflowId))
      )
        problems.push({
          pointer: at,
          message: `workflow ${node.workflow.id} contains this workflow: it would run itself forever`,
        });
    }
  }
  const seen = new Set<string>();
  const children = new Map<string, string[]>();
  input.edges.forEach((edge, i) => {
    const at = `/body/edges/${i}`;
    for (const end of ['from', 'to'] as const)
      if (!index.has(edge[end]))
        problems.push({ pointer: `${at}/${end}`, message: `no node named ${edge[end]}` });
    if (edge.from === edge.to)
      problems.push({ pointer: at, message: 'an edge joins two different nodes' });
    const key = `${edge.from}\u0000${edge.to}`;
    if (seen.has(key))
      problems.push({ pointer: at, message: `a second edge from ${edge.from} to ${edge.to}` });
    seen.add(key);
    children.set(edge.from, [...(children.get(edge.from) ?? []), edge.to]);
    const parent = input.nodes[index.get(edge.from) ?? -1];
    if (
      parent &&
      (edge.on === 'condition_true' || edge.on === 'condition_false') &&
      !setsCondition(parent, eventTypes)
    )
      problems.push({
        pointer: `${at}/on`,
        message: `${edge.from} cannot set a condition (only a script can: Bash, Python or Node.js)`,
      });
  });
  const cycle = findCycle([...index.keys()], children);
  if (cycle)
    problems.push({
      pointer: `/body/edges/${input.edges.findIndex((e) => e.from === cycle[0] && e.to === cycle[1])}`,
      message: `the edges make a cycle: ${cycle.join(' -> ')}`,
    });
  else checkMappings(input, children, problems);
  if (problems.length > 0)
    throw new AppError('UNPROCESSABLE', 'the workflow cannot be saved as it is', {
      errors: problems,
    });
}

/** A tool node's credential is one of the owner's, its params fit that kind, its templates parse. */
async function toolProblems(
  db: Db,
  ownerId: number,
  tool: NonNullable<WorkflowNodeInput['tool']>,
  i: number,
): Promise<Problem[]> {
  const at = `/body/nodes/${i}/tool`;
  const credential = await findToolCredential(db, ownerId, tool.credentialId);
  if (!credential)
    return [
      {
        pointer: `${at}/credentialId`,
        message: `no tool credential ${tool.credentialId} of the workflow's owner`,
      },
    ];
  const checked = validateToolParams(credential.kind, tool.params);
  return checked.ok
    ? []
    : checked.errors.map((e) => ({ pointer: `${at}/params${e.pointer}`, message: e.message }));
}

function setsCondition(node: WorkflowNodeInput, eventTypes: Map<number, string>): boolean {
  const type = node.event ? eventTypes.get(node.event.id) : undefined;
  return type === 'bash' || type === 'python' || type === 'node';
}

async function ownedEventTypes(
  db: Db,
  ownerId: number,
  nodes: WorkflowNodeInput[],
): Promise<Map<number, string>> {
  const ids = nodes.flatMap((n) => (n.event ? [n.event.id] : []));
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('events')
    .select(['id', 'type'])
    .where('owner_id', '=', ownerId)
    .where('id', 'in', ids)
    .execute();
  return new Map(rows.map((r) => [Number(r.id), r.type]));
}

async function ownedWorkflows(
  db: Db,
  ownerId: number,
  nodes: WorkflowNodeInput[],
): Promise<Set<number>> {
  const ids = nodes.flatMap((n) => (n.workflow ? [n.workflow.id] : []));
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('workflows')
    .select('id')
    .where('owner_id', '=', ownerId)
    .where('id', 'in', ids)
    .execute();
  return new Set(rows.map((r) => Number(r.id)));
}

/** Whether workflow `outer` runs `inner`, as a node or in a node's workflow, however deep. */
async function workflowContains(db: Db, outer: number, inner: number): Promise<boolean> {
  if (outer === inner) return true;
  const found = await sql<{ hit: boolean }>`
    WITH RECURSIVE reach(id) AS (
      SELECT ${outer}::bigint
      UNION
      SELECT n.child_workflow_id FROM workflow_nodes n JOIN reach r ON n.workflow_id = r.id
      WHERE n.child_workflow_id IS NOT NULL
    )
    SELECT EXISTS (SELECT 1 FROM reach WHERE id = ${inner}) AS hit`.execute(db);
  return found.rows[0]?.hit === true;
}

/** A cycle as node names (first repeated at the end), or undefined. */
function findCycle(names: string[], children: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (name: string): string[] | undefined => {
    state.set(name, 'open');
    path.push(name);
    for (const child of children.get(name) ?? []) {
      if (state.get(child) === 'open') return [...path.slice(path.indexOf(child)), child];
      if (!state.has(child)) {
        const found = visit(child);
        if (found) return found;
      }
    }
    path.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of names)
    if (!state.has(name)) {
      const found = visit(name);
      if (found) return found;
    }
  return undefined;
}

/** Mapping sources: the workflow's input, or a node upstream of the one mapped. */
function checkMappings(
  input: Pick<WorkflowInput, 'nodes' | 'edges'>,
  children: Map<string, string[]>,
  problems: Problem[],
): void {
  const parents = new Map<string, string[]>();
  for (const [from, tos] of children)
    for (const to of tos) parents.set(to, [...(parents.get(to) ?? []), from]);
  const ancestors = (name: string): Set<string> => {
    const out = new Set<string>();
    const stack = [...(parents.get(name) ?? [])];
    while (stack.length > 0) {
      const next = stack.pop()!;
      if (out.has(next)) continue;
      out.add(next);
      stack.push(...(parents.get(next) ?? []));
    }
    return out;
  };
  input.nodes.forEach((node, i) => {
    if (!node.input) return;
    const upstream = ancestors(node.name);
    for (const [key, source] of Object.entries(node.input)) {
      const head = source.split('.')[0]!;
      if (head !== 'input' && !upstream.has(head))
        problems.push({
          pointer: `/body/nodes/${i}/input/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`,
          message: `${head} is not upstream of ${node.name}: its output cannot be there yet (use input, or a node that leads here)`,
        });
    }
  });
}

/** A workflow's schedule, checked like an event's (422 under /body/schedule). */
export function checkWorkflowSchedule(schedule: WorkflowInput['schedule']): void {
  const problems = schedule ? scheduleProblems(schedule) : [];
  if (problems.length > 0)
    throw new AppError('UNPROCESSABLE', 'the workflow cannot be saved as it is', {
      errors: problems,
    });
}
