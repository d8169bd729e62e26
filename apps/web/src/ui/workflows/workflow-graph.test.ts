import type { Workflow } from '../types.ts';
import {
  bodyOf,
  draftOf,
  emptyTarget,
  nodeNameFrom,
  placeProblems,
  targetRef,
  upstreamOf,
} from './workflow-graph.ts';

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

  it('keeps a tool node’s credential and params, every one, through a round trip', () => {
    const params = { body: '{"rows": {{ input.extract.rows }}}', contentType: 'application/json' };
    const withTool: Workflow = {
      ...saved,
      nodes: [
        saved.nodes[0]!,
        {
          id: 14,
          name: 'notify',
          tool: { credentialId: 5, params },
          join: 'any',
          input: { extract: 'backup' },
          label: '',
          position: { x: 0, y: 0 },
        },
      ],
      edges: [{ from: 'backup', to: 'notify', on: 'success' }],
    };
    const draft = draftOf(withTool);
    expect(draft.nodes[1]!.target).toEqual({ kind: 'tool', credentialId: 5, params });
    expect(targetRef(draft.nodes[1]!.target)).toEqual({ kind: 'tool', id: 5 });
    const body = bodyOf(draft) as { nodes: Record<string, unknown>[] };
    expect(body.nodes[1]).toEqual({
      name: 'notify',
      tool: { credentialId: 5, params },
      join: 'any',
      input: { extract: 'backup' },
      position: { x: 0, y: 130 },
    });
    expect(body.nodes[1]).not.toHaveProperty('event');

    // A tool node with no credential chosen yet sends neither `tool` nor anything else: the
    // API says the node does nothing, at the node.
    draft.nodes[1]!.target = emptyTarget('tool');
    expect((bodyOf(draft) as { nodes: Record<string, unknown>[] }).nodes[1]).not.toHaveProperty(
      'tool',
    );
    expect(emptyTarget('workflow')).toEqual({ kind: 'workflow', id: null });
  });

  it('places a pointer into a tool node’s params on that node, with the field', () => {
    const draft = draftOf(saved);
    draft.nodes[2]!.target = { kind: 'tool', credentialId: 5, params: { text: '{{ nope' } };
    const placed = placeProblems(draft, [
      { pointer: '/body/nodes/2/tool/params/text', message: 'unexpected end (line 1, column 8)' },
    ]);
    expect(placed.at.n13).toEqual([
      { field: 'tool/params/text', message: 'unexpected end (line 1, column 8)' },
    ]);
    expect(placed.list[0]).toMatchObject({ where: 'Node page', target: 'n13' });
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
