'use client';
// The workflow canvas (React Flow): the editor's, the workflow page's and the run view's. It is
// loaded with next/dynamic from the pages that draw a graph, so no other page carries it.
import '@xyflow/react/dist/style.css';
import './workflow-canvas.css';
import { createContext, useContext, useEffect, useMemo, useRef, useState } from 'react';
import {
  BaseEdge,
  Background,
  Controls,
  EdgeLabelRenderer,
  Handle,
  Position as Side,
  ReactFlow,
  getBezierPath,
  useReactFlow,
  type Edge,
  type EdgeChange,
  type EdgeProps,
  type Node,
  type NodeChange,
  type NodeProps,
} from '@xyflow/react';
import { useComputedColorScheme } from '@mantine/core';
import type { EdgeOn, WorkflowNodeState } from '../types.ts';
import type { Position } from './graph-layout.ts';
import { EDGE_ONS, edgeOnLabel } from './workflow-graph.ts';

// Types, not interfaces: React Flow's node data must be a Record.
export type CanvasNode = {
  id: string;
  name: string;
  /** What the node does, in words ("event: Nightly report", "slack: ops channel"). */
  subtitle: string;
  kind?: 'event' | 'workflow' | 'tool';
  position: Position;
  /** In a run: the node's state, and its words when not the state's (its run's status). */
  state?: WorkflowNodeState;
  stateText?: string;
  /** The API's problems with this node (after a save was refused). */
  problems?: string[];
};

export type CanvasEdge = {
  id: string;
  source: string;
  target: string;
  sourceName: string;
  targetName: string;
  on: EdgeOn;
  problems?: string[];
  /** An edge runs the other way between the same nodes (a cycle): labels move apart. */
  reversed?: boolean;
};

export interface WorkflowCanvasProps {
  nodes: CanvasNode[];
  edges: CanvasEdge[];
  /** The selected node's or edge's id. */
  selected: string | null;
  onSelect?(id: string | null): void;
  /** Nodes can be moved, connected and removed (the editor). */
  editable?: boolean;
  onMove?(id: string, position: Position): void;
  onConnect?(source: string, target: string): void;
  onRemove?(ids: string[]): void;
  /** What the canvas shows, for screen readers. */
  label: string;
  height: number | string;
}

type StepNode = Node<CanvasNode, 'step'>;
type StepEdge = Edge<CanvasEdge, 'step'>;

const CanvasContext = createContext<{ editable: boolean; select(id: string): void }>({
  editable: false,
  select: () => undefined,
});

const STATE_WORDS: Record<WorkflowNodeState, string> = {
  waiting: 'waiting',
  started: 'started',
  succeeded: 'succeeded',
  failed: 'failed',
  skipped: 'skipped',
  cancelled: 'cancelled',
};

function StepNodeView({ data, selected }: NodeProps<StepNode>) {
  const { editable } = useContext(CanvasContext);
  return (
    <div
      className="cr-wf-node"
      data-testid={`wf-node-${data.name}`}
      data-kind={data.kind}
      data-state={data.state}
      data-invalid={data.problems?.length ? 'true' : undefined}
      data-selected={selected ? 'true' : undefined}
    >
      <Handle type="target" position={Side.Top} isConnectable={editable} />
      <div className="cr-wf-node-name">{data.name || '(no name)'}</div>
      <div className="cr-wf-node-sub">{data.subtitle}</div>
      {data.state ? (
        <div className="cr-wf-node-state">{data.stateText ?? STATE_WORDS[data.state]}</div>
      ) : null}
      {data.problems?.map((problem, i) => (
        <div key={i} className="cr-wf-node-problem">
          {problem}
        </div>
      ))}
      <Handle type="source" position={Side.Bottom} isConnectable={editable} />
    </div>
  );
}

function StepEdgeView(props: EdgeProps<StepEdge>) {
  const { editable, select } = useContext(CanvasContext);
  const [path, midX, labelY] = getBezierPath(props);
  const edge = props.data!;
  const labelX = edge.reversed ? midX + (edge.sourceName < edge.targetName ? -48 : 48) : midX;
  const invalid = (edge.problems?.length ?? 0) > 0;
  const words = edgeOnLabel(edge.on);
  return (
    <>
      <BaseEdge
        id={props.id}
        path={path}
        className={`cr-wf-edge cr-wf-on-${invalid ? 'invalid' : edge.on}`}
        markerEnd={`url(#cr-wf-arrow-${invalid ? 'invalid' : edge.on})`}
        interactionWidth={24}
      />
      <EdgeLabelRenderer>
        <div
          className="cr-wf-edge-label nodrag nopan"
          data-testid={`wf-edge-${edge.sourceName}-${edge.targetName}`}
          data-on={edge.on}
          data-invalid={invalid ? 'true' : undefined}
          data-selected={props.selected ? 'true' : undefined}
          style={{ transform: `translate(-50%, -50%) translate(${labelX}px, ${labelY}px)` }}
        >
          {editable ? (
            <button
              type="button"
              onClick={() => select(props.id)}
              aria-label={`Edge ${edge.sourceName} to ${edge.targetName}, ${words}: change it`}
            >
              {words}
            </button>
          ) : (
            <span>{words}</span>
          )}
          {edge.problems?.map((problem, i) => (
            <div key={i} className="cr-wf-edge-problem">
              {problem}
            </div>
          ))}
        </div>
      </EdgeLabelRenderer>
    </>
  );
}

// Room above the graph for the zoom buttons, so they never cover a node.
const FIT = { padding: { top: '56px', bottom: '28px', x: '24px' }, maxZoom: 1.2 } as const;

const NODE_TYPES = { step: StepNodeView };
const EDGE_TYPES = { step: StepEdgeView };

/** Fits the graph into view when nodes come or go (after they are measured). */
function FitOnChange({ count }: { count: number }) {
  const flow = useReactFlow();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const timer = setTimeout(() => void flow.fitView({ ...FIT, duration: 200 }), 50);
    return () => clearTimeout(timer);
  }, [count, flow]);
  return null;
}

export default function WorkflowCanvas(props: WorkflowCanvasProps) {
  const scheme = useComputedColorScheme('light', { getInitialValueInEffect: true });
  const editable = props.editable ?? false;
  // React Flow measures each node once; the sizes are kept here because the nodes themselves
  // are made again from the props on every change.
  const [sizes, setSizes] = useState<Map<string, { width: number; height: number }>>(new Map());
  const { onSelect, onMove } = props;

  const nodes = useMemo<StepNode[]>(
    () =>
      props.nodes.map((n) => ({
        id: n.id,
        type: 'step',
        position: n.position,
        data: n,
        selected: n.id === props.selected,
        measured: sizes.get(n.id),
        ariaLabel: `${n.name || 'unnamed node'}, ${n.subtitle}${n.state ? `, ${n.stateText ?? STATE_WORDS[n.state]}` : ''}`,
      })),
    [props.nodes, props.selected, sizes],
  );
  const edges = useMemo<StepEdge[]>(() => {
    const pairs = new Set(props.edges.map((e) => `${e.source}\u0000${e.target}`));
    return props.edges.map((e) => ({
      id: e.id,
      type: 'step',
      source: e.source,
      target: e.target,
      data: { ...e, reversed: pairs.has(`${e.target}\u0000${e.source}`) },
      selected: e.id === props.selected,
      ariaLabel: `Edge ${e.sourceName} to ${e.targetName}, ${edgeOnLabel(e.on)}`,
    }));
  }, [props.edges, props.selected]);

  const onNodesChange = (changes: NodeChange<StepNode>[]) => {
    let measured: Map<string, { width: number; height: number }> | undefined;
    for (const change of changes) {
      if (change.type === 'dimensions' && change.dimensions) {
        measured ??= new Map(sizes);
        measured.set(change.id, change.dimensions);
      } else if (change.type === 'position' && change.position && editable)
        onMove?.(change.id, change.position);
      else if (change.type === 'select' && change.selected) onSelect?.(change.id);
    }
    if (measured) setSizes(measured);
  };
  const onEdgesChange = (changes: EdgeChange<StepEdge>[]) => {
    for (const change of changes)
      if (change.type === 'select' && change.selected) onSelect?.(change.id);
  };
  const context = useMemo(
    () => ({ editable, select: (id: string) => onSelect?.(id) }),
    [editable, onSelect],
  );

  return (
    <div
      className="cr-wf"
      data-editable={editable ? 'true' : undefined}
      style={{ height: props.height }}
      role="region"
      aria-label={props.label}
    >
      <svg className="cr-wf-defs" aria-hidden="true" focusable="false">
        <defs>
          {[...EDGE_ONS.map((o) => o.value), 'invalid'].map((on) => (
            <marker
              key={on}
              id={`cr-wf-arrow-${on}`}
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="7"
              markerHeight="7"
              orient="auto-start-reverse"
            >
              <path d="M0,0 L10,5 L0,10 z" style={{ fill: `var(--cr-wf-${on})` }} />
            </marker>
          ))}
        </defs>
      </svg>
      <CanvasContext.Provider value={context}>
        <ReactFlow<StepNode, StepEdge>
          nodes={nodes}
          edges={edges}
          nodeTypes={NODE_TYPES}
          edgeTypes={EDGE_TYPES}
          onNodesChange={onNodesChange}
          onEdgesChange={onEdgesChange}
          onConnect={(c) => props.onConnect?.(c.source, c.target)}
          onNodeClick={(_, node) => onSelect?.(node.id)}
          onEdgeClick={(_, edge) => onSelect?.(edge.id)}
          onPaneClick={() => onSelect?.(null)}
          onDelete={({ nodes: gone, edges: cut }) =>
            props.onRemove?.([...gone.map((n) => n.id), ...cut.map((e) => e.id)])
          }
          isValidConnection={(c) => c.source !== c.target}
          nodesDraggable={editable}
          nodesConnectable={editable}
          elementsSelectable
          deleteKeyCode={editable ? ['Delete', 'Backspace'] : null}
          multiSelectionKeyCode={null}
          selectionKeyCode={null}
          colorMode={scheme}
          fitView
          fitViewOptions={FIT}
          minZoom={0.2}
          maxZoom={2}
          zoomOnScroll={false}
          preventScrolling={false}
          ariaLabelConfig={
            editable
              ? {}
              : {
                  // React Flow reads this key while keyboard use is on (the default).
                  'node.a11yDescription.keyboardDisabled':
                    'Press enter or space to select a node and see its details.',
                  'edge.a11yDescription.default': 'An edge: when the next node may start.',
                }
          }
        >
          <Background gap={16} />
          <Controls showInteractive={false} orientation="horizontal" position="top-left" />
          <FitOnChange count={props.nodes.length} />
        </ReactFlow>
      </CanvasContext.Provider>
    </div>
  );
}
