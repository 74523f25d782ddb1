/**
 * Compiles a parsed run filter and order_by into one parameterised query, with
 * MLflow's SqlAlchemyStore semantics. Every user-supplied string (keys
 * included) is a bound value; identifiers in the SQL come from fixed tables.
 */
import { sql, type Expression, type ExpressionBuilder, type OrderByItemBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { DatabaseSchema } from '../backends/database/database-schema.js';
import type { Database, DialectName } from '../backends/database/database.js';
import { InvalidArgumentError } from '../errors.js';
import {
  createPageToken,
  parseOrderBy,
  parsePageToken,
  parseRunFilter,
  type FilterClause,
  type NumericCondition,
  type RunAttribute,
  type RunOrderBy,
  type StringCondition,
} from './search-filter.js';
import { validateMaxResults } from './tracking-limits.js';
import type { ViewType } from './tracking-types.js';

export interface SearchRunIdsInput {
  experimentIds: string[];
  filter?: string;
  viewType: ViewType;
  orderBy?: string[];
  maxResults: number;
  pageToken?: string;
}

type RunsScope = DatabaseSchema & { r: DatabaseSchema['runs'] };
type RunSearchQuery = SelectQueryBuilder<RunsScope, 'r', { run_uuid: string }>;

const RUN_COLUMNS: Record<RunAttribute, keyof DatabaseSchema['runs']> = {
  run_id: 'run_uuid',
  run_name: 'name',
  user_id: 'user_id',
  status: 'status',
  artifact_uri: 'artifact_uri',
  start_time: 'start_time',
  end_time: 'end_time',
};

/** MLflow's `mlflow.data.context` input tag: how a run used a dataset (training, eval…). */
const DATASET_CONTEXT_TAG = 'mlflow.data.context';

/** The lifecycle stages a view type selects (MLflow's `LifecycleStage.view_type_to_stages`). */
export function lifecycleStages(viewType: ViewType): string[] {
  switch (viewType) {
    case 'ACTIVE_ONLY':
      return ['active'];
    case 'DELETED_ONLY':
      return ['deleted'];
    case 'ALL':
      return ['active', 'deleted'];
    default:
      throw new InvalidArgumentError(`Invalid view type '${String(viewType)}': use ACTIVE_ONLY, DELETED_ONLY or ALL`);
  }
}

/** Splits a LIKE pattern into `%`, `_` and literal characters; a backslash makes the next character literal. */
function likeParts(pattern: string): Array<{ wildcard: '%' | '_' } | { literal: string }> {
  const parts: Array<{ wildcard: '%' | '_' } | { literal: string }> = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '\\' && i + 1 < pattern.length) parts.push({ literal: pattern.charAt(++i) });
    else if (c === '%' || c === '_') parts.push({ wildcard: c });
    else parts.push({ literal: c });
  }
  return parts;
}

/**
 * A LIKE pattern as an SQLite GLOB pattern, which is case-sensitive where
 * SQLite's LIKE is not: `%` → `*`, `_` → `?`, and `*`, `?`, `[` bracketed.
 */
export function likeToGlob(pattern: string): string {
  return likeParts(pattern)
    .map((p) => ('wildcard' in p ? (p.wildcard === '%' ? '*' : '?') : /[*?[]/.test(p.literal) ? `[${p.literal}]` : p.literal))
    .join('');
}

/** A LIKE pattern normalised for `LIKE … ESCAPE '\'`: literal `%`, `_` and `\` escaped with a backslash. */
export function likeToEscapedLike(pattern: string): string {
  return likeParts(pattern)
    .map((p) => ('wildcard' in p ? p.wildcard : /[%_\\]/.test(p.literal) ? `\\${p.literal}` : p.literal))
    .join('');
}

/**
 * `ref <comparator> value` for a text column. `=`, `!=` and LIKE are
 * case-sensitive and ILIKE is not, on both dialects (SQLite: GLOB for LIKE,
 * LIKE for ILIKE, which folds ASCII letters only). Shared with experiment search.
 */
export function compileStringCondition(dialect: DialectName, ref: Expression<unknown>, condition: StringCondition): Expression<SqlBool> {
  switch (condition.comparator) {
    case '=':
      return sql<SqlBool>`${ref} = ${condition.value}`;
    case '!=':
      return sql<SqlBool>`${ref} <> ${condition.value}`;
    case 'IN':
      return sql<SqlBool>`${ref} in (${sql.join(condition.value)})`;
    case 'NOT IN':
      return sql<SqlBool>`${ref} not in (${sql.join(condition.value)})`;
    case 'LIKE':
      return dialect === 'sqlite'
        ? sql<SqlBool>`${ref} glob ${likeToGlob(condition.value)}`
        : sql<SqlBool>`${ref} like ${likeToEscapedLike(condition.value)}`;
    case 'ILIKE':
      return dialect === 'sqlite'
        ? sql<SqlBool>`${ref} like ${likeToEscapedLike(condition.value)} escape '\\'`
        : sql<SqlBool>`${ref} ilike ${likeToEscapedLike(condition.value)}`;
  }
}

/**
 * `ref <comparator> value` for a number column. On PostgreSQL an untyped
 * parameter compared with a bigint column is read as bigint, so a fraction or
 * an out-of-range number is cast to double precision instead of failing.
 */
export function compileNumericCondition(
  dialect: DialectName,
  ref: Expression<unknown>,
  condition: NumericCondition,
  column: 'bigint' | 'double',
): Expression<SqlBool> {
  const value =
    dialect === 'postgres' && column === 'bigint' && !Number.isSafeInteger(condition.value)
      ? sql`cast(${condition.value} as double precision)`
      : sql`${condition.value}`;
  const op = condition.comparator === '!=' ? '<>' : condition.comparator;
  return sql<SqlBool>`${ref} ${sql.raw(op)} ${value}`;
}

/** Orders text by code point on PostgreSQL too, as SQLite's BINARY collation does, whatever the database's locale. */
export function textOrder(dialect: DialectName, ref: Expression<unknown>): Expression<unknown> {
  return dialect === 'postgres' ? sql`${ref} collate "C"` : ref;
}

function compileClause(eb: ExpressionBuilder<RunsScope, 'r'>, clause: FilterClause, dialect: DialectName): Expression<SqlBool> {
  switch (clause.type) {
    case 'attribute': {
      const ref = sql.ref(`r.${RUN_COLUMNS[clause.key]}`);
      return clause.key === 'start_time' || clause.key === 'end_time'
        ? compileNumericCondition(dialect, ref, clause, 'bigint')
        : compileStringCondition(dialect, ref, clause as StringCondition);
    }
    case 'metric': {
      // NaN is stored as is_nan = 1, value = 0 and compares as IEEE NaN does:
      // only != matches it. (MLflow's SQL store compares the stored 0.)
      const value = compileNumericCondition(dialect, sql.ref('m.value'), clause, 'double');
      return eb.exists(
        eb
          .selectFrom('latest_metrics as m')
          .select(sql.lit(1).as('one'))
          .whereRef('m.run_uuid', '=', 'r.run_uuid')
          .where('m.key', '=', clause.key)
          .where((sub) => (clause.comparator === '!=' ? sub.or([sub('m.is_nan', '=', 1), value]) : sub.and([sub('m.is_nan', '=', 0), value]))),
      );
    }
    case 'param':
    case 'tag':
      // As in MLflow's SQL store the key must exist: a run without the tag
      // matches neither `tags.k = 'v'` nor `tags.k != 'v'`.
      return eb.exists(
        eb
          // params and tags have the same columns, so one typed shape serves both.
          .selectFrom((clause.type === 'param' ? 'params as kv' : 'tags as kv') as 'tags as kv')
          .select(sql.lit(1).as('one'))
          .whereRef('kv.run_uuid', '=', 'r.run_uuid')
          .where('kv.key', '=', clause.key)
          .where(compileStringCondition(dialect, sql.ref('kv.value'), clause)),
      );
    case 'dataset': {
      // Some dataset input of the run matches (so != and NOT IN mean "has a dataset that is not …").
      let inputs = eb
        .selectFrom('inputs as i')
        .innerJoin('datasets as d', 'd.dataset_uuid', 'i.source_id')
        .select(sql.lit(1).as('one'))
        .whereRef('i.destination_id', '=', 'r.run_uuid')
        .where('i.destination_type', '=', 'RUN')
        .where('i.source_type', '=', 'DATASET');
      if (clause.key === 'context') {
        inputs = inputs
          .innerJoin('input_tags as it', 'it.input_uuid', 'i.input_uuid')
          .where('it.name', '=', DATASET_CONTEXT_TAG)
          .where(compileStringCondition(dialect, sql.ref('it.value'), clause));
      } else {
        inputs = inputs.where(compileStringCondition(dialect, sql.ref(`d.${clause.key}`), clause));
      }
      return eb.exists(inputs);
    }
  }
}

function parseOrderByList(orderBy: string[]): RunOrderBy[] {
  const parsed = orderBy.map(parseOrderBy);
  const seen = new Set<string>();
  for (const o of parsed) {
    const field = `${o.type}\u0000${o.key}`;
    if (seen.has(field)) {
      throw new InvalidArgumentError(`\`order_by\` contains duplicate fields: ${JSON.stringify(orderBy)}; name each field once`);
    }
    seen.add(field);
  }
  return parsed;
}

function direction(ascending: boolean) {
  return (ob: OrderByItemBuilder) => (ascending ? ob.asc() : ob.desc()).nullsLast();
}

/**
 * MLflow's `_get_orderby_clauses`: runs lacking the field sort last in either
 * direction; for metrics, NaN sorts after every number and before a missing
 * metric. Then `start_time DESC` (unless ordered by already) and `run_uuid`.
 */
function applyOrder(query: RunSearchQuery, orderBy: RunOrderBy[], dialect: DialectName, drivenByFirstMetric: boolean): RunSearchQuery {
  // Each order_by field joins its own alias (o0, o1…), which Kysely's types cannot name in advance.
  let q = query as unknown as SelectQueryBuilder<any, any, { run_uuid: string }>;
  orderBy.forEach((o, i) => {
    if (i === 0 && drivenByFirstMetric) {
      // o0 is the driving latest_metrics row: always present and never NaN.
      q = q.orderBy(sql.ref('o0.value'), o.ascending ? 'asc' : 'desc');
      return;
    }
    if (o.type === 'attribute') {
      const column = RUN_COLUMNS[o.key as RunAttribute];
      const ref = sql.ref(`r.${column}`);
      q = q.orderBy(column === 'start_time' || column === 'end_time' ? ref : textOrder(dialect, ref), direction(o.ascending));
      return;
    }
    const alias = `o${i}`;
    const table = o.type === 'metric' ? 'latest_metrics' : o.type === 'param' ? 'params' : 'tags';
    q = q.leftJoin(`${table} as ${alias}`, (join) => join.onRef(`${alias}.run_uuid`, '=', 'r.run_uuid').on(`${alias}.key`, '=', o.key));
    if (o.type === 'metric') {
      q = q
        .orderBy(sql`coalesce(${sql.ref(`${alias}.is_nan`)}, 2)`)
        .orderBy(sql.ref(`${alias}.value`), o.ascending ? 'asc' : 'desc');
    } else {
      q = q.orderBy(textOrder(dialect, sql.ref(`${alias}.value`)), direction(o.ascending));
    }
  });
  if (!orderBy.some((o) => o.type === 'attribute' && o.key === 'start_time')) q = q.orderBy('r.start_time', 'desc');
  q = q.orderBy(textOrder(dialect, sql.ref('r.run_uuid')));
  return q as unknown as RunSearchQuery;
}

/**
 * The filter clause a search can be driven from: when the first order_by
 * field is a metric that a range or equality clause also filters on, every
 * matching run has that metric and it is not NaN, so ranking may start from
 * the metric's (key, value) index instead of every run of the experiments.
 */
function metricDriver(clauses: FilterClause[], orderBy: RunOrderBy[]): { clause: Extract<FilterClause, { type: 'metric' }> } | undefined {
  const first = orderBy[0];
  if (!first || first.type !== 'metric') return undefined;
  const clause = clauses.find((c): c is Extract<FilterClause, { type: 'metric' }> => c.type === 'metric' && c.key === first.key && c.comparator !== '!=');
  return clause ? { clause } : undefined;
}

function parseExperimentIds(experimentIds: string[]): number[] {
  if (!Array.isArray(experimentIds)) throw new InvalidArgumentError('experiment_ids must be a list of experiment IDs');
  return experimentIds.map((id) => {
    const n = typeof id === 'string' && /^\d{1,15}$/.test(id) ? Number(id) : NaN;
    if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`Invalid experiment ID '${String(id).slice(0, 100)}': experiment IDs are non-negative integers such as '0'`);
    return n;
  });
}

/**
 * Builds, without running, the query behind `searchRunIds`: it selects
 * `run_uuid` and fetches one row past the page to tell whether another page
 * follows. Exposed so tests can inspect the compiled SQL.
 * @throws InvalidArgumentError for a bad filter, order_by, page token, max_results, view type or experiment ID.
 */
export function buildRunSearchQuery(database: Database, input: SearchRunIdsInput): { query: RunSearchQuery; offset: number; maxResults: number } {
  const maxResults = validateMaxResults(input.maxResults, input.maxResults);
  const experimentIds = parseExperimentIds(input.experimentIds);
  const clauses = parseRunFilter(input.filter ?? '');
  const orderBy = parseOrderByList(input.orderBy ?? []);
  const offset = parsePageToken(input.pageToken);
  const { dialect } = database;

  const driver = metricDriver(clauses, orderBy);
  let query: RunSearchQuery = driver
    ? // Start from the metric's (key, value) index: the runs it ranks are exactly those the clause keeps.
      (database.db
        .selectFrom('latest_metrics as o0')
        .innerJoin('runs as r', 'r.run_uuid', 'o0.run_uuid')
        .select('r.run_uuid')
        .where('o0.key', '=', driver.clause.key)
        .where('o0.is_nan', '=', 0)
        .where(() => compileNumericCondition(dialect, sql.ref('o0.value'), driver.clause, 'double')) as unknown as RunSearchQuery)
    : database.db.selectFrom('runs as r').select('r.run_uuid');
  query = query
    .where((eb) => (experimentIds.length === 0 ? eb.lit(false) : eb('r.experiment_id', 'in', experimentIds)))
    .where('r.lifecycle_stage', 'in', lifecycleStages(input.viewType));
  for (const clause of clauses) if (clause !== driver?.clause) query = query.where((eb) => compileClause(eb, clause, dialect));
  query = applyOrder(query, orderBy, dialect, driver !== undefined).limit(maxResults + 1).offset(offset);
  return { query, offset, maxResults };
}

/**
 * Searches runs as MLflow's SearchRuns does and returns one page of run IDs
 * in order. `nextPageToken` is set only when another non-empty page follows.
 *
 * @example
 * await searchRunIds(database, {
 *   experimentIds: ['1'],
 *   filter: "metrics.`acc` > 0.9 AND params.model = 'cnn'",
 *   viewType: 'ACTIVE_ONLY',
 *   orderBy: ['metrics.acc DESC'],
 *   maxResults: 100,
 * });
 * @throws InvalidArgumentError for a bad filter, order_by, page token, max_results, view type or experiment ID.
 */
export async function searchRunIds(database: Database, input: SearchRunIdsInput): Promise<{ runIds: string[]; nextPageToken?: string }> {
  const { query, offset, maxResults } = buildRunSearchQuery(database, input);
  if (input.experimentIds.length === 0) return { runIds: [] };
  const rows = await query.execute();
  const runIds = rows.slice(0, maxResults).map((row) => row.run_uuid);
  return rows.length > maxResults ? { runIds, nextPageToken: createPageToken(offset + maxResults) } : { runIds };
}
