/**
 * One window of the runs table: the runs at `offset … offset + limit` of an
 * MLflow run search, with only the chosen metric, param and tag columns, and
 * how many runs match in all, so a table can size its scroller for every row
 * and fetch just the windows on screen. Filter and order are run-search.ts's.
 */
import { sql, type SqlBool } from 'kysely';
import type { Database } from '../backends/database/database.js';
import { idList } from '../backends/database/id-list.js';
import { encodeDouble, runInfoJson, type Json } from './mlflow-json.js';
import type { RunOrderCache, RunOrderQuery } from './run-order-cache.js';
import { buildRunSearchQuery, searchRunIds } from './run-search.js';
import { toInfo } from './run-store.js';
import { createPageToken } from './search-filter.js';
import type { ViewType } from './tracking-types.js';

export const RUN_TABLE_KINDS = ['metrics', 'params', 'tags'] as const;
export type RunTableKind = (typeof RUN_TABLE_KINDS)[number];

/** A metric summarised over its history: min or max of its numeric points, or its value at one step. */
export type MetricAggregate = { key: string; agg: 'min' | 'max' } | { key: string; agg: 'step'; step: number };

/** The keys to return per run, by kind; a kind left out returns none. */
export type RunTableColumns = Record<RunTableKind, string[]> & { metricAggregates?: MetricAggregate[] };

/** MLflow's tag on a child run naming its parent run. */
export const PARENT_RUN_TAG = 'mlflow.parentRunId';

/** Which runs of a search a window lists: all, only top-level runs, or one run's children. */
export type RunNesting = { rootsOnly: true } | { parentRunId: string };

/**
 * Where `metric_aggregates` answers an aggregate: `key@min`, `key@max`, `key@step=N`.
 * Read from the last '@', so keys holding '@' stay unambiguous.
 */
export function aggregateName(a: MetricAggregate): string {
  return `${a.key}@${a.agg === 'step' ? `step=${a.step}` : a.agg}`;
}

export interface RunTableSearchInput {
  experimentIds: string[];
  filter?: string;
  orderBy: string[];
  viewType: ViewType;
  offset: number;
  limit: number;
  columns: RunTableColumns;
  nesting?: RunNesting;
}

export interface RunTableRow {
  info: Json;
  metrics: Record<string, number | string>;
  params: Record<string, string>;
  tags: Record<string, string>;
  /** Only when aggregates were asked for: `{ "loss@min": 0.1 }` (see aggregateName). */
  metric_aggregates?: Record<string, number | string>;
  /** Only with roots_only: runs of the same search whose parent is this run. */
  child_count?: number;
}

export interface RunTableAnswer {
  /** Runs matching the filter, over every page. */
  total: number;
  offset: number;
  runs: RunTableRow[];
}

type SearchQuery = ReturnType<typeof buildRunSearchQuery>['query'];

/** Narrows a run search (whose runs table is `r`) to top-level runs or to one run's children, by the parent tag. */
export function scopeToNesting(query: SearchQuery, nesting?: RunNesting): SearchQuery {
  if (!nesting) return query;
  const parent =
    'parentRunId' in nesting
      ? sql<SqlBool>`exists (select 1 from tags pt where pt.run_uuid = r.run_uuid and pt.key = ${PARENT_RUN_TAG} and pt.value = ${nesting.parentRunId})`
      : sql<SqlBool>`not exists (select 1 from tags pt where pt.run_uuid = r.run_uuid and pt.key = ${PARENT_RUN_TAG})`;
  return query.where(parent);
}

/** How many runs the search matches: the same query without order, limit and offset. */
export async function countRuns(database: Database, input: RunTableSearchInput): Promise<number> {
  if (input.experimentIds.length === 0) return 0;
  const { query } = buildRunSearchQuery(database, { ...input, orderBy: [], maxResults: 1 });
  const row = await scopeToNesting(query, input.nesting)
    .clearSelect()
    .clearOrderBy()
    .clearLimit()
    .clearOffset()
    .select(sql<number>`count(*)`.as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** `{ run id → { key → value } }` for the chosen keys of one kind; null-prototype maps, so a key such as `__proto__` is data. */
async function projected(database: Database, kind: RunTableKind, runIds: string[], keys: string[]): Promise<Map<string, Record<string, number | string>>> {
  const out = new Map<string, Record<string, number | string>>();
  if (keys.length === 0) return out;
  const { db, dialect } = database;
  const runs = idList(dialect, runIds);
  const wanted = idList(dialect, keys);
  const rows =
    kind === 'metrics'
      ? (await db.selectFrom('latest_metrics').select(['run_uuid', 'key', 'value', 'is_nan']).where('run_uuid', 'in', runs).where('key', 'in', wanted).execute()).map(
          (m) => ({ run_uuid: m.run_uuid, key: m.key, value: encodeDouble(m.is_nan ? NaN : m.value) }),
        )
      : await db
          .selectFrom(kind === 'params' ? 'params' : 'tags')
          .select(['run_uuid', 'key', 'value'])
          .where('run_uuid', 'in', runs)
          .where('key', 'in', wanted)
          .execute();
  for (const r of rows) {
    let values = out.get(r.run_uuid);
    if (!values) out.set(r.run_uuid, (values = Object.create(null) as Record<string, number | string>));
    values[r.key] = r.value;
  }
  return out;
}

function valuesOf(out: Map<string, Record<string, number | string>>, runId: string): Record<string, number | string> {
  let values = out.get(runId);
  if (!values) out.set(runId, (values = Object.create(null) as Record<string, number | string>));
  return values;
}

/**
 * `{ run id → { "key@agg" → value } }` over the window's runs only. Min and
 * max skip NaN points (they are no numbers); the value at a step is the
 * point logged last there, then the largest, as MLflow picks a latest metric.
 */
async function aggregated(database: Database, runIds: string[], aggregates: MetricAggregate[]): Promise<Map<string, Record<string, number | string>>> {
  const out = new Map<string, Record<string, number | string>>();
  if (aggregates.length === 0) return out;
  const { db, dialect } = database;
  const runs = idList(dialect, runIds);
  const extremes = aggregates.filter((a) => a.agg !== 'step');
  const byStep = new Map<number, MetricAggregate[]>();
  for (const a of aggregates) if (a.agg === 'step') byStep.set(a.step, [...(byStep.get(a.step) ?? []), a]);
  const grouped = extremes.length
    ? db
        .selectFrom('metrics')
        .select((eb) => ['run_uuid', 'key', eb.fn.min('value').as('lo'), eb.fn.max('value').as('hi')])
        .where('run_uuid', 'in', runs)
        .where('key', 'in', idList(dialect, [...new Set(extremes.map((a) => a.key))]))
        .where('is_nan', '=', 0)
        .groupBy(['run_uuid', 'key'])
        .execute()
    : Promise.resolve([]);
  const stepped = [...byStep].map(([step, list]) =>
    db
      .selectFrom('metrics')
      .select(['run_uuid', 'key', 'value', 'is_nan', 'timestamp'])
      .where('run_uuid', 'in', runs)
      .where('key', 'in', idList(dialect, [...new Set(list.map((a) => a.key))]))
      .where('step', '=', step)
      .execute()
      .then((rows) => ({ step, rows })),
  );
  const [extremeRows, stepRows] = await Promise.all([grouped, Promise.all(stepped)]);
  const wanted = new Set(extremes.map(aggregateName));
  for (const r of extremeRows) {
    const values = valuesOf(out, r.run_uuid);
    for (const [agg, v] of [['min', r.lo], ['max', r.hi]] as const) {
      const name = aggregateName({ key: r.key, agg });
      if (wanted.has(name)) values[name] = encodeDouble(Number(v));
    }
  }
  for (const { step, rows } of stepRows) {
    const best = new Map<string, (typeof rows)[number]>();
    for (const r of rows) {
      const id = `${r.run_uuid}\u0000${r.key}`;
      const b = best.get(id);
      const value = (x: typeof r) => (x.is_nan ? -Infinity : Number(x.value));
      if (!b || Number(r.timestamp) > Number(b.timestamp) || (Number(r.timestamp) === Number(b.timestamp) && value(r) > value(b))) best.set(id, r);
    }
    for (const r of best.values()) valuesOf(out, r.run_uuid)[aggregateName({ key: r.key, agg: 'step', step })] = encodeDouble(r.is_nan ? NaN : Number(r.value));
  }
  return out;
}

/** `{ run id → children }`: runs of the same search (any order) whose parent tag names a run of the window. */
async function childCounts(database: Database, input: RunTableSearchInput, runIds: string[]): Promise<Map<string, number>> {
  const { query } = buildRunSearchQuery(database, { ...input, orderBy: [], maxResults: 1 });
  const matching = query.clearSelect().clearOrderBy().clearLimit().clearOffset().select('r.run_uuid');
  // Starts from the tags (key, value) index: only the window's ids are looked up as parents.
  const rows = await database.db
    .selectFrom('tags as ct')
    .select((eb) => ['ct.value', eb.fn.countAll<number>().as('n')])
    .where('ct.key', '=', PARENT_RUN_TAG)
    .where('ct.value', 'in', idList(database.dialect, runIds))
    .where(sql<SqlBool>`ct.run_uuid in (${matching})`)
    .groupBy('ct.value')
    .execute();
  return new Map(rows.map((r) => [r.value, Number(r.n)]));
}

/** Default-order windows this near the top come straight from the runs index, cheaper than listing every run. */
const DIRECT_OFFSET = 1000;

/** One window of run ids in search order, straight from the database. */
async function pageIds(database: Database, input: RunTableSearchInput): Promise<string[]> {
  if (!input.nesting) {
    const page = await searchRunIds(database, { ...input, maxResults: input.limit, pageToken: input.offset > 0 ? createPageToken(input.offset) : undefined });
    return page.runIds;
  }
  if (input.experimentIds.length === 0) return [];
  const { query } = buildRunSearchQuery(database, { ...input, maxResults: input.limit });
  const rows = await scopeToNesting(query, input.nesting).limit(input.limit).offset(input.offset).execute();
  return rows.map((r) => r.run_uuid);
}

/** The window's run ids in order and the total: from the cache's whole list where it helps, else one query each. */
async function windowIds(database: Database, input: RunTableSearchInput, cache?: RunOrderCache): Promise<{ runIds: string[]; total: number }> {
  const order: RunOrderQuery = { experimentIds: input.experimentIds, filter: input.filter, orderBy: input.orderBy, viewType: input.viewType, nesting: input.nesting };
  const direct = input.orderBy.length === 0 && input.offset < DIRECT_OFFSET;
  const all = (await cache?.get(order)) ?? (direct ? undefined : await cache?.load(order));
  if (all) return { runIds: all.slice(input.offset, input.offset + input.limit), total: all.length };
  const [page, total] = await Promise.all([pageIds(database, input), countRuns(database, input)]);
  return { runIds: page, total };
}

/**
 * One window of runs in search order, with the chosen columns only, and the
 * total count of matches. With a cache, deep windows and costly orders slice
 * a kept list of every matching run id instead of sorting again.
 * @throws InvalidArgumentError for a bad filter, order_by or experiment ID.
 */
export async function searchRunTable(database: Database, input: RunTableSearchInput, cache?: RunOrderCache): Promise<RunTableAnswer> {
  const { runIds, total } = await windowIds(database, input, cache);
  if (runIds.length === 0) return { total, offset: input.offset, runs: [] };
  const aggregates = input.columns.metricAggregates ?? [];
  const rootsOnly = input.nesting !== undefined && 'rootsOnly' in input.nesting;
  const [infos, metrics, params, tags, summaries, children] = await Promise.all([
    database.db.selectFrom('runs').selectAll().where('run_uuid', 'in', idList(database.dialect, runIds)).execute(),
    projected(database, 'metrics', runIds, input.columns.metrics),
    projected(database, 'params', runIds, input.columns.params),
    projected(database, 'tags', runIds, input.columns.tags),
    aggregated(database, runIds, aggregates),
    rootsOnly ? childCounts(database, input, runIds) : undefined,
  ]);
  const byId = new Map(infos.map((r) => [r.run_uuid, r]));
  const runs: RunTableRow[] = [];
  for (const id of runIds) {
    const row = byId.get(id);
    // A run purged between the two queries is simply left out of the window.
    if (!row) continue;
    runs.push({
      info: runInfoJson(toInfo(row)),
      metrics: metrics.get(id) ?? {},
      params: (params.get(id) ?? {}) as Record<string, string>,
      tags: (tags.get(id) ?? {}) as Record<string, string>,
      ...(aggregates.length ? { metric_aggregates: summaries.get(id) ?? {} } : {}),
      ...(children ? { child_count: children.get(id) ?? 0 } : {}),
    });
  }
  return { total, offset: input.offset, runs };
}
