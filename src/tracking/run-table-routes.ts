import type { FastifyInstance } from 'fastify';
import type { Database } from '../backends/database/database.js';
import { InvalidArgumentError } from '../errors.js';
import { viewType, type Json } from './mlflow-json.js';
import { RunOrderCache } from './run-order-cache.js';
import { RUN_TABLE_KINDS, searchRunTable, type MetricAggregate, type RunNesting, type RunTableColumns, type RunTableSearchInput } from './run-table-search.js';

export const RUN_TABLE_SEARCH_PATH = '/api/ferry/v1/runs/search';
export const DEFAULT_RUN_TABLE_LIMIT = 100;
export const MAX_RUN_TABLE_LIMIT = 1000;
/** Chosen keys over all kinds: a wide table, still a bounded answer (limit × columns values). */
export const MAX_RUN_TABLE_COLUMNS = 2000;
export const MAX_RUN_TABLE_EXPERIMENTS = 100;

const FIELDS = new Set(['experiment_ids', 'filter', 'order_by', 'offset', 'limit', 'columns', 'run_view_type', 'roots_only', 'parent_run_id']);
const COLUMN_FIELDS = [...RUN_TABLE_KINDS, 'metric_aggregates'];
const AGGREGATES = ['min', 'max', 'step'];

function bad(message: string): never {
  throw new InvalidArgumentError(message);
}

function stringArray(v: unknown, name: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) bad(`'${name}' must be a list of strings.`);
  return v as string[];
}

function integerIn(v: unknown, name: string, min: number, max: number, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(`'${name}' must be an integer from ${min} to ${max}, got ${JSON.stringify(v)?.slice(0, 40)}.`);
  return v;
}

function parseAggregates(v: unknown): MetricAggregate[] {
  if (v === undefined || v === null) return [];
  const name = 'columns.metric_aggregates';
  if (!Array.isArray(v)) bad(`'${name}' must be a list such as [{"key": "loss", "agg": "min"}, {"key": "loss", "agg": "step", "step": 100}].`);
  const out = new Map<string, MetricAggregate>();
  v.forEach((item: unknown, i) => {
    const at = `${name}[${i}]`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) bad(`'${at}' must be an object with 'key' and 'agg'.`);
    const a = item as Json;
    for (const f of Object.keys(a)) if (!['key', 'agg', 'step'].includes(f)) bad(`Unknown field '${at}.${f}': use key, agg, step.`);
    if (typeof a.key !== 'string' || a.key.includes('\u0000')) bad(`'${at}.key' must be a metric key (a string without NUL).`);
    if (typeof a.agg !== 'string' || !AGGREGATES.includes(a.agg)) bad(`'${at}.agg' must be one of ${AGGREGATES.join(', ')}.`);
    if (a.agg !== 'step') {
      if (a.step !== undefined) bad(`'${at}.step' is only for agg 'step'.`);
      out.set(`${a.key}@${a.agg}`, { key: a.key, agg: a.agg as 'min' | 'max' });
      return;
    }
    if (typeof a.step !== 'number' || !Number.isSafeInteger(a.step)) bad(`'${at}.step' must be an integer step for agg 'step'.`);
    out.set(`${a.key}@step=${a.step}`, { key: a.key, agg: 'step', step: a.step });
  });
  return [...out.values()];
}

function parseNesting(b: Json): RunNesting | undefined {
  if (b.roots_only !== undefined && b.roots_only !== null && typeof b.roots_only !== 'boolean') bad(`'roots_only' must be true or false.`);
  const parent = b.parent_run_id;
  if (parent !== undefined && parent !== null && (typeof parent !== 'string' || parent === '' || parent.includes('\u0000'))) bad(`'parent_run_id' must be a run ID (a non-empty string).`);
  if (b.roots_only === true && typeof parent === 'string') bad(`Send either 'roots_only' or 'parent_run_id', not both: a parent's children are not top-level runs.`);
  if (typeof parent === 'string') return { parentRunId: parent };
  return b.roots_only === true ? { rootsOnly: true } : undefined;
}

function parseColumns(v: unknown): RunTableColumns {
  const columns: RunTableColumns = { metrics: [], params: [], tags: [] };
  if (v === undefined || v === null) return columns;
  if (typeof v !== 'object' || Array.isArray(v)) bad(`'columns' must be an object such as {"metrics": ["loss"], "params": ["lr"]}.`);
  for (const name of Object.keys(v)) {
    if (!COLUMN_FIELDS.includes(name)) bad(`Unknown field 'columns.${name}': use ${COLUMN_FIELDS.join(', ')}.`);
  }
  for (const kind of RUN_TABLE_KINDS) {
    const keys = stringArray((v as Json)[kind], `columns.${kind}`);
    // No key holds NUL, and PostgreSQL's jsonb (which carries the list) refuses it.
    if (keys.some((k) => k.includes('\u0000'))) bad(`'columns.${kind}' keys may not contain NUL characters (\\u0000).`);
    columns[kind] = [...new Set(keys)];
  }
  const aggregates = parseAggregates((v as Json).metric_aggregates);
  if (aggregates.length) columns.metricAggregates = aggregates;
  const count = RUN_TABLE_KINDS.reduce((n, k) => n + columns[k].length, aggregates.length);
  if (count > MAX_RUN_TABLE_COLUMNS) bad(`'columns' names ${count} keys; ask for at most ${MAX_RUN_TABLE_COLUMNS} at once.`);
  return columns;
}

/** Decodes a runs-table request body (docs/api/runs-table.md); every problem names the field to fix. */
export function parseRunTableSearch(body: unknown): RunTableSearchInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) bad('Send a JSON object with experiment_ids, and optionally filter, order_by, offset, limit, columns, roots_only and parent_run_id.');
  const b = body as Json;
  for (const name of Object.keys(b)) if (!FIELDS.has(name)) bad(`Unknown field '${name}': use ${[...FIELDS].join(', ')}.`);
  const experimentIds = stringArray(b.experiment_ids, 'experiment_ids');
  if (experimentIds.length === 0) bad(`'experiment_ids' must list at least one experiment ID.`);
  if (experimentIds.length > MAX_RUN_TABLE_EXPERIMENTS) bad(`'experiment_ids' lists ${experimentIds.length} experiments; at most ${MAX_RUN_TABLE_EXPERIMENTS}.`);
  if (b.filter !== undefined && b.filter !== null && typeof b.filter !== 'string') bad(`'filter' must be a string in MLflow's search syntax.`);
  const nesting = parseNesting(b);
  return {
    experimentIds,
    filter: (b.filter as string | null | undefined) ?? undefined,
    orderBy: stringArray(b.order_by, 'order_by'),
    viewType: viewType(b, 'run_view_type') ?? 'ACTIVE_ONLY',
    offset: integerIn(b.offset, 'offset', 0, Number.MAX_SAFE_INTEGER, 0),
    limit: integerIn(b.limit, 'limit', 1, MAX_RUN_TABLE_LIMIT, DEFAULT_RUN_TABLE_LIMIT),
    columns: parseColumns(b.columns),
    ...(nesting ? { nesting } : {}),
  };
}

/** `POST /api/ferry/v1/runs/search`: one window of the runs table with chosen columns and the total count (docs/api/runs-table.md). */
export function registerRunTableRoutes(app: FastifyInstance, database: Database): void {
  const cache = new RunOrderCache(database);
  app.post(RUN_TABLE_SEARCH_PATH, { config: { permission: 'read' } }, async (request) => searchRunTable(database, parseRunTableSearch(request.body), cache));
}
