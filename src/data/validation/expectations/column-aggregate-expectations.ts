/**
 * Column aggregate expectations: one statistic per column (min, max, mean,
 * median, sample standard deviation, sum, distinct values), computed over the
 * non-null values as pandas does, and compared as GE's
 * `_validate_metric_value_between` does.
 */
import { ARG, type ArgSpec, type Kwargs } from './expectation-args.js';
import { metricBetween } from './between.js';
import { ExpectationError, type ExpectationDefinition, type ExpectationOutcome, type PlanContext } from './expectation-definition.js';
import { isBooleanType, isNumericType, isTemporalType, jsonValueExpr, numericExpr, toJsonValue, type ColumnInfo } from './sql-types.js';

const betweenArgs: Record<string, ArgSpec> = { column: ARG.column, min_value: ARG.minValue, max_value: ARG.maxValue, strict_min: ARG.strict, strict_max: ARG.strict };
const oneColumn = (kwargs: Kwargs) => [kwargs.column as string];

const numericOnly = (column: ColumnInfo, statistic: string) => {
  if (!isNumericType(column.type) && !isBooleanType(column.type)) {
    throw new ExpectationError(`Could not compute the ${statistic} of column "${column.name}": its values are ${column.type}, not numbers.`);
  }
  return numericExpr(column);
};

/** An expectation that a statistic of the column lies between min_value and max_value. */
function statisticBetween(type: string, sql: (column: ColumnInfo) => string, observe: (value: unknown, column: ColumnInfo) => unknown = toJsonValue): ExpectationDefinition {
  return {
    type,
    family: 'column_aggregate',
    args: betweenArgs,
    columns: oneColumn,
    plan(kwargs, ctx) {
      const column = ctx.column(kwargs.column as string);
      const key = ctx.aggregate(sql(column));
      return {
        finish: (values) => metricBetween({ value: observe(values[key], column) as number | string | null, temporal: isTemporalType(column.type) }, kwargs),
      };
    },
  };
}

/** Python's ordering of one column's distinct values (they share a type). */
function pythonSort(values: unknown[]): unknown[] {
  return [...values].sort((a, b) => {
    const x = typeof a === 'boolean' ? Number(a) : a;
    const y = typeof b === 'boolean' ? Number(b) : b;
    return (x as number | string) < (y as number | string) ? -1 : (x as number | string) > (y as number | string) ? 1 : 0;
  });
}

/** A value's identity in a Python set: 1, 1.0 and True are one element. */
const setKey = (v: unknown) => (typeof v === 'number' || typeof v === 'boolean' ? `n${Number(v)}` : typeof v === 'string' ? `s${v}` : JSON.stringify(v));

/** Distinct non-null values and their counts (GE's `column.value_counts`), then a set comparison. */
function distinctValues(type: string, valueSet: ArgSpec, compare: (observed: Set<string>, expected: Set<string>) => boolean): ExpectationDefinition {
  return {
    type,
    family: 'column_aggregate',
    args: { column: ARG.column, value_set: valueSet },
    columns: oneColumn,
    plan(kwargs, ctx: PlanContext) {
      const column = ctx.column(kwargs.column as string);
      const key = ctx.aggregate(`histogram(${jsonValueExpr(column.sql, column.type)})`);
      return {
        finish(values): ExpectationOutcome {
          const histogram = ((values[key] as { key: unknown; value: bigint }[] | null) ?? []).map((e) => ({ value: toJsonValue(e.key), count: Number(e.value) }));
          const sorted = pythonSort(histogram.map((e) => e.value));
          const counts = new Map(histogram.map((e) => [setKey(e.value), e.count]));
          const observed = new Set(sorted.map(setKey));
          const expected = new Set(((kwargs.value_set as unknown[] | null) ?? []).map(setKey));
          return {
            success: compare(observed, expected),
            result: { observed_value: sorted, details: { value_counts: sorted.map((v) => ({ value: v, count: counts.get(setKey(v))! })) } },
          };
        },
      };
    },
  };
}

const subset = (a: Set<string>, b: Set<string>) => [...a].every((x) => b.has(x));

export const COLUMN_AGGREGATE_EXPECTATIONS: ExpectationDefinition[] = [
  statisticBetween('expect_column_min_to_be_between', (c) => jsonValueExpr(`min(${c.sql})`, c.type)),
  statisticBetween('expect_column_max_to_be_between', (c) => jsonValueExpr(`max(${c.sql})`, c.type)),
  statisticBetween('expect_column_mean_to_be_between', (c) => `avg(${numericOnly(c, 'mean')})`),
  // pandas' median: the mean of the two middle values for an even count.
  statisticBetween('expect_column_median_to_be_between', (c) => `quantile_cont(${numericOnly(c, 'median')}, 0.5)`),
  // pandas' std(): the sample standard deviation (ddof=1); null below two values.
  statisticBetween('expect_column_stdev_to_be_between', (c) => `stddev_samp(${numericOnly(c, 'standard deviation')})`),
  // pandas sums an empty or all-null column to 0.
  statisticBetween('expect_column_sum_to_be_between', (c) => `coalesce(sum(${numericOnly(c, 'sum')}), 0)`),
  statisticBetween('expect_column_unique_value_count_to_be_between', (c) => `count(DISTINCT ${c.sql})`),
  {
    type: 'expect_column_proportion_of_unique_values_to_be_between',
    family: 'column_aggregate',
    args: betweenArgs,
    columns: oneColumn,
    plan(kwargs, ctx) {
      const column = ctx.column(kwargs.column as string);
      const distinct = ctx.aggregate(`count(DISTINCT ${column.sql})`);
      const nonnull = ctx.aggregate(`count(${column.sql})`);
      return {
        finish(values) {
          const n = Number(values[nonnull]);
          // GE returns 0 when every value is null.
          return metricBetween({ value: n > 0 ? Number(values[distinct]) / n : 0 }, kwargs);
        },
      };
    },
  },
  // An empty or null value_set is vacuously satisfied, as in GE.
  distinctValues('expect_column_distinct_values_to_be_in_set', ARG.valueSet, (observed, expected) => expected.size === 0 || subset(observed, expected)),
  distinctValues('expect_column_distinct_values_to_contain_set', { kind: 'value_set', required: true }, (observed, expected) => subset(expected, observed)),
  distinctValues('expect_column_distinct_values_to_equal_set', { kind: 'value_set', required: true }, (observed, expected) => subset(expected, observed) && subset(observed, expected)),
];
