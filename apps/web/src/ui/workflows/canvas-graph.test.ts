import type { Workflow, WorkflowRun } from '../types.ts';
import { runGraph, workflowGraph } from './canvas-graph.ts';
import type { Target } from './use-target-names.ts';

const named = (t: Target) => `${t.kind} #${t.id}`;

const runNode = (patch: Partial<WorkflowRun['nodes'][number]>): WorkflowRun['nodes'][number] => ({
  id: 1,
  name: 'extract',
  kind: 'event',
  eventId: 4,
  workflowId: null,
  toolCredentialId: null,
  join: 'all',
  state: 'succeeded',
  runId: 10,
  runStatus: 'succeeded',
  childRunId: null,
  input: null,
  tries: 0,
  output: null,
  condition: null,
  error: null,
  reused: false,
  startedAt: null,
  finishedAt: null,
  ...patch,
});

const run = (nodes: WorkflowRun['nodes']): WorkflowRun => ({
  id: 3,
  workflowId: 7,
  status: 'running',
  trigger: 'manual',
  error: null,
  rerunOf: null,
  parentRunId: null,
  createdAt: '2026-01-01T00:00:00Z',
  finishedAt: null,
  workflowName: 'nightly',
  input: {},
  output: null,
  deadlineAt: '2026-01-02T00:00:00Z',
  nodes,
  edges: [{ from: 'extract', to: 'notify', on: 'success' }],
});

describe('graphs drawn read-only', () => {
  it('names a saved tool node by its credential', () => {
    const workflow = {
      nodes: [
        { id: 1, name: 'extract', event: { id: 4 }, position: { x: 0, y: 0 } },
        {
          id: 2,
          name: 'notify',
          tool: { credentialId: 5, params: { text: 'hi' } },
          position: { x: 0, y: 130 },
        },
      ],
      edges: [{ from: 'extract', to: 'notify', on: 'success' }],
    } as Workflow;
    const { nodes } = workflowGraph(workflow, named);
    expect(nodes.map((n) => [n.name, n.kind, n.subtitle])).toEqual([
      ['extract', 'event', 'event #4'],
      ['notify', 'tool', 'tool #5'],
    ]);
  });

  it('shows a run’s tool node sending, its tries, and its credential', () => {
    const tool = {
      id: 2,
      name: 'notify',
      kind: 'tool',
      eventId: null,
      runId: null,
      runStatus: null,
      toolCredentialId: 5,
    };
    const sending = runGraph(
      run([runNode({}), runNode({ ...tool, state: 'started', tries: 2 })]),
      undefined,
      named,
    ).nodes[1]!;
    expect(sending).toMatchObject({
      kind: 'tool',
      subtitle: 'tool #5',
      state: 'started',
      stateText: 'sending · try 2',
    });
    const sent = runGraph(
      run([runNode({}), runNode({ ...tool, state: 'succeeded', tries: 1 })]),
      undefined,
      named,
    ).nodes;
    expect(sent[1]!.stateText).toBeUndefined();
    expect(sent[0]).toMatchObject({ kind: 'event', subtitle: 'event #4' });
    const failed = runGraph(
      run([runNode({}), runNode({ ...tool, state: 'failed', tries: 5 })]),
      undefined,
      named,
    ).nodes[1]!;
    expect(failed.stateText).toBe('failed · 5 tries');
  });
});
