/** The runs table's geometry and columns: what its header and its rows share. */
import type { RunInfo } from '../../api';
import { formatTime } from '../../format';
import type { ColumnKind, MetricAggregate, RunTableRow } from './runs-table-api';

export const ROW_HEIGHT = 34;
export const KEY_WIDTH = 150;

/** MLflow's tags the fixed columns read: the commit a run was made from, and a child run's parent. */
export const GIT_COMMIT_TAG = 'mlflow.source.git.commit';
export const PARENT_RUN_TAG = 'mlflow.parentRunId';

/** Fixed columns, always drawn, with the MLflow order key each sorts by. */
export const FIXED: Array<{ id: string; header: string; width: number; sortKey?: string }> = [
  { id: 'select', header: 'Select', width: 64 },
  { id: 'name', header: 'Run', width: 200, sortKey: 'attributes.run_name' },
  { id: 'status', header: 'Status', width: 110, sortKey: 'attributes.status' },
  { id: 'user', header: 'User', width: 100, sortKey: 'attributes.user_id' },
  { id: 'commit', header: 'Git commit', width: 110, sortKey: `tags.\`${GIT_COMMIT_TAG}\`` },
  { id: 'start', header: 'Started', width: 200, sortKey: 'attributes.start_time' },
  { id: 'duration', header: 'Duration', width: 110 },
];
export const FIXED_WIDTH = FIXED.reduce((n, c) => n + c.width, 0);

/**
 * The table's geometry as class rules, not per-cell inline styles: an element
 * with an inline style misses the browser's matched-properties cache and is
 * styled from scratch (~30 µs a cell here), while cells sharing classes are
 * styled from the cache; that is most of a scrolled frame at a dozen new rows.
 * Cells flow left to right; the first key column drawn is pushed right by the
 * table's `--key-offset` (the key columns scrolled past).
 */
export const TABLE_CSS = [
  ...FIXED.map((c) => `.vtable .c-${c.id}{width:${c.width}px}`),
  `.vtable .vkey{width:${KEY_WIDTH}px}`,
  '.vtable .vkey.first{margin-left:var(--key-offset,0px)}',
  `.vtable .c-placeholder{margin-left:${FIXED[0]!.width}px;width:${FIXED_WIDTH - FIXED[0]!.width}px}`,
  `.vthead tr,.vtbody tr{height:${ROW_HEIGHT}px}`,
].join('\n');

/** Run attributes the picker offers beyond the fixed columns, with the order key of those MLflow sorts by. */
export const ATTRIBUTES: Array<{ key: keyof RunInfo; header: string; sortKey?: string }> = [
  { key: 'run_id', header: 'Run ID', sortKey: 'attributes.run_id' },
  { key: 'end_time', header: 'Ended', sortKey: 'attributes.end_time' },
  { key: 'artifact_uri', header: 'Artifact URI', sortKey: 'attributes.artifact_uri' },
  { key: 'lifecycle_stage', header: 'Lifecycle stage' },
];
export const ATTRIBUTE_COLUMNS = ATTRIBUTES.map((a) => `attributes.${a.key}`);

type PickedKind = ColumnKind | 'attributes';
const KIND_LABEL: Record<PickedKind, string> = { metrics: 'metric', params: 'param', tags: 'tag', attributes: 'attribute' };

/** A metric, param, tag or attribute column, from its id (`metrics.loss`, `metrics.loss@min`, `attributes.run_id`). */
export interface KeyColumn {
  id: string;
  kind: PickedKind;
  key: string;
  header: string;
  /** A metric's summary over its history; absent for its last value. */
  aggregate?: MetricAggregate;
  /** The MLflow order key, absent where the server cannot sort by it. */
  sortKey?: string;
}

/**
 * A metric column id's optional suffix, read from its LAST '@': `@min`,
 * `@max`, `@step=N`, or `@last` (the latest value, the default). Any other
 * text after an '@' belongs to the key, so `metrics.a@b` is key `a@b`; a key
 * that itself ends in such a suffix is written with `@last` appended.
 */
const SUFFIX = /^(last|min|max|step=(-?\d+))$/;

export function metricColumnId(key: string, aggregate?: MetricAggregate): string {
  if (aggregate) return `metrics.${key}@${aggregate.agg === 'step' ? `step=${aggregate.step}` : aggregate.agg}`;
  const at = key.lastIndexOf('@');
  return at >= 0 && SUFFIX.test(key.slice(at + 1)) ? `metrics.${key}@last` : `metrics.${key}`;
}

/** The key and summary a metric column id names (the rule at SUFFIX). */
export function parseMetricColumn(rest: string): { key: string; aggregate?: MetricAggregate } {
  const at = rest.lastIndexOf('@');
  const m = at >= 0 ? SUFFIX.exec(rest.slice(at + 1)) : null;
  if (!m) return { key: rest };
  const key = rest.slice(0, at);
  if (m[1] === 'last') return { key };
  if (m[2] !== undefined) return { key, aggregate: { key, agg: 'step', step: Number(m[2]) } };
  return { key, aggregate: { key, agg: m[1] as 'min' | 'max' } };
}

/** Where a run's answer holds an aggregate: the server's `key@min`, `key@step=N`. */
export function aggregateName(a: MetricAggregate): string {
  return `${a.key}@${a.agg === 'step' ? `step=${a.step}` : a.agg}`;
}

function aggregateLabel(a: MetricAggregate): string {
  return a.agg === 'step' ? `at step ${a.step}` : a.agg;
}

export function keyColumn(id: string): KeyColumn {
  const dot = id.indexOf('.');
  const kind = id.slice(0, dot) as PickedKind;
  const rest = id.slice(dot + 1);
  if (kind === 'attributes') {
    const a = ATTRIBUTES.find((x) => x.key === rest);
    return { id, kind, key: rest, header: `attribute: ${a?.header ?? rest}`, sortKey: a?.sortKey };
  }
  if (kind === 'metrics') {
    const { key, aggregate } = parseMetricColumn(rest);
    return aggregate
      ? { id, kind, key, aggregate, header: `metric: ${key} (${aggregateLabel(aggregate)})` }
      : { id, kind, key, header: `metric: ${key}`, sortKey: `metrics.\`${key}\`` };
  }
  return { id, kind, key: rest, header: `${KIND_LABEL[kind] ?? kind}: ${rest}`, sortKey: `${kind}.\`${rest}\`` };
}

/** What a key column shows for one run. */
export function cellValue(c: KeyColumn, run: RunTableRow): unknown {
  if (c.kind === 'attributes') return c.key === 'end_time' ? formatTime(run.info.end_time) : run.info[c.key as keyof RunInfo];
  if (c.aggregate) return run.metric_aggregates?.[aggregateName(c.aggregate)];
  return run[c.kind]?.[c.key];
}

/** The order key a column sorts by: fixed columns' attributes, or ``metrics.`loss` `` (backticks let keys hold dots, spaces and dashes); none for summaries. */
export function orderKey(columnId: string): string | undefined {
  const fixed = FIXED.find((c) => c.id === columnId);
  if (fixed) return fixed.sortKey;
  return keyColumn(columnId).sortKey;
}

export function parseOrder(order?: string): { key: string; desc: boolean } | undefined {
  const m = /^(.*)\s+(ASC|DESC)$/i.exec(order ?? '');
  return m ? { key: m[1]!, desc: m[2]!.toUpperCase() === 'DESC' } : undefined;
}
