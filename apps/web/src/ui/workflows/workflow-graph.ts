// A workflow's graph as the editor holds it, and the way to and from the REST API: nodes are
// keyed by a client id (a node may be renamed while edges point at it), and a save sends the
// graph whole, in the order the editor holds it, so the API's 422 pointers (/body/nodes/2/event/id,
// /body/nodes/3/tool/params/text, /body/edges/0/on) lead back to the node or edge they are about.
import type { FieldProblem } from '../api.ts';
import type { EdgeOn, Workflow, WorkflowNode } from '../types.ts';
import type { ScheduleValue } from '../forms/schedule-builder.tsx';
import { positionsOf, type Position } from './graph-layout.ts';
import type { Target } from './use-target-names.ts';

/**
 * What a node does: run one of the user's events or workflows (`id` null until one is
 * chosen), or send a message with one of their tool credentials (params as the API takes
 * them: every param is kept, those the form has no field for too).
 */
export type NodeTarget =
  | { kind: 'event' | 'workflow'; id: number | null }
  | { kind: 'tool'; credentialId: number | null; params: Record<string, unknown> };

export interface DraftNode {
  /** The editor's key for the node (stable while its name changes). */
  id: string;
  name: string;
  target: NodeTarget;
  join: 'all' | 'any';
  /** The input mapping as rows (key, source); null: the default input. */
  input: [string, string][] | null;
  label: string;
  position: Position;
}

export interface DraftEdge {
  id: string;
  /** Node ids (not names). */
  from: string;
  to: string;
  on: EdgeOn;
}

export interface Draft {
  name: string;
  description: string;
  active: boolean;
  concurrency: 'allow' | 'skip';
  timeoutSeconds: number | string;
  /** A cron schedule (as an event's), or none: by hand, webhook or as a node only. */
  schedule: ScheduleValue | null;
  nodes: DraftNode[];
  edges: DraftEdge[];
}

/** What a node can do, as the editor offers it. */
export const NODE_KINDS: { value: NodeTarget['kind']; label: string }[] = [
  { value: 'event', label: 'An event' },
  { value: 'workflow', label: 'A workflow' },
  { value: 'tool', label: 'Send a message' },
];

export const EDGE_ONS: { value: EdgeOn; label: string; description: string }[] = [
  { value: 'always', label: 'always', description: 'whenever the parent ends, however it ended' },
  { value: 'success', label: 'on success', description: 'when the parent succeeded' },
  {
    value: 'failure',
    label: 'on failure',
    description: 'when the parent failed, timed out or ended partial',
  },
  {
    value: 'condition_true',
    label: 'if true',
    description: 'when the parent succeeded with its condition set true (scripts only)',
  },
  {
    value: 'condition_false',
    label: 'if false',
    description: 'when the parent succeeded with its condition set false (scripts only)',
  },
];

export const edgeOnLabel = (on: EdgeOn): string =>
  EDGE_ONS.find((o) => o.value === on)?.label ?? on;

export const NODE_NAME_RULE = 'a letter, then letters, digits, _ or - (64 at most)';
const NODE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;

/** A node name made from a title ("Nightly report" -> nightly_report), unused in `taken`. */
export function nodeNameFrom(title: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  let base = title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .replace(/_+/g, '_')
    .replace(/_$/, '')
    .slice(0, 58);
  if (!NODE_NAME.test(base)) base = 'step';
  if (base === 'input') base = 'input_node';
  if (!used.has(base)) return base;
  for (let n = 2; ; n += 1) if (!used.has(`${base}_${n}`)) return `${base}_${n}`;
}

/** A new id for the editor, not among `taken`. */
export function freshId(prefix: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  for (let n = used.size + 1; ; n += 1) if (!used.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

/** A node of `kind` with nothing chosen yet. */
export function emptyTarget(kind: NodeTarget['kind']): NodeTarget {
  return kind === 'tool' ? { kind, credentialId: null, params: {} } : { kind, id: null };
}

/** What a saved node does. */
export function targetOf(node: Pick<WorkflowNode, 'event' | 'workflow' | 'tool'>): NodeTarget {
  if (node.tool)
    return { kind: 'tool', credentialId: node.tool.credentialId, params: node.tool.params };
  if (node.workflow) return { kind: 'workflow', id: node.workflow.id };
  return { kind: 'event', id: node.event?.id ?? null };
}

/** The thing a node names, by kind and id (a tool node's: its credential), to show its name. */
export function targetRef(target: NodeTarget): Target {
  return target.kind === 'tool'
    ? { kind: 'tool', id: target.credentialId }
    : { kind: target.kind, id: target.id };
}

/** The node's `event`, `workflow` or `tool` as the API takes it; nothing while none is chosen. */
function targetBody(target: NodeTarget): Record<string, unknown> {
  if (target.kind === 'tool')
    return target.credentialId === null
      ? {}
      : { tool: { credentialId: target.credentialId, params: target.params } };
  return target.id === null ? {} : { [target.kind]: { id: target.id } };
}

/** The editor's draft of a saved workflow, or of a new one. */
export function draftOf(workflow: Workflow | undefined): Draft {
  const nodes = workflow?.nodes ?? [];
  const positions = positionsOf(nodes, workflow?.edges ?? []);
  const idOf = new Map(nodes.map((n) => [n.name, `n${n.id}`]));
  return {
    name: workflow?.name ?? '',
    description: workflow?.description ?? '',
    active: (workflow?.status ?? 'active') === 'active',
    concurrency: workflow?.concurrency.policy ?? 'allow',
    timeoutSeconds: workflow?.timeoutSeconds ?? 86_400,
    schedule: workflow?.schedule
      ? {
          cron: workflow.schedule.cron,
          timezone: workflow.schedule.timezone ?? 'UTC',
          misfirePolicy: workflow.schedule.misfirePolicy ?? 'last',
        }
      : null,
    nodes: nodes.map((n) => ({
      id: idOf.get(n.name)!,
      name: n.name,
      target: targetOf(n),
      join: n.join ?? 'all',
      input: n.input ? Object.entries(n.input) : null,
      label: n.label ?? '',
      position: positions.get(n.name)!,
    })),
    edges: (workflow?.edges ?? []).map((e, i) => ({
      id: `e${i + 1}`,
      from: idOf.get(e.from)!,
      to: idOf.get(e.to)!,
      on: e.on ?? 'always',
    })),
  };
}

/** The request body (POST or PATCH): every field, and the graph whole. */
export function bodyOf(draft: Draft): Record<string, unknown> {
  const nameOf = new Map(draft.nodes.map((n) => [n.id, n.name]));
  return {
    name: draft.name,
    description: draft.description,
    status: draft.active ? 'active' : 'paused',
    concurrency: { policy: draft.concurrency },
    timeoutSeconds: draft.timeoutSeconds === '' ? undefined : Number(draft.timeoutSeconds),
    schedule: draft.schedule,
    nodes: draft.nodes.map((n) => ({
      name: n.name,
      ...targetBody(n.target),
      join: n.join,
      ...(n.input
        ? {
            input: Object.fromEntries(
              n.input.filter(([key]) => key.trim() !== '').map(([k, v]) => [k.trim(), v.trim()]),
            ),
          }
        : {}),
      ...(n.label ? { label: n.label } : {}),
      position: { x: Math.round(n.position.x), y: Math.round(n.position.y) },
    })),
    edges: draft.edges.map((e) => ({ from: nameOf.get(e.from), to: nameOf.get(e.to), on: e.on })),
  };
}

/** One problem the API reported, where it is (for the list above the form). */
export interface GraphProblem {
  message: string;
  /** "Node backup", "Edge backup → upload", "Name"; undefined: the workflow as a whole. */
  where: string | undefined;
  /** The node's or edge's id, to select it. */
  target: string | undefined;
}

export interface GraphProblems {
  list: GraphProblem[];
  /** By node or edge id: each problem with the field it is about ('' for the whole). */
  at: Record<string, { field: string; message: string }[]>;
  /** The workflow's own fields by dotted path (`name`, `concurrency.policy`). */
  fields: Record<string, string>;
}

const FIELD_NAMES: Record<string, string> = {
  name: 'Name',
  description: 'Description',
  status: 'Status',
  'concurrency.policy': 'Concurrency',
  timeoutSeconds: 'Timeout',
  'schedule.cron': 'Schedule',
  'schedule.timezone': 'Time zone',
  nodes: 'Nodes',
  edges: 'Edges',
};

const unescapePointer = (part: string) => part.replaceAll('~1', '/').replaceAll('~0', '~');

/** The API's pointers (problem+json `errors`) placed on the draft's nodes, edges and fields. */
export function placeProblems(draft: Draft, errors: FieldProblem[]): GraphProblems {
  const out: GraphProblems = { list: [], at: {}, fields: {} };
  const nameOf = new Map(draft.nodes.map((n) => [n.id, n.name]));
  for (const { pointer, message } of errors) {
    const parts = pointer
      .replace(/^\/body\/?/, '')
      .split('/')
      .map(unescapePointer);
    const [kind, index, ...rest] = parts;
    const i = Number(index);
    const node = kind === 'nodes' && Number.isInteger(i) ? draft.nodes[i] : undefined;
    const edge = kind === 'edges' && Number.isInteger(i) ? draft.edges[i] : undefined;
    const field = rest.join('/');
    if (node) {
      (out.at[node.id] ??= []).push({ field, message });
      out.list.push({
        message,
        where: `Node ${node.name || `${i + 1} (no name)`}`,
        target: node.id,
      });
    } else if (edge) {
      (out.at[edge.id] ??= []).push({ field, message });
      out.list.push({
        message,
        where: `Edge ${nameOf.get(edge.from) || '?'} → ${nameOf.get(edge.to) || '?'}`,
        target: edge.id,
      });
    } else {
      const path = parts.filter(Boolean).join('.');
      if (path) out.fields[path] ??= message;
      out.list.push({
        message,
        where: FIELD_NAMES[path] ?? (path || undefined),
        target: undefined,
      });
    }
  }
  return out;
}

/** The nodes upstream of `id` (its parents, theirs, and so on). */
export function upstreamOf(id: string, edges: { from: string; to: string }[]): Set<string> {
  const out = new Set<string>();
  const stack = edges.filter((e) => e.to === id).map((e) => e.from);
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (out.has(next)) continue;
    out.add(next);
    for (const e of edges) if (e.to === next) stack.push(e.from);
  }
  return out;
}
