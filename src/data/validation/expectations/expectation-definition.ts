import type { DuckDBValue } from '@duckdb/node-api';
import type { ExpectationResultDetails, ResultFormat } from '../suite-types.js';
import type { ArgSpec, Kwargs } from './expectation-args.js';
import type { ColumnInfo } from './sql-types.js';

/** GE's families, which decide how nulls count and what the result holds. */
export type ExpectationFamily = 'table' | 'column_map' | 'column_aggregate' | 'column_pair_map' | 'multicolumn_map';

/** What an expectation concluded: GE's `{ success, result }`. */
export interface ExpectationOutcome {
  success: boolean;
  result: ExpectationResultDetails;
}

/**
 * Raised while planning or finishing an expectation for what GE reports as an
 * exception of that expectation (a missing column, a column of the wrong type):
 * the expectation fails with `exception_info`, the others still run.
 */
export class ExpectationError extends Error {}

/** The table as the planner sees it, and the query being assembled. */
export interface PlanContext {
  /** Columns in file order. */
  columns: ColumnInfo[];
  resultFormat: ResultFormat;
  /**
   * The column named `name`.
   * @throws ExpectationError with GE's message when the table has no such column.
   */
  column(name: string): ColumnInfo;
  /** Binds a value; returns its placeholder (`$p3`). */
  param(value: DuckDBValue): string;
  /**
   * A per-value predicate (SQL over `column`, built by `predicate` from a
   * stand-in for the column) as a per-row flag; returns the identifier to use
   * in aggregates. On a large column with few distinct values the predicate
   * runs once per distinct value and is joined back, so costly checks (regex,
   * strftime, dateutil) cost little on repetitive data.
   */
  lookup(column: ColumnInfo, predicate: (value: ColumnInfo) => string): string;
  /**
   * A per-row flag: true when the row's combination of `columns` occurs more
   * than once among the rows matching `considered` (missing values equal each
   * other, as in pandas' `duplicated`); returns the identifier to use in aggregates.
   */
  duplicates(columns: ColumnInfo[], considered: string | null): string;
  /** Adds an aggregate over the rows (the row number is `ROW_NUMBER`); returns the key its value has in `finish`. */
  aggregate(sql: string): string;
}

/**
 * The row-number column of the rows each aggregate sees (0-based, file order),
 * named so it cannot plausibly clash with the table's columns, which
 * aggregates use unqualified.
 */
export const ROW_NUMBER = '"__ferry_row_7d1c"';

/** How an expectation is computed: aggregates added to the shared pass, then a conclusion from their values. */
export interface ExpectationPlan {
  /**
   * @param values aggregate values by the keys `PlanContext.aggregate` returned (BIGINT as bigint).
   * @param rowCount rows in the table.
   */
  finish(values: Record<string, unknown>, rowCount: number): ExpectationOutcome;
}

/** One expectation type: its arguments and how it is evaluated. */
export interface ExpectationDefinition {
  type: string;
  family: ExpectationFamily;
  /** Its own keyword arguments (the common ones, such as `result_format` and `meta`, are accepted for all). */
  args: Record<string, ArgSpec>;
  /** Rules across arguments, as GE's validators; returns what is wrong, naming the argument. */
  check?(kwargs: Kwargs): string | undefined;
  /** The RE2 patterns it will run, checked against DuckDB before any data is read. */
  regexes?(kwargs: Kwargs): string[];
  /** Columns it reads, so only those are loaded. */
  columns(kwargs: Kwargs): string[];
  plan(kwargs: Kwargs, ctx: PlanContext): ExpectationPlan;
}
