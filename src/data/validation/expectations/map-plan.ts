import type { ExpectationResultDetails, ResultFormat } from '../suite-types.js';
import { ROW_NUMBER, type ExpectationOutcome, type ExpectationPlan, type PlanContext } from './expectation-definition.js';
import { toJsonValue } from './sql-types.js';

/** GE's cap on unexpected values listed with result_format COMPLETE (MAX_RESULT_RECORDS). */
export const MAX_RESULT_RECORDS = 200_000;

/**
 * How a map expectation counts, after GE's base classes:
 * - `column`: nulls are skipped; the share of unexpected values is over non-null ones (ColumnMapExpectation);
 * - `nulls`: every row counts, no missing_* fields (expect_column_values_to_(not_)be_null);
 * - `filtered`: rows dropped by `ignore_row_if` are skipped (ColumnPairMap/MulticolumnMap expectations).
 */
export type MapStyle = 'column' | 'nulls' | 'filtered';

export interface MapSpec {
  style: MapStyle;
  /** SQL predicate for the rows considered; null for every row. */
  considered: string | null;
  /** SQL predicate for an unexpected row; must imply `considered` and never be NULL. */
  unexpected: string;
  /** SQL for the value reported for an unexpected row (wrapped in a struct, so nulls are listed too). */
  value: string;
  /** Turns the reported value into its JSON form (default: as DuckDB gives it, BIGINT as number). */
  decode?: (value: unknown) => unknown;
  mostly: number;
}

/**
 * Adds a map expectation's counts and sampled unexpected values to the shared
 * pass: one `count(*) FILTER` and one bounded `arg_min(…, row, n)` per
 * expectation, so no second scan is needed for `partial_unexpected_list`.
 */
export function mapPlan(ctx: PlanContext, spec: MapSpec): ExpectationPlan {
  const considered = spec.considered === null ? undefined : ctx.aggregate(`count(*) FILTER (WHERE ${spec.considered})`);
  const unexpected = ctx.aggregate(`count(*) FILTER (WHERE ${spec.unexpected})`);
  const format = ctx.resultFormat;
  const listed = format.result_format === 'COMPLETE' ? MAX_RESULT_RECORDS : format.result_format === 'BOOLEAN_ONLY' ? 0 : format.partial_unexpected_count;
  const sample =
    listed > 0 ? ctx.aggregate(`arg_min({'i': ${ROW_NUMBER}, 'v': ${spec.value}}, ${ROW_NUMBER}, ${listed}) FILTER (WHERE ${spec.unexpected})`) : undefined;
  const decode = spec.decode ?? toJsonValue;
  return {
    finish(values, rowCount): ExpectationOutcome {
      const unexpectedCount = Number(values[unexpected]);
      const consideredCount = considered === undefined ? rowCount : Number(values[considered]);
      const rows = sample === undefined ? [] : ((values[sample] as { i: bigint; v: unknown }[] | null) ?? []);
      // With partial_unexpected_count 0 GE still lists (no) values; BOOLEAN_ONLY lists nothing.
      const listedValues = sample !== undefined || format.result_format !== 'BOOLEAN_ONLY';
      const unexpectedList = rows.map((r) => decode(r.v));
      const indexList = rows.map((r) => Number(r.i));
      let success: boolean;
      if (spec.style === 'nulls') {
        success = rowCount === 0 || (rowCount - unexpectedCount) / rowCount >= spec.mostly;
      } else {
        success = rowCount === 0 || consideredCount === 0 || mostlySuccess(consideredCount, unexpectedCount, spec.mostly);
      }
      return formatMapOutput(format, {
        success,
        elementCount: rowCount,
        nonnullCount: spec.style === 'nulls' ? undefined : consideredCount,
        unexpectedCount,
        unexpectedList: listedValues ? unexpectedList : undefined,
        unexpectedIndexList: listedValues ? indexList : undefined,
      });
    },
  };
}

/** GE's `_mostly_success`: the share of considered values that met the expectation is at least `mostly`. */
export function mostlySuccess(considered: number, unexpected: number, mostly: number): boolean {
  return (considered - unexpected) / considered >= mostly;
}

export interface MapCounts {
  success: boolean;
  elementCount: number;
  /** Values considered; undefined where GE does not report missing values (the null expectations). */
  nonnullCount?: number;
  unexpectedCount: number;
  unexpectedList?: unknown[];
  unexpectedIndexList?: number[];
}

/** GE's `_format_map_output`: the fields each result format reports for a map expectation. */
export function formatMapOutput(format: ResultFormat, c: MapCounts): ExpectationOutcome {
  if (format.result_format === 'BOOLEAN_ONLY') return { success: c.success, result: {} };
  const skipMissing = c.nonnullCount === undefined;
  const missingCount = skipMissing ? undefined : c.elementCount - c.nonnullCount!;
  let missingPercent: number | null = null;
  let percentTotal: number | null = null;
  let percentNonmissing: number | null = null;
  if (c.elementCount > 0) {
    percentTotal = (c.unexpectedCount / c.elementCount) * 100;
    if (!skipMissing) {
      missingPercent = (missingCount! / c.elementCount) * 100;
      percentNonmissing = c.nonnullCount! > 0 ? (c.unexpectedCount / c.nonnullCount!) * 100 : null;
    } else {
      percentNonmissing = percentTotal;
    }
  }
  const partialCount = format.partial_unexpected_count;
  const result: ExpectationResultDetails = {
    element_count: c.elementCount,
    unexpected_count: c.unexpectedCount,
    unexpected_percent: percentNonmissing,
  };
  if (c.unexpectedList !== undefined) result.partial_unexpected_list = c.unexpectedList.slice(0, partialCount);
  if (!skipMissing) {
    result.missing_count = missingCount;
    result.missing_percent = missingPercent;
    result.unexpected_percent_total = percentTotal;
    result.unexpected_percent_nonmissing = percentNonmissing;
  }
  if (format.result_format === 'BASIC') return { success: c.success, result };
  if (c.unexpectedList !== undefined && partialCount > 0) {
    const counts = partialUnexpectedCounts(c.unexpectedList, partialCount);
    if (counts !== undefined) result.partial_unexpected_counts = counts;
    if (c.unexpectedIndexList !== undefined) result.partial_unexpected_index_list = c.unexpectedIndexList.slice(0, partialCount);
  }
  if (format.result_format === 'SUMMARY') return { success: c.success, result };
  if (c.unexpectedList !== undefined) result.unexpected_list = c.unexpectedList;
  if (c.unexpectedIndexList !== undefined) result.unexpected_index_list = c.unexpectedIndexList;
  return { success: c.success, result };
}

/** A value's identity as Python hashes it: dicts (multi-column rows) count as tuples of their values, True as 1. */
function hashKey(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return hashKey(Object.values(value as object));
  if (Array.isArray(value)) return `t[${value.map(hashKey).join(',')}]`;
  if (typeof value === 'boolean') return `n${Number(value)}`;
  if (typeof value === 'number') return `n${value}`;
  if (typeof value === 'string') return `s${value}`;
  return 'null';
}

class Incomparable extends Error {}

/**
 * Python's `<` ordering; throws where Python would raise TypeError (str vs
 * int). A missing value is pandas' NaN, which compares false with any number,
 * so it keeps its place (the sort is stable).
 */
function pythonCompare(a: unknown, b: unknown): number {
  const num = (v: unknown) => (typeof v === 'boolean' ? Number(v) : v);
  const x = num(a);
  const y = num(b);
  if ((x === null || typeof x === 'number') && (y === null || typeof y === 'number')) return x === null || y === null ? 0 : x < y ? -1 : x > y ? 1 : 0;
  if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : x > y ? 1 : 0;
  if (Array.isArray(x) && Array.isArray(y)) {
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      if (hashKey(x[i]) === hashKey(y[i])) continue;
      return pythonCompare(x[i], y[i]);
    }
    return x.length - y.length;
  }
  throw new Incomparable();
}

/**
 * GE's `partial_unexpected_counts`: the `limit` most common of the listed
 * unexpected values (`Counter(list).most_common(limit)`), sorted by count
 * (descending) then value; undefined where Python's sort would raise (values
 * of incomparable types with equal counts), as GE then leaves it out.
 */
export function partialUnexpectedCounts(values: unknown[], limit = 20): { value: unknown; count: number }[] | undefined {
  const counts = new Map<string, { value: unknown; count: number }>();
  for (const v of values) {
    const key = hashKey(v);
    const entry = counts.get(key);
    if (entry) entry.count += 1;
    else counts.set(key, { value: v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.values(v) : v, count: 1 });
  }
  // most_common: by count, first seen first among equals (a stable sort keeps insertion order).
  const entries = [...counts.values()].sort((a, b) => b.count - a.count).slice(0, limit);
  try {
    entries.sort((a, b) => b.count - a.count || pythonCompare(a.value, b.value));
  } catch (err) {
    if (err instanceof Incomparable) return undefined;
    throw err;
  }
  return entries;
}
