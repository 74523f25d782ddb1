/** Table expectations: columns present, their order and set, row and column counts. */
import { ARG, type Kwargs } from './expectation-args.js';
import { metricBetween } from './between.js';
import type { ExpectationDefinition, ExpectationOutcome, PlanContext } from './expectation-definition.js';

const names = (ctx: PlanContext) => ctx.columns.map((c) => c.name);

/** A plan needing no pass over the rows (the row count is always computed). */
const constant = (finish: (rowCount: number) => ExpectationOutcome) => ({ finish: (_v: Record<string, unknown>, rowCount: number) => finish(rowCount) });

const countBounds = { min_value: { kind: 'integer', nullable: true, default: null }, max_value: { kind: 'integer', nullable: true, default: null } } as const;

export const TABLE_EXPECTATIONS: ExpectationDefinition[] = [
  {
    type: 'expect_column_to_exist',
    family: 'table',
    args: { column: ARG.column, column_index: { kind: 'integer', nullable: true, default: null } },
    columns: () => [],
    plan(kwargs, ctx) {
      const actual = names(ctx);
      const index = kwargs.column_index as number | null;
      // GE tests `if column_index:`, so index 0 only asks that the column exists.
      const success = index ? actual[index] === kwargs.column : actual.includes(kwargs.column as string);
      return constant(() => ({ success, result: {} }));
    },
  },
  {
    type: 'expect_table_columns_to_match_ordered_list',
    family: 'table',
    args: { column_list: { kind: 'string_list', nullable: true, required: true } },
    columns: () => [],
    plan(kwargs, ctx) {
      const actual = names(ctx);
      const expected = kwargs.column_list as string[] | null;
      if (expected === null || (expected.length === actual.length && expected.every((c, i) => c === actual[i]))) {
        return constant(() => ({ success: true, result: { observed_value: actual } }));
      }
      const mismatched: Record<string, unknown>[] = [];
      for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
        if (expected[i] !== actual[i]) mismatched.push({ 'Expected Column Position': i, Expected: expected[i] ?? null, Found: actual[i] ?? null });
      }
      return constant(() => ({ success: false, result: { observed_value: actual, details: { mismatched } } }));
    },
  },
  {
    type: 'expect_table_columns_to_match_set',
    family: 'table',
    // GE ≥ 1.3 defaults exact_match to true (1.0–1.2 left it None, i.e. subset).
    args: { column_set: { kind: 'string_list', nullable: true, required: true }, exact_match: { kind: 'boolean', nullable: true, default: true } },
    columns: () => [],
    plan(kwargs, ctx) {
      const actual = names(ctx);
      const expected = new Set((kwargs.column_set as string[] | null) ?? []);
      const actualSet = new Set(actual);
      const exact = kwargs.exact_match as boolean | null;
      if ((kwargs.column_set === null && exact !== true) || (actualSet.size === expected.size && [...expected].every((c) => actualSet.has(c)))) {
        return constant(() => ({ success: true, result: { observed_value: actual } }));
      }
      const sorted = (xs: Iterable<string>) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const unexpected = sorted([...actualSet].filter((c) => !expected.has(c)));
      const missing = sorted([...expected].filter((c) => !actualSet.has(c)));
      const mismatched: Record<string, string[]> = {};
      if (unexpected.length > 0) mismatched.unexpected = unexpected;
      if (missing.length > 0) mismatched.missing = missing;
      const success = !exact && missing.length === 0;
      return constant(() => ({ success, result: { observed_value: sorted(actual), details: { mismatched } } }));
    },
  },
  {
    type: 'expect_table_row_count_to_be_between',
    family: 'table',
    args: countBounds,
    columns: () => [],
    plan: (kwargs) => constant((rowCount) => metricBetween({ value: rowCount }, kwargs)),
  },
  {
    type: 'expect_table_row_count_to_equal',
    family: 'table',
    args: { value: { kind: 'integer', required: true } },
    columns: () => [],
    plan: (kwargs) => constant((rowCount) => ({ success: rowCount === kwargs.value, result: { observed_value: rowCount } })),
  },
  {
    type: 'expect_table_column_count_to_be_between',
    family: 'table',
    args: countBounds,
    columns: () => [],
    plan: (kwargs, ctx) => constant(() => metricBetween({ value: ctx.columns.length }, kwargs)),
  },
  {
    type: 'expect_table_column_count_to_equal',
    family: 'table',
    args: { value: { kind: 'integer', required: true } },
    columns: () => [],
    plan: (kwargs: Kwargs, ctx) => constant(() => ({ success: ctx.columns.length === kwargs.value, result: { observed_value: ctx.columns.length } })),
  },
];
