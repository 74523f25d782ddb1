/**
 * Column pair and multi-column map expectations. Rows dropped by
 * `ignore_row_if` are not considered; `unexpected_percent` and `mostly` are
 * over the rows that are, as in GE.
 */
import { ARG, type Kwargs } from './expectation-args.js';
import { ExpectationError, type ExpectationDefinition, type PlanContext } from './expectation-definition.js';
import { mapPlan } from './map-plan.js';
import { jsonValueExpr, numericExpr, toJsonValue, valueKind, type ColumnInfo } from './sql-types.js';

const PAIR_IGNORE = ['both_values_are_missing', 'either_value_is_missing', 'neither'] as const;
const LIST_IGNORE = ['all_values_are_missing', 'any_value_is_missing', 'never'] as const;

/** The rows a pair or list expectation considers, as pandas' `dropna(how=…)` leaves them; null for all rows. */
function consideredRows(columns: ColumnInfo[], ignoreRowIf: string): string | null {
  const nulls = columns.map((c) => `${c.sql} IS NULL`);
  if (ignoreRowIf === 'both_values_are_missing' || ignoreRowIf === 'all_values_are_missing') return `NOT (${nulls.join(' AND ')})`;
  if (ignoreRowIf === 'either_value_is_missing' || ignoreRowIf === 'any_value_is_missing') return `NOT (${nulls.join(' OR ')})`;
  return null;
}

/** Both columns as operands Python can compare; raises where it could not ('>' between str and int). */
function comparable(a: ColumnInfo, b: ColumnInfo, op: string): [string, string] {
  const ka = valueKind(a.type);
  if (ka === 'other' || ka !== valueKind(b.type)) {
    throw new ExpectationError(`'${op}' not supported between values of column "${a.name}" (${a.type}) and column "${b.name}" (${b.type}).`);
  }
  return ka === 'number' ? [numericExpr(a), numericExpr(b)] : [a.sql, b.sql];
}

/** A pair plan: `meets` is SQL true for a row that passes; a null comparison fails, as NaN comparisons are False in pandas. */
function pairPlan(ctx: PlanContext, kwargs: Kwargs, meets: (a: string, b: string) => string, op: string) {
  const a = ctx.column(kwargs.column_A as string);
  const b = ctx.column(kwargs.column_B as string);
  const [x, y] = comparable(a, b, op);
  const considered = consideredRows([a, b], kwargs.ignore_row_if as string);
  const where = considered ?? 'true';
  return mapPlan(ctx, {
    style: 'filtered',
    considered,
    unexpected: `(${where} AND NOT coalesce(${meets(x, y)}, false))`,
    value: `{'a': ${jsonValueExpr(a.sql, a.type)}, 'b': ${jsonValueExpr(b.sql, b.type)}}`,
    // GE lists each unexpected pair as a tuple (JSON array).
    decode: (v) => {
      const pair = v as { a: unknown; b: unknown };
      return [toJsonValue(pair.a), toJsonValue(pair.b)];
    },
    mostly: kwargs.mostly as number,
  });
}

/** A column-list plan whose unexpected rows are listed as `{column: value}` records, as GE's pandas backend does. */
function listPlan(ctx: PlanContext, kwargs: Kwargs, unexpected: (columns: ColumnInfo[]) => string) {
  const columns = (kwargs.column_list as string[]).map((name) => ctx.column(name));
  const considered = consideredRows(columns, kwargs.ignore_row_if as string);
  const names = columns.map((c) => c.name);
  return mapPlan(ctx, {
    style: 'filtered',
    considered,
    unexpected: `(${considered ?? 'true'} AND ${unexpected(columns)})`,
    value: `{${columns.map((c, i) => `'c${i}': ${jsonValueExpr(c.sql, c.type)}`).join(', ')}}`,
    decode: (v) => Object.fromEntries(names.map((name, i) => [name, toJsonValue((v as Record<string, unknown>)[`c${i}`])])),
    mostly: kwargs.mostly as number,
  });
}

/** Two values of a record are the same as pandas' `nunique(dropna=False)` sees them: equal, or both missing. */
function sameValue(a: ColumnInfo, b: ColumnInfo): string {
  const bothNull = `(${a.sql} IS NULL AND ${b.sql} IS NULL)`;
  const ka = valueKind(a.type);
  if (ka === 'other' || ka !== valueKind(b.type)) return bothNull;
  return ka === 'number' ? `(${numericExpr(a)} IS NOT DISTINCT FROM ${numericExpr(b)})` : `(${a.sql} IS NOT DISTINCT FROM ${b.sql})`;
}

const pairArgs = {
  column_A: ARG.column,
  column_B: ARG.column,
  ignore_row_if: { kind: 'enum', values: PAIR_IGNORE, default: 'both_values_are_missing' },
  mostly: ARG.mostly,
} as const;

const listArgs = {
  column_list: ARG.columnList,
  ignore_row_if: { kind: 'enum', values: LIST_IGNORE, default: 'all_values_are_missing' },
  mostly: ARG.mostly,
} as const;

export const MULTI_COLUMN_EXPECTATIONS: ExpectationDefinition[] = [
  {
    type: 'expect_column_pair_values_a_to_be_greater_than_b',
    family: 'column_pair_map',
    args: { ...pairArgs, or_equal: { kind: 'boolean', nullable: true, default: null } },
    columns: (kwargs) => [kwargs.column_A as string, kwargs.column_B as string],
    plan: (kwargs, ctx) => pairPlan(ctx, kwargs, (a, b) => `${a} ${kwargs.or_equal ? '>=' : '>'} ${b}`, kwargs.or_equal ? '>=' : '>'),
  },
  {
    type: 'expect_column_pair_values_to_be_equal',
    family: 'column_pair_map',
    args: pairArgs,
    columns: (kwargs) => [kwargs.column_A as string, kwargs.column_B as string],
    plan: (kwargs, ctx) => pairPlan(ctx, kwargs, (a, b) => `${a} = ${b}`, '=='),
  },
  {
    // pandas `duplicated(keep=False)` over the listed columns: every row of a repeated combination is unexpected, missing values equal each other.
    type: 'expect_compound_columns_to_be_unique',
    family: 'multicolumn_map',
    args: listArgs,
    columns: (kwargs) => kwargs.column_list as string[],
    plan: (kwargs, ctx) => listPlan(ctx, kwargs, (columns) => ctx.duplicates(columns, consideredRows(columns, kwargs.ignore_row_if as string))),
  },
  {
    type: 'expect_select_column_values_to_be_unique_within_record',
    family: 'multicolumn_map',
    args: listArgs,
    columns: (kwargs) => kwargs.column_list as string[],
    plan: (kwargs, ctx) =>
      listPlan(ctx, kwargs, (columns) => {
        const same: string[] = [];
        for (let i = 0; i < columns.length; i++) for (let j = i + 1; j < columns.length; j++) same.push(sameValue(columns[i]!, columns[j]!));
        return same.length === 0 ? 'false' : `(${same.join(' OR ')})`;
      }),
  },
];
