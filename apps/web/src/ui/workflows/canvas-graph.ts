// A saved workflow, or one of its runs, as the canvas draws it (read-only).
import type { Workflow, WorkflowRun } from '../types.ts';
import type { CanvasEdge, CanvasNode } from './workflow-canvas.tsx';
import { positionsOf } from './graph-layout.ts';
import type { Target } from './use-target-names.ts';
import { targetOf, targetRef } from './workflow-graph.ts';

type Describe = (target: Target) => string;
type RunNode = WorkflowRun['nodes'][number];

/** What a saved node names: its event, workflow or (a tool node) tool credential. */
export const savedNodeTarget = (n: Workflow['nodes'][number]): Target => targetRef(targetOf(n));

/** What a run's node names, likewise. */
export const runNodeTarget = (n: RunNode): Target =>
  n.kind === 'tool'
    ? { kind: 'tool', id: n.toolCredentialId }
    : n.workflowId !== null
      ? { kind: 'workflow', id: n.workflowId }
      : { kind: 'event', id: n.eventId };

/** A node's state in words where the state alone says too little. */
function stateText(n: RunNode): string | undefined {
  if (n.reused) return `${n.state} · reused`;
  if (n.kind === 'tool') {
    if (n.state === 'started') return n.tries > 1 ? `sending · try ${n.tries}` : 'sending';
    return n.tries > 1 ? `${n.state} · ${n.tries} tries` : undefined;
  }
  return n.state === 'started' ? (n.runStatus ?? 'started') : undefined;
}

function edgesOf(edges: Workflow['edges']): CanvasEdge[] {
  return edges.map((e, i) => ({
    id: `e${i}`,
    source: e.from,
    target: e.to,
    sourceName: e.from,
    targetName: e.to,
    on: e.on ?? 'always',
  }));
}

/** A saved workflow's graph: nodes keyed by name. */
export function workflowGraph(
  workflow: Workflow,
  describe: Describe,
): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  const at = positionsOf(workflow.nodes, workflow.edges);
  return {
    nodes: workflow.nodes.map((n) => ({
      id: n.name,
      name: n.name,
      kind: savedNodeTarget(n).kind,
      subtitle: describe(savedNodeTarget(n)),
      position: at.get(n.name)!,
    })),
    edges: edgesOf(workflow.edges),
  };
}

/**
 * A run's graph (the one it started with), each node with its state; placed where the node
 * is on the workflow's canvas now (matched by node id), or laid out when it is no longer there.
 */
export function runGraph(
  run: WorkflowRun,
  workflow: Workflow | undefined,
  describe: Describe,
): { nodes: CanvasNode[]; edges: CanvasEdge[] } {
  const drawn = new Map((workflow?.nodes ?? []).map((n) => [n.id, n.position]));
  const at = positionsOf(
    run.nodes.map((n) => ({ name: n.name, position: drawn.get(n.id) })),
    run.edges,
  );
  return {
    nodes: run.nodes.map((n) => ({
      id: n.name,
      name: n.name,
      kind: runNodeTarget(n).kind,
      subtitle: describe(runNodeTarget(n)),
      position: at.get(n.name)!,
      state: n.state,
      stateText: stateText(n),
    })),
    edges: edgesOf(run.edges),
  };
}
