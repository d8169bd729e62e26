import type { Workflow } from '../types.ts';
import { bodyOf, draftOf, nodeNameFrom, placeProblems, upstreamOf } from './workflow-graph.ts';

const saved: Workflow = {
  id: 7,
  ownerId: 1,
  name: 'nightly',
  description: '',
  status: 'active',
  concurrency: { policy: 'allow' },
  timeoutSeconds: 3600,
  schedule: null,
  nextFireAt: null,
  nodes: [
    { id: 11, name: 'backup', event: { id: 1 }, join: 'all', label: '', position: { x: 0, y: 0 } },
    {
      id: 12,
      name: 'upload',
      event: { id: 2 },
      join: 'all',
      input: { file: 'backup.archive' },
      label: '',
      position: { x: 0, y: 0 },
    },
    { id: 13, name: 'page', workflow: { id: 3 }, join: 'any', label: '', position: { x: 0, y: 0 } },
  ],
  edges: [
    { from: 'backup', to: 'upload', on: 'success' },
    { from: 'backup', to: 'page', on: 'failure' },
  ],
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
};

describe('the workflow graph in the editor', () => {
  it('reads a saved workflow and sends it back the same, with positions', () => {
    const draft = draftOf(saved);
    expect(draft.nodes.map((n) => n.id)).toEqual(['n11', 'n12', 'n13']);
    expect(draft.edges[0]).toEqual({ id: 'e1', from: 'n11', to: 'n12', on: 'success' });
    const body = bodyOf(draft) as { nodes: unknown[]; edges: unknown[] };
    expect(body.nodes).toEqual([
      { name: 'backup', event: { id: 1 }, join: 'all', position: { x: 0, y: 0 } },
      {
        name: 'upload',
        event: { id: 2 },
        join: 'all',
        input: { file: 'backup.archive' },
        position: { x: -120, y: 130 },
      },
      { name: 'page', workflow: { id: 3 }, join: 'any', position: { x: 120, y: 130 } },
    ]);
    expect(body.edges).toEqual(saved.edges);
  });

  it('places the API’s pointers on the node, the edge or the field they are about', () => {
    const draft = draftOf(saved);
    const placed = placeProblems(draft, [
      { pointer: '/body/nodes/1/event/id', message: 'no event 2 of the workflow’s owner' },
      { pointer: '/body/edges/1/on', message: 'page cannot set a condition' },
      { pointer: '/body/nodes/0/input/a~1b', message: 'x is not upstream' },
      { pointer: '/body/name', message: 'must not be empty' },
      { pointer: '/body', message: 'something else' },
    ]);
    expect(placed.at.n12).toEqual([
      { field: 'event/id', message: 'no event 2 of the workflow’s owner' },
    ]);
    expect(placed.at.e2).toEqual([{ field: 'on', message: 'page cannot set a condition' }]);
    expect(placed.at.n11).toEqual([{ field: 'input/a/b', message: 'x is not upstream' }]);
    expect(placed.fields).toEqual({ name: 'must not be empty' });
    expect(placed.list.map((p) => [p.where, p.target])).toEqual([
      ['Node upload', 'n12'],
      ['Edge backup → page', 'e2'],
      ['Node backup', 'n11'],
      ['Name', undefined],
      [undefined, undefined],
    ]);
  });

  it('names nodes after what they run, uniquely, within the API’s pattern', () => {
    expect(nodeNameFrom('Nightly report', [])).toBe('nightly_report');
    expect(nodeNameFrom('Nightly report', ['nightly_report'])).toBe('nightly_report_2');
    expect(nodeNameFrom('42 ÷ Ünïcode!', [])).toBe('unicode');
    expect(nodeNameFrom('***', [])).toBe('step');
    expect(nodeNameFrom('Input', [])).toBe('input_node');
  });

  it('finds what is upstream of a node', () => {
    const edges = [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'c' },
      { from: 'x', to: 'c' },
    ];
    expect([...upstreamOf('c', edges)].sort()).toEqual(['a', 'b', 'x']);
    expect(upstreamOf('a', edges).size).toBe(0);
  });
});
