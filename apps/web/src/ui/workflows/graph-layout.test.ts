import { layoutGraph, positionsOf } from './graph-layout.ts';

describe('where a graph is drawn', () => {
  it('lays out a graph drawn through the API (every node at 0,0) by depth', () => {
    const at = layoutGraph(
      ['a', 'b', 'c', 'd'],
      [
        { from: 'a', to: 'b' },
        { from: 'a', to: 'c' },
        { from: 'b', to: 'd' },
        { from: 'c', to: 'd' },
      ],
    );
    expect(at.get('a')!.y).toBe(0);
    expect(at.get('b')!.y).toBe(at.get('c')!.y);
    expect(at.get('b')!.x).not.toBe(at.get('c')!.x);
    expect(at.get('d')!.y).toBeGreaterThan(at.get('b')!.y);
    // An unsaved cycle does not hang the layout.
    expect(
      layoutGraph(
        ['a', 'b'],
        [
          { from: 'a', to: 'b' },
          { from: 'b', to: 'a' },
        ],
      ).size,
    ).toBe(2);
  });

  it('keeps the positions drawn, unless some node has none or two overlap', () => {
    const edges = [{ from: 'a', to: 'b' }];
    const drawn = positionsOf(
      [
        { name: 'a', position: { x: 5, y: 7 } },
        { name: 'b', position: { x: 300, y: 7 } },
      ],
      edges,
    );
    expect(drawn.get('b')).toEqual({ x: 300, y: 7 });
    const stacked = positionsOf(
      [
        { name: 'a', position: { x: 0, y: 0 } },
        { name: 'b', position: { x: 0, y: 0 } },
      ],
      edges,
    );
    expect(stacked.get('b')!.y).toBeGreaterThan(stacked.get('a')!.y);
    expect(positionsOf([{ name: 'a' }, { name: 'b', position: { x: 1, y: 1 } }], edges).size).toBe(
      2,
    );
  });
});
