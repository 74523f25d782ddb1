/** Renders a lineage graph as an indented tree with box-drawing characters, for `ferry lineage`. */
import type { LineageEdge, LineageEdgeType, LineageGraph, LineageNode } from '../registry/lineage-types.js';
import { formatNumber, formatTime } from './table.js';

/** How a child reads from its parent: along the edge (`forward`) or against it. */
const PHRASES: Record<LineageEdgeType, { forward: string; backward: string }> = {
  trained_on: { forward: 'trained on', backward: 'used by' },
  produced: { forward: 'produced', backward: 'produced by' },
  registered_as: { forward: 'registered as', backward: 'registered from' },
  child_of: { forward: 'child of', backward: 'parent of' },
  part_of: { forward: 'in', backward: 'contains' },
  served_by: { forward: 'served by', backward: 'serves' },
};

/** Upstream first (where it came from), then downstream (what came of it). */
const ORDER = [
  'registered_as<',
  'produced<',
  'trained_on>',
  'child_of>',
  'produced>',
  'registered_as>',
  'served_by>',
  'served_by<',
  'child_of<',
  'trained_on<',
  'part_of<',
];

const MAX_LISTED = 12;

interface Link {
  edge: LineageEdge;
  other: string;
  forward: boolean;
}

const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const shortId = (id: unknown) => String(id ?? '').slice(0, 8);

function value(v: unknown): string {
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

/** `a=1, b=2, … (+3 more)`, sorted by key. */
function keyValues(record: Record<string, unknown>): string {
  const entries = Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const shown = entries.slice(0, MAX_LISTED).map(([k, v]) => `${k}=${value(v)}`);
  return shown.join(', ') + (entries.length > MAX_LISTED ? `, … (+${entries.length - MAX_LISTED} more)` : '');
}

/** One node on one line: its kind, label and the facts that identify it. */
export function describeNode(node: LineageNode): string {
  const a = node.attributes;
  switch (node.type) {
    case 'model_version': {
      const aliases = Array.isArray(a.aliases) && a.aliases.length > 0 ? ` @${a.aliases.join(' @')}` : '';
      const stage = a.currentStage && a.currentStage !== 'None' ? ` · ${String(a.currentStage)}` : '';
      return `model version ${node.label}${aliases}${stage} · ${String(a.status ?? '')}`.replace(/ · $/, '');
    }
    case 'run':
      if (a.missing === true) return `run ${node.label} (no longer exists)`;
      return `run ${node.label} (${shortId(a.runId)}) · ${String(a.status ?? '')}${a.lifecycleStage === 'deleted' ? ' · deleted' : ''}`;
    case 'dataset':
      return `dataset ${String(a.name ?? node.label)} (digest ${String(a.digest ?? '')})`;
    case 'logged_model':
      return `logged model ${node.label} (${String(a.modelId ?? '')})`;
    case 'experiment':
      return `experiment ${node.label} (${String(a.experimentId ?? '')})`;
    case 'deployment':
      return `deployment ${node.label}`;
    default:
      return `${String(node.type)} ${node.label}`;
  }
}

/** The facts a node prints beneath itself: a run's params, metrics and code version; a dataset's source. */
export function detailLines(node: LineageNode, experiments: Map<string, LineageNode>): string[] {
  const a = node.attributes;
  const out: string[] = [];
  if (node.type === 'run' && a.missing !== true) {
    const experiment = experiments.get(String(a.experimentId));
    if (experiment) out.push(`experiment: ${experiment.label} (${String(a.experimentId)})`);
    const params = obj(a.params);
    const metrics = obj(a.metrics);
    out.push(`params: ${Object.keys(params).length > 0 ? keyValues(params) : '(none)'}`);
    out.push(`metrics: ${Object.keys(metrics).length > 0 ? keyValues(metrics) : '(none)'}`);
    const code = obj(a.codeVersion);
    if (typeof code.gitCommit === 'string') {
      const facts = [typeof code.gitBranch === 'string' ? `branch ${code.gitBranch}` : '', code.gitDirty === true ? 'dirty' : code.gitDirty === false ? 'clean' : '']
        .filter(Boolean)
        .join(', ');
      out.push(`code: git ${code.gitCommit.slice(0, 12)}${facts ? ` (${facts})` : ''}`);
    } else if (typeof code.sourceName === 'string') {
      out.push(`code: ${code.sourceName} (no git commit recorded)`);
    }
    if (a.startTime) out.push(`started: ${formatTime(Number(a.startTime))}${a.userId ? ` by ${String(a.userId)}` : ''}`);
  } else if (node.type === 'dataset') {
    if (a.source) out.push(`source: ${String(a.sourceType ?? '')} ${String(a.source)}`.trim());
  } else if (node.type === 'model_version') {
    if (a.source) out.push(`source: ${String(a.source)}`);
    if (a.creationTimestamp) out.push(`created: ${formatTime(Number(a.creationTimestamp))}${a.userId ? ` by ${String(a.userId)}` : ''}`);
  } else if (node.type === 'logged_model') {
    if (a.artifactUri) out.push(`artifacts: ${String(a.artifactUri)}`);
  }
  return out;
}

/**
 * The graph as one tree per root. A node reached a second time is named
 * again but not expanded; experiments show as a run's detail line.
 *
 * @example
 * model version fraud v2 @champion · READY
 * ├── source: runs:/3f2a…/model
 * └── registered from run baseline (3f2a1b9c) · FINISHED
 *     ├── params: lr=0.01
 *     └── trained on dataset train (digest a1b2c3) [training]
 */
export function formatLineageTree(graph: LineageGraph): string {
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const experiments = new Map(graph.nodes.filter((n) => n.type === 'experiment').map((n) => [String(n.attributes.experimentId), n]));
  const links = new Map<string, Link[]>();
  const link = (at: string, l: Link) => links.set(at, [...(links.get(at) ?? []), l]);
  for (const edge of graph.edges) {
    if (edge.type === 'part_of') continue;
    link(edge.from, { edge, other: edge.to, forward: true });
    link(edge.to, { edge, other: edge.from, forward: false });
  }
  const rank = (l: Link) => {
    const i = ORDER.indexOf(`${l.edge.type}${l.forward ? '>' : '<'}`);
    return i < 0 ? ORDER.length : i;
  };
  const expanded = new Set<string>();
  const lines: string[] = [];

  const walk = (id: string, prefix: string, via: string | undefined) => {
    expanded.add(id);
    const node = nodes.get(id)!;
    const children = (links.get(id) ?? [])
      .filter((l) => l.other !== via && nodes.has(l.other))
      .sort((x, y) => rank(x) - rank(y) || (nodes.get(x.other)!.label < nodes.get(y.other)!.label ? -1 : 1));
    const details = detailLines(node, experiments);
    const total = details.length + children.length;
    details.forEach((d, i) => lines.push(`${prefix}${i === total - 1 ? '└── ' : '├── '}${d}`));
    children.forEach((l, j) => {
      const last = details.length + j === total - 1;
      const other = nodes.get(l.other)!;
      const phrase = l.forward ? PHRASES[l.edge.type]?.forward : PHRASES[l.edge.type]?.backward;
      const context = l.edge.attributes?.context ? ` [${String(l.edge.attributes.context)}]` : '';
      const seen = expanded.has(l.other);
      lines.push(`${prefix}${last ? '└── ' : '├── '}${phrase ?? l.edge.type} ${describeNode(other)}${context}${seen ? ' (see above)' : ''}`);
      if (!seen) walk(l.other, prefix + (last ? '    ' : '│   '), id);
    });
  };

  for (const root of graph.roots) {
    if (!nodes.has(root)) continue;
    if (lines.length > 0) lines.push('');
    lines.push(describeNode(nodes.get(root)!));
    walk(root, '', undefined);
  }
  if (graph.truncated) lines.push('', '(the graph was cut short: use --json, or ask about a single run or version)');
  return lines.join('\n');
}
