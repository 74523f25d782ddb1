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

const short = (s: string, n = 24) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
export const typeName = (t: string) => TYPE_NAME[t as LineageNodeType] ?? t;
export const edgeName = (t: string) => EDGE_NAME[t] ?? t.replace(/_/g, ' ');

interface Placed {
  node: LineageNode;
  x: number;
  y: number;
}

function layout(graph: Graph): { placed: Map<string, Placed>; width: number; height: number } {
  const used = [...new Set(graph.nodes.map((n) => COLUMN[n.type] ?? 2))].sort((a, b) => a - b);
  const columns = new Map<number, LineageNode[]>();
  for (const n of graph.nodes) {
    const c = used.indexOf(COLUMN[n.type] ?? 2);
    columns.set(c, [...(columns.get(c) ?? []), n]);
  }
  const rows = Math.max(1, ...[...columns.values()].map((c) => c.length));
  const height = PAD * 2 + rows * H + (rows - 1) * GAP_Y;
  const placed = new Map<string, Placed>();
  for (const [c, nodes] of columns) {
    // Each column centred vertically, so a lone version sits level with the runs that fed it.
    const top = (height - (nodes.length * H + (nodes.length - 1) * GAP_Y)) / 2;
    nodes.forEach((node, r) => placed.set(node.id, { node, x: PAD + c * (W + GAP_X), y: top + r * (H + GAP_Y) }));
  }
  return { placed, width: PAD * 2 + used.length * W + (used.length - 1) * GAP_X, height };
}

function EdgePath({ edge, placed, index }: { edge: LineageEdge; placed: Map<string, Placed>; index: number }) {
  const a = placed.get(edge.from);
  const b = placed.get(edge.to);
  if (!a || !b) return null;
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

/** The graph drawn as inline SVG, one column per kind of node; the page offers the same edges as a table. */
export function LineageGraphSvg({ graph }: { graph: Graph }) {
  const { placed, width, height } = layout(graph);
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
          <EdgePath key={`${e.from}-${e.to}-${e.type}`} edge={e} placed={placed} index={i} />
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
