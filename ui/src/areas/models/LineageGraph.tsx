import type { LineageEdge, LineageGraph as Graph, LineageNode, LineageNodeType } from './models-api';

/** Left to right: where data came from, what trained on it, what it made, where that runs. */
const COLUMN: Record<LineageNodeType, number> = { dataset: 0, experiment: 0, run: 1, logged_model: 2, model_version: 3, deployment: 4 };
const TYPE_NAME: Record<LineageNodeType, string> = {
  dataset: 'Dataset',
  experiment: 'Experiment',
  run: 'Run',
  logged_model: 'Logged model',
  model_version: 'Model version',
  deployment: 'Deployment',
};
export const EDGE_NAME: Record<string, string> = {
  trained_on: 'trained on',
  produced: 'produced',
  registered_as: 'registered as',
  child_of: 'child of',
  part_of: 'part of',
  served_by: 'served by',
};

const W = 180;
const H = 46;
const GAP_X = 110;
const GAP_Y = 26;
const PAD = 12;
/** Room above and below the nodes for edges that pass a column by. */
const LANE = 26;

const short = (s: string, n = 24) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
export const typeName = (t: string) => TYPE_NAME[t as LineageNodeType] ?? t;
export const edgeName = (t: string) => EDGE_NAME[t] ?? t.replace(/_/g, ' ');

interface Placed {
  node: LineageNode;
  /** Index of the node's column, left to right. */
  col: number;
  x: number;
  y: number;
}

interface Layout {
  placed: Map<string, Placed>;
  width: number;
  height: number;
}

/**
 * How many `child_of` links lead up from each run to a run without a parent
 * in the graph: a parent's children are siblings one column to its right, not
 * a chain in one column that reads as each being the child of the one above.
 */
function runDepths(graph: Graph): Map<string, number> {
  const parent = new Map<string, string>();
  for (const e of graph.edges) if (e.type === 'child_of') parent.set(e.from, e.to);
  const depth = new Map<string, number>();
  const of = (id: string, seen: Set<string>): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const up = parent.get(id);
    // A cycle cannot come from MLflow's tags, but a bad tag must not hang the page.
    const d = up === undefined || seen.has(up) ? 0 : 1 + of(up, seen.add(id));
    depth.set(id, d);
    return d;
  };
  for (const n of graph.nodes) if (n.type === 'run') of(n.id, new Set());
  return depth;
}

function layout(graph: Graph): Layout {
  const depths = runDepths(graph);
  // Runs fan out by depth between their inputs' column and their outputs'.
  const columnOf = (n: LineageNode) => (COLUMN[n.type] ?? 2) + (n.type === 'run' ? (depths.get(n.id) ?? 0) / 1000 : 0);
  const used = [...new Set(graph.nodes.map(columnOf))].sort((a, b) => a - b);
  const columns = new Map<number, LineageNode[]>();
  for (const n of graph.nodes) {
    const c = used.indexOf(columnOf(n));
    columns.set(c, [...(columns.get(c) ?? []), n]);
  }
  const col = new Map<string, number>();
  for (const [c, nodes] of columns) for (const n of nodes) col.set(n.id, c);
  const skips = graph.edges.some((e) => Math.abs((col.get(e.from) ?? 0) - (col.get(e.to) ?? 0)) > 1);
  const lane = skips ? LANE : 0;
  const rows = Math.max(1, ...[...columns.values()].map((c) => c.length));
  const height = PAD * 2 + 2 * lane + rows * H + (rows - 1) * GAP_Y;
  const placed = new Map<string, Placed>();
  for (const [c, nodes] of columns) {
    // Each column centred vertically, so a lone version sits level with the runs that fed it.
    const top = (height - (nodes.length * H + (nodes.length - 1) * GAP_Y)) / 2;
    nodes.forEach((node, r) => placed.set(node.id, { node, col: c, x: PAD + c * (W + GAP_X), y: top + r * (H + GAP_Y) }));
  }
  return { placed, width: PAD * 2 + used.length * W + (used.length - 1) * GAP_X, height };
}

function EdgePath({ edge, layout: { placed, height }, index }: { edge: LineageEdge; layout: Layout; index: number }) {
  const a = placed.get(edge.from);
  const b = placed.get(edge.to);
  if (!a || !b) return null;
  if (Math.abs(a.col - b.col) > 1) return <LaneEdgePath edge={edge} a={a} b={b} height={height} />;
  // Leave from the side facing the other node, so backward edges (run → dataset) read the same way.
  const forward = b.x >= a.x;
  const x1 = a.x === b.x ? a.x + W / 2 : forward ? a.x + W : a.x;
  const x2 = a.x === b.x ? b.x + W / 2 : forward ? b.x : b.x + W;
  const y1 = a.y + (a.x === b.x ? (b.y > a.y ? H : 0) : H / 2);
  const y2 = b.y + (a.x === b.x ? (b.y > a.y ? 0 : H) : H / 2);
  const mx = (x1 + x2) / 2;
  const my = (y1 + y2) / 2;
  return (
    <g className="lineage-edge">
      <path d={`M ${x1} ${y1} C ${mx} ${y1}, ${mx} ${y2}, ${x2} ${y2}`} markerEnd="url(#lineage-arrow)" />
      <text x={mx} y={my - 4 + (index % 2) * 12} textAnchor="middle">
        {edgeName(edge.type)}
      </text>
    </g>
  );
}

/**
 * An edge past a column of nodes (a child run's experiment, beyond its
 * parent) runs along the lane above or below the nodes, on the side its
 * source leans to, so it never passes behind a node it does not touch.
 */
function LaneEdgePath({ edge, a, b, height }: { edge: LineageEdge; a: Placed; b: Placed; height: number }) {
  const dir = b.x > a.x ? 1 : -1;
  const x1 = dir > 0 ? a.x + W : a.x;
  const x2 = dir > 0 ? b.x : b.x + W;
  const y1 = a.y + H / 2;
  const y2 = b.y + H / 2;
  const above = y1 <= height / 2;
  const yl = above ? LANE / 2 + 4 : height - LANE / 2 - 4;
  const bend = GAP_X / 4;
  const d = [
    `M ${x1} ${y1}`,
    `C ${x1 + dir * bend} ${y1}, ${x1 + dir * bend} ${yl}, ${x1 + dir * 2 * bend} ${yl}`,
    `L ${x2 - dir * 2 * bend} ${yl}`,
    `C ${x2 - dir * bend} ${yl}, ${x2 - dir * bend} ${y2}, ${x2} ${y2}`,
  ].join(' ');
  return (
    <g className="lineage-edge">
      <path d={d} markerEnd="url(#lineage-arrow)" />
      <text x={x1 + dir * (2 * bend + 24)} y={above ? yl - 4 : yl + 12} textAnchor={dir > 0 ? 'start' : 'end'}>
        {edgeName(edge.type)}
      </text>
    </g>
  );
}

/** The graph drawn as inline SVG, one column per kind of node; the page offers the same edges as a table. */
export function LineageGraphSvg({ graph }: { graph: Graph }) {
  const shape = layout(graph);
  const { placed, width, height } = shape;
  const roots = new Set(graph.roots);
  const counts = Object.entries(
    graph.nodes.reduce<Record<string, number>>((acc, n) => ({ ...acc, [typeName(n.type).toLowerCase()]: (acc[typeName(n.type).toLowerCase()] ?? 0) + 1 }), {}),
  )
    .map(([t, n]) => `${n} ${t}${n === 1 ? '' : 's'}`)
    .join(', ');
  const label = `Lineage graph: ${counts}; ${graph.edges.length} link${graph.edges.length === 1 ? '' : 's'}: ${graph.edges
    .slice(0, 20)
    .map((e) => `${placed.get(e.from)?.node.label ?? e.from} ${edgeName(e.type)} ${placed.get(e.to)?.node.label ?? e.to}`)
    .join('; ')}.`;
  return (
    <div className="lineage-scroll">
      <svg className="lineage-svg" width={width} height={height} viewBox={`0 0 ${width} ${height}`} role="img" aria-label={label}>
        <defs>
          <marker id="lineage-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" className="lineage-arrowhead" />
          </marker>
        </defs>
        {graph.edges.map((e, i) => (
          <EdgePath key={`${e.from}-${e.to}-${e.type}`} edge={e} layout={shape} index={i} />
        ))}
        {[...placed.values()].map(({ node, x, y }) => (
          <g key={node.id} className={`lineage-node lineage-${node.type}${roots.has(node.id) ? ' lineage-root' : ''}`}>
            <title>{`${typeName(node.type)}: ${node.label}`}</title>
            <rect x={x} y={y} width={W} height={H} rx={6} />
            <text x={x + 10} y={y + 18} className="lineage-type">
              {typeName(node.type)}
            </text>
            <text x={x + 10} y={y + 36} className="lineage-label">
              {short(node.label)}
            </text>
          </g>
        ))}
      </svg>
    </div>
  );
}
