// A saved workflow, or one of its runs, as the canvas draws it (read-only).
import type { Workflow, WorkflowRun } from '../types.ts';
import type { CanvasEdge, CanvasNode } from './workflow-canvas.tsx';
import { positionsOf } from './graph-layout.ts';
import type { Target } from './use-target-names.ts';

type Describe = (target: Target) => string;

const targetOf = (n: { event?: { id: number }; workflow?: { id: number } }): Target =>
  n.workflow ? { kind: 'workflow', id: n.workflow.id } : { kind: 'event', id: n.event?.id ?? null };

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
      subtitle: describe(targetOf(n)),
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
      subtitle: describe(
        n.workflowId !== null
          ? { kind: 'workflow', id: n.workflowId }
          : { kind: 'event', id: n.eventId },
      ),
      position: at.get(n.name)!,
      state: n.state,
      stateText: n.reused
        ? `${n.state} · reused`
        : n.state === 'started'
          ? (n.runStatus ?? 'started')
          : undefined,
    })),
    edges: edgesOf(run.edges),
  };
}
