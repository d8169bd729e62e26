import type { EdgeCondition, WorkflowNodeKind, WorkflowNodeState } from '@cronium/db';

/**
 * A workflow's graph as one run sees it: frozen into the run when it starts (`graph`), so an
 * edit made while it runs changes nothing about it. Everything in this file is pure: it
 * decides what happens next from the graph and the nodes' states, and the SQL around it
 * (advance-workflow-runs.ts) writes the decisions.
 */
export interface WorkflowGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
}

export interface GraphNode {
  id: number;
  name: string;
  kind: WorkflowNodeKind;
  eventId: number | null;
  childWorkflowId: number | null;
  toolCredentialId: number | null;
  toolParams: Record<string, unknown> | null;
  /** With several parents: start when all edges fired, or when the first one did. */
  join: 'all' | 'any';
  /** Input keys to sources (`input`, `input.path`, `<node>`, `<node>.path`); null: default. */
  inputMapping: Record<string, string> | null;
}

export interface GraphEdge {
  from: number;
  to: number;
  condition: EdgeCondition;
}

/** What one node of a run has become so far. */
export interface NodeStatus {
  state: WorkflowNodeState;
  output: unknown;
  condition: boolean | null;
}

const FINAL_NODE_STATES: ReadonlySet<WorkflowNodeState> = new Set([
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
]);

export const isFinalNodeState = (state: WorkflowNodeState) => FINAL_NODE_STATES.has(state);

/**
 * Whether an edge fires, given its parent: undefined while the parent has not ended. A
 * succeeded parent fires `always`, `on_success`, and the condition edge matching the condition
 * it set (neither, when it set none); a failed one fires `always` and `on_failure`; a
 * cancelled one only `always`; a skipped one nothing.
 */
export function edgeFires(condition: EdgeCondition, parent: NodeStatus): boolean | undefined {
  switch (parent.state) {
    case 'waiting':
    case 'started':
      return undefined;
    case 'skipped':
      return false;
    case 'cancelled':
      return condition === 'always';
    case 'failed':
      return condition === 'always' || condition === 'on_failure';
    case 'succeeded':
      if (condition === 'always' || condition === 'on_success') return true;
      if (condition === 'on_condition_true') return parent.condition === true;
      if (condition === 'on_condition_false') return parent.condition === false;
      return false;
  }
}

/** What the resolver decided for one waiting node. */
export type NodeDecision =
  { nodeId: number; start: true; input: unknown } | { nodeId: number; start: false };

/**
 * Decides every waiting node that can be decided now, to a fixed point: a node starts when
 * its join is satisfied (all incoming edges fired, or any one did), and is skipped when it
 * no longer can be (with `all`, one edge that cannot fire; with `any`, none left that can).
 * A root node (no parents) starts at once. Skips propagate: a skipped node's edges cannot
 * fire. `statuses` is updated in place (started nodes become `started`, skipped `skipped`).
 */
export function resolveWorkflow(
  graph: WorkflowGraph,
  statuses: Map<number, NodeStatus>,
  workflowInput: unknown,
): NodeDecision[] {
  const incoming = incomingEdges(graph);
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const decisions: NodeDecision[] = [];
  for (let changed = true; changed;) {
    changed = false;
    for (const node of graph.nodes) {
      const status = statuses.get(node.id)!;
      if (status.state !== 'waiting') continue;
      const edges = incoming.get(node.id) ?? [];
      const fired = edges.map((e) => edgeFires(e.condition, statuses.get(e.from)!));
      let decision: boolean | undefined;
      if (edges.length === 0) decision = true;
      else if (node.join === 'all')
        decision = fired.includes(false)
          ? false
          : fired.every((f) => f === true)
            ? true
            : undefined;
      else
        decision = fired.includes(true)
          ? true
          : fired.every((f) => f === false)
            ? false
            : undefined;
      if (decision === undefined) continue;
      changed = true;
      if (decision) {
        const parents = edges.filter((_, i) => fired[i] === true).map((e) => byId.get(e.from)!);
        const input = nodeInput(node, parents, graph, statuses, workflowInput);
        statuses.set(node.id, { state: 'started', output: null, condition: null });
        decisions.push({ nodeId: node.id, start: true, input });
      } else {
        statuses.set(node.id, { state: 'skipped', output: null, condition: null });
        decisions.push({ nodeId: node.id, start: false });
      }
    }
  }
  return decisions;
}

function incomingEdges(graph: WorkflowGraph): Map<number, GraphEdge[]> {
  const incoming = new Map<number, GraphEdge[]>();
  for (const edge of graph.edges) {
    const list = incoming.get(edge.to) ?? [];
    list.push(edge);
    incoming.set(edge.to, list);
  }
  return incoming;
}

/**
 * A node's input. With a mapping: each key from its source (`input` is the workflow run's
 * input, `<node>` that node's output; either followed by a dotted path, `rows.0.id`; null
 * when the path leads nowhere). Without: a root node gets the workflow run's input, any
 * other `{ <parent name>: <its output> }` for each parent whose edge fired.
 */
export function nodeInput(
  node: GraphNode,
  firedParents: GraphNode[],
  graph: WorkflowGraph,
  statuses: Map<number, NodeStatus>,
  workflowInput: unknown,
): unknown {
  if (node.inputMapping) {
    const byName = new Map(graph.nodes.map((n) => [n.name, n]));
    const out: Record<string, unknown> = {};
    for (const [key, source] of Object.entries(node.inputMapping)) {
      const [head, ...path] = source.split('.');
      const from =
        head === 'input' ? workflowInput : statuses.get(byName.get(head!)?.id ?? -1)?.output;
      out[key] = follow(from, path);
    }
    return out;
  }
  const incoming = graph.edges.some((e) => e.to === node.id);
  if (!incoming) return workflowInput ?? null;
  return Object.fromEntries(firedParents.map((p) => [p.name, statuses.get(p.id)?.output ?? null]));
}

function follow(value: unknown, path: string[]): unknown {
  let at = value;
  for (const step of path) {
    if (at === null || typeof at !== 'object') return null;
    at = Object.hasOwn(at, step) ? (at as Record<string, unknown>)[step] : null;
  }
  return at ?? null;
}

/** Whether every node has ended (succeeded, failed, skipped or cancelled). */
export function workflowFinished(statuses: Map<number, NodeStatus>): boolean {
  return [...statuses.values()].every((s) => isFinalNodeState(s.state));
}

/**
 * How a finished workflow run ended: failed when a node failed (or was cancelled) and no edge
 * of its handles that (`on_failure` or `always`), else succeeded; with the error naming the
 * nodes. Its output: `{ <name>: <output> }` of the succeeded nodes with no children.
 */
export function workflowOutcome(
  graph: WorkflowGraph,
  statuses: Map<number, NodeStatus>,
): { status: 'succeeded' | 'failed'; error: string | null; output: Record<string, unknown> } {
  const handled = (id: number) =>
    graph.edges.some(
      (e) => e.from === id && (e.condition === 'on_failure' || e.condition === 'always'),
    );
  const unhandled = graph.nodes.filter((n) => {
    const state = statuses.get(n.id)!.state;
    return (state === 'failed' || state === 'cancelled') && !handled(n.id);
  });
  const output: Record<string, unknown> = {};
  for (const node of graph.nodes) {
    const status = statuses.get(node.id)!;
    if (status.state === 'succeeded' && !graph.edges.some((e) => e.from === node.id))
      output[node.name] = status.output ?? null;
  }
  return unhandled.length > 0
    ? {
        status: 'failed',
        error: `${unhandled.map((n) => n.name).join(', ')} failed`,
        output,
      }
    : { status: 'succeeded', error: null, output };
}

/**
 * The nodes a re-run may reuse: those that succeeded and whose ancestors all succeeded too
 * (a node downstream of a failure ran on a path the re-run may not take again).
 */
export function reusableNodes(
  graph: WorkflowGraph,
  statuses: Map<number, NodeStatus>,
): Set<number> {
  const incoming = incomingEdges(graph);
  const memo = new Map<number, boolean>();
  const reusable = (id: number): boolean => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    memo.set(id, false);
    const ok =
      statuses.get(id)?.state === 'succeeded' &&
      (incoming.get(id) ?? []).every((e) => reusable(e.from));
    memo.set(id, ok);
    return ok;
  };
  return new Set(graph.nodes.filter((n) => reusable(n.id)).map((n) => n.id));
}
