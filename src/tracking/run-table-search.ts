/**
 * One window of the runs table: the runs at `offset … offset + limit` of an
 * MLflow run search, with only the chosen metric, param and tag columns, and
 * how many runs match in all, so a table can size its scroller for every row
 * and fetch just the windows on screen. Filter and order are run-search.ts's.
 */
import { sql, type Selectable } from 'kysely';
import type { Database } from '../backends/database/database.js';
import type { RunsTable } from '../backends/database/database-schema.js';
import { idList } from '../backends/database/id-list.js';
import { encodeDouble, runInfoJson, type Json } from './mlflow-json.js';
import type { RunOrderCache, RunOrderQuery } from './run-order-cache.js';
import { buildRunSearchQuery, searchRunIds } from './run-search.js';
import { toInfo } from './run-store.js';
import { createPageToken } from './search-filter.js';
import type { ViewType } from './tracking-types.js';

export const RUN_TABLE_KINDS = ['metrics', 'params', 'tags'] as const;
export type RunTableKind = (typeof RUN_TABLE_KINDS)[number];

/** The keys to return per run, by kind; a kind left out returns none. */
export type RunTableColumns = Record<RunTableKind, string[]>;

export interface RunTableSearchInput {
  experimentIds: string[];
  filter?: string;
  orderBy: string[];
  viewType: ViewType;
  offset: number;
  limit: number;
  columns: RunTableColumns;
}

export interface RunTableRow {
  info: Json;
  metrics: Record<string, number | string>;
  params: Record<string, string>;
  tags: Record<string, string>;
}

export interface RunTableAnswer {
  /** Runs matching the filter, over every page. */
  total: number;
  offset: number;
  runs: RunTableRow[];
}

function infoJson(r: Selectable<RunsTable>): Json {
  return runInfoJson(toInfo(r));
}

/** How many runs the search matches: the same query without order, limit and offset. */
export async function countRuns(database: Database, input: RunTableSearchInput): Promise<number> {
  if (input.experimentIds.length === 0) return 0;
  const { query } = buildRunSearchQuery(database, { ...input, orderBy: [], maxResults: 1 });
  const row = await query
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

/** Default-order windows this near the top come straight from the runs index, cheaper than listing every run. */
const DIRECT_OFFSET = 1000;

/** The window's run ids in order and the total: from the cache's whole list where it helps, else one query each. */
async function windowIds(database: Database, input: RunTableSearchInput, cache?: RunOrderCache): Promise<{ runIds: string[]; total: number }> {
  const order: RunOrderQuery = { experimentIds: input.experimentIds, filter: input.filter, orderBy: input.orderBy, viewType: input.viewType };
  const direct = input.orderBy.length === 0 && input.offset < DIRECT_OFFSET;
  const all = (await cache?.get(order)) ?? (direct ? undefined : await cache?.load(order));
  if (all) return { runIds: all.slice(input.offset, input.offset + input.limit), total: all.length };
  const [page, total] = await Promise.all([
    searchRunIds(database, { ...order, maxResults: input.limit, pageToken: input.offset > 0 ? createPageToken(input.offset) : undefined }),
    countRuns(database, input),
  ]);
  return { runIds: page.runIds, total };
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
  const [infos, metrics, params, tags] = await Promise.all([
    database.db.selectFrom('runs').selectAll().where('run_uuid', 'in', idList(database.dialect, runIds)).execute(),
    projected(database, 'metrics', runIds, input.columns.metrics),
    projected(database, 'params', runIds, input.columns.params),
    projected(database, 'tags', runIds, input.columns.tags),
  ]);
  const byId = new Map(infos.map((r) => [r.run_uuid, r]));
  const runs: RunTableRow[] = [];
  for (const id of runIds) {
    const row = byId.get(id);
    // A run purged between the two queries is simply left out of the window.
    if (!row) continue;
    runs.push({
      info: infoJson(row),
      metrics: metrics.get(id) ?? {},
      params: (params.get(id) ?? {}) as Record<string, string>,
      tags: (tags.get(id) ?? {}) as Record<string, string>,
    });
  }
  return { total, offset: input.offset, runs };
}
