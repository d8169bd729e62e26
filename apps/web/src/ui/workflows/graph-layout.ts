// Where a graph's nodes are drawn: as saved, or laid out in layers by depth when the graph
// was made without the canvas.
export interface Position {
  x: number;
  y: number;
}

const NODE_WIDTH = 200;
const LAYER_HEIGHT = 130;

/**
 * Positions in layers by depth (a root on top, each node one layer below its deepest parent),
 * for graphs drawn without the canvas (made through the API, where every node is at 0,0).
 */
export function layoutGraph(
  names: string[],
  edges: { from: string; to: string }[],
): Map<string, Position> {
  const parents = new Map<string, string[]>(names.map((n) => [n, []]));
  for (const e of edges) parents.get(e.to)?.push(e.from);
  const depth = new Map<string, number>();
  const visiting = new Set<string>();
  const depthOf = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    if (visiting.has(name)) return 0; // a cycle (an unsaved graph): cut it here
    visiting.add(name);
    const d = Math.max(-1, ...(parents.get(name) ?? []).map(depthOf)) + 1;
    visiting.delete(name);
    depth.set(name, d);
    return d;
  };
  const layers: string[][] = [];
  for (const name of names) (layers[depthOf(name)] ??= []).push(name);
  const out = new Map<string, Position>();
  layers.forEach((layer, d) =>
    layer.forEach((name, i) =>
      out.set(name, {
        x: Math.round((i - (layer.length - 1) / 2) * (NODE_WIDTH + 40)),
        y: d * LAYER_HEIGHT,
      }),
    ),
  );
  return out;
}

/** Whether two nodes are at the same place (the graph was not drawn: lay it out). */
export function overlaps(positions: Position[]): boolean {
  const seen = new Set<string>();
  for (const p of positions) {
    const key = `${Math.round(p.x)},${Math.round(p.y)}`;
    if (seen.has(key)) return true;
    seen.add(key);
  }
  return false;
}

/**
 * Positions of a graph's nodes by name: as drawn, or all laid out when some have none or two
 * overlap.
 */
export function positionsOf(
  nodes: { name: string; position?: Position | null }[],
  edges: { from: string; to: string }[],
): Map<string, Position> {
  if (nodes.every((n) => n.position) && !overlaps(nodes.map((n) => n.position!)))
    return new Map(nodes.map((n) => [n.name, n.position!]));
  return layoutGraph(
    nodes.map((n) => n.name),
    edges,
  );
}
