/**
 * The shared pass of a validation: one aggregate query over the loaded rows
 * that computes every planned expectation's aggregates at once.
 */
import type { DuckDBValue } from '@duckdb/node-api';
import { InvalidArgumentError } from '../../errors.js';
import type { DuckDbEngine } from '../table/duckdb-engine.js';
import { ROW_NUMBER, type ExpectationPlan } from './expectations/expectation-definition.js';
import type { ColumnInfo } from './expectations/sql-types.js';
import type { LoadedTable } from './validation-table.js';

/** A per-value predicate of a column, as a per-row flag (see `PlanContext.lookup`). */
export interface Lookup {
  alias: string;
  column: ColumnInfo;
  /** The predicate with `VALUE` standing for the column. */
  sql: string;
}

/** A duplicate flag over some columns (see `PlanContext.duplicates`). */
export interface Duplicates {
  alias: string;
  columns: ColumnInfo[];
  considered: string | null;
}

/** One expectation's part of the shared pass. */
export interface Planned {
  aggregates: [key: string, sql: string][];
  lookups: Lookup[];
  duplicates: Duplicates[];
  params: Record<string, DuckDBValue>;
  plan: ExpectationPlan;
}

// Stands for the column inside a lookup predicate until the pass decides between the column itself and the distinct value.
export const VALUE = '\u27E6value\u27E7';

/** Below this many rows every predicate runs inline: a join would cost more than it saves. */
const LOOKUP_MIN_ROWS = 100_000;

/** Columns with lookups whose values repeat enough (under a quarter distinct) that predicates are worth running per distinct value. */
export async function repetitiveColumns(engine: DuckDbEngine, table: LoadedTable, plans: Planned[]): Promise<Set<string>> {
  const columns = [...new Map(plans.flatMap((p) => p.lookups.map((l) => [l.column.name, l.column] as const))).values()];
  if (columns.length === 0 || table.rowCount < LOOKUP_MIN_ROWS) return new Set();
  const row = await query(engine, `SELECT ${columns.map((c, i) => `approx_count_distinct(${c.sql}) AS "c${i}"`).join(', ')} FROM ${table.from}`, table.params);
  return new Set(columns.filter((_, i) => Number(row![`c${i}`]) * 4 <= table.rowCount).map((c) => c.name));
}

/**
 * One aggregate query over the loaded table for the given plans. The rows it
 * aggregates carry the row number, every loaded column, and one flag per
 * lookup and duplicate check, each joined from a small keyed subquery where
 * that is cheaper than computing it per row.
 */
export async function pass(engine: DuckDbEngine, table: LoadedTable, plans: Planned[], viaJoin: Set<string>): Promise<Record<string, unknown>> {
  const projections = [`t.${table.rowNumber} AS ${ROW_NUMBER}`, 't.*'];
  const joins: string[] = [];
  for (const lookup of plans.flatMap((p) => p.lookups)) {
    if (!viaJoin.has(lookup.column.name)) {
      projections.push(`coalesce(${lookup.sql.split(VALUE).join(`t.${lookup.column.sql}`)}, false) AS ${lookup.alias}`);
      continue;
    }
    const j = `"J${joins.length}"`;
    const distinct = `SELECT DISTINCT ${lookup.column.sql} AS __v FROM ${table.from} WHERE ${lookup.column.sql} IS NOT NULL`;
    joins.push(`LEFT JOIN (SELECT __v, ${lookup.sql.split(VALUE).join('__v')} AS __ok FROM (${distinct})) AS ${j} ON t.${lookup.column.sql} = ${j}.__v`);
    projections.push(`coalesce(${j}.__ok, false) AS ${lookup.alias}`);
  }
  for (const dup of plans.flatMap((p) => p.duplicates)) {
    const j = `"J${joins.length}"`;
    const keys = dup.columns.map((c, k) => `${c.sql} AS __k${k}`).join(', ');
    const groups = `SELECT ${keys}, true AS __m FROM ${table.from}${dup.considered ? ` WHERE ${dup.considered}` : ''} GROUP BY ALL HAVING count(*) > 1`;
    // Null-safe equality is slower; only combinations with a missing value need it (a lone column's nulls are never considered).
    const nullSafe = dup.columns.length > 1 && dup.columns.some((c) => c.hasNulls);
    const on = dup.columns.map((c, k) => `t.${c.sql} ${nullSafe ? 'IS NOT DISTINCT FROM' : '='} ${j}.__k${k}`).join(' AND ');
    joins.push(`LEFT JOIN (${groups}) AS ${j} ON ${on}`);
    projections.push(`coalesce(${j}.__m, false) AS ${dup.alias}`);
  }
  const aggregates = plans.flatMap((p) => p.aggregates.map(([key, sql]) => `${sql} AS "${key}"`));
  const params = Object.assign({ ...table.params }, ...plans.map((p) => p.params)) as Record<string, DuckDBValue>;
  const rows = `SELECT ${projections.join(', ')} FROM ${table.from} AS t ${joins.join(' ')}`;
  return query(engine, `SELECT ${aggregates.join(', ')} FROM (${rows})`, params);
}

/** The one row of an aggregate query; DuckDB's errors become INVALID_ARGUMENT with its first line. */
async function query(engine: DuckDbEngine, sql: string, params: Record<string, DuckDBValue>): Promise<Record<string, unknown>> {
  try {
    const reader = await engine.connection.runAndReadAll(sql, params);
    return reader.getRowObjectsJS()[0] as Record<string, unknown>;
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message.split('\n')[0]!, { cause: err });
  }
}
