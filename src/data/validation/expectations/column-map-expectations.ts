/**
 * Column map expectations: a yes/no question per value. As in GE, nulls are
 * skipped (except by the two null expectations), `unexpected_percent` is over
 * non-null values and `mostly` is the share of non-null values that must pass.
 */
import { ARG, type ArgSpec, type Kwargs } from './expectation-args.js';
import { parseTypeName, matchColumnType } from './column-type-match.js';
import { dateutilParseableSql } from './dateutil-sql.js';
import { ExpectationError, type ExpectationDefinition, type ExpectationPlan, type PlanContext } from './expectation-definition.js';
import { mapPlan } from './map-plan.js';
import { duckdbCanParse, strftimeMatchSql, strftimePattern } from './strftime-pattern.js';
import { isBooleanType, isDateType, isNumericType, isStringType, isTemporalType, jsonValueExpr, numericExpr, pythonStrExpr, valueKind, type ColumnInfo } from './sql-types.js';

/** A map plan over one column: `meets` is SQL true for a value that passes (NULL counts as failing). */
function columnMap(ctx: PlanContext, kwargs: Kwargs, column: ColumnInfo, meets: string): ExpectationPlan {
  return mapPlan(ctx, {
    style: 'column',
    considered: `${column.sql} IS NOT NULL`,
    unexpected: `(${column.sql} IS NOT NULL AND NOT coalesce(${meets}, false))`,
    value: jsonValueExpr(column.sql, column.type),
    mostly: kwargs.mostly as number,
  });
}

/**
 * Python's `re` syntax where RE2 spells it differently: `\Z` (end of text) is
 * RE2's `\z`. Lookarounds and backreferences have no RE2 form and are refused
 * by DuckDB before any data is read.
 */
export function pythonRegexToRe2(regex: string): string {
  let out = '';
  for (let i = 0; i < regex.length; i++) {
    if (regex[i] === '\\' && i + 1 < regex.length) {
      out += regex[i + 1] === 'Z' ? '\\z' : regex[i]! + regex[i + 1]!;
      i++;
    } else {
      out += regex[i];
    }
  }
  return out;
}

/**
 * The values of a value_set that can equal this column's values, as SQL:
 * numbers for numeric columns, booleans for boolean ones, strings for text,
 * date strings (as timestamps) for dates and datetimes. Others never match,
 * as a string never equals a number in pandas.
 */
export function valueSetSql(ctx: PlanContext, column: ColumnInfo, values: unknown[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (isBooleanType(column.type)) {
      if (typeof v === 'boolean') out.push(ctx.param(v));
    } else if (isNumericType(column.type)) {
      if (typeof v === 'number') out.push(ctx.param(v));
    } else if (isStringType(column.type)) {
      if (typeof v === 'string') out.push(ctx.param(v));
    } else if (isTemporalType(column.type)) {
      if (typeof v === 'string') out.push(`TRY_CAST(${ctx.param(v)} AS ${isDateType(column.type) ? 'TIMESTAMP' : column.type})`);
    } else if (typeof v === 'string') {
      out.push(ctx.param(v));
    }
  }
  return out;
}

const inSetSql = (ctx: PlanContext, column: ColumnInfo, values: unknown[]) => {
  const members = valueSetSql(ctx, column, values);
  return members.length === 0 ? 'false' : `${column.sql} IN (${members.join(', ')})`;
};

/** SQL bounds `lo <= x <= hi` (strict where asked); undefined bounds are open. */
export function boundsSql(x: string, lo: string | undefined, hi: string | undefined, kwargs: Kwargs): string {
  const parts: string[] = [];
  if (lo !== undefined) parts.push(`${x} ${kwargs.strict_min ? '>' : '>='} ${lo}`);
  if (hi !== undefined) parts.push(`${x} ${kwargs.strict_max ? '<' : '<='} ${hi}`);
  return parts.join(' AND ');
}

/** The column compared with GE's `Comparable` bounds, raising where pandas would. */
function valuesBetweenSql(ctx: PlanContext, column: ColumnInfo, kwargs: Kwargs): string {
  const min = kwargs.min_value as number | string | null;
  const max = kwargs.max_value as number | string | null;
  const kind = valueKind(column.type);
  const dateBound = typeof min === 'string' || typeof max === 'string';
  if (kind === 'number' && !dateBound) {
    return boundsSql(numericExpr(column), min === null ? undefined : ctx.param(min), max === null ? undefined : ctx.param(max), kwargs);
  }
  if (kind === 'datetime' && typeof min !== 'number' && typeof max !== 'number') {
    const ts = (v: string | null) => (v === null ? undefined : `CAST(${ctx.param(v)} AS TIMESTAMP)`);
    return boundsSql(column.sql, ts(min), ts(max), kwargs);
  }
  if (kind === 'string') throw new ExpectationError('Column values, min_value, and max_value must either be None or of the same type.');
  throw new ExpectationError(`Invalid comparison between column "${column.name}" of type ${column.type} and bounds ${JSON.stringify(min)}, ${JSON.stringify(max)}.`);
}

const STRING_ONLY = (type: string) =>
  `Values passed to ${type} must be of type string.\nIf you want to validate a column of dates or timestamps, please call the expectation before converting from string format.`;

const betweenArgs: Record<string, ArgSpec> = { column: ARG.column, min_value: ARG.minValue, max_value: ARG.maxValue, strict_min: ARG.strict, strict_max: ARG.strict, mostly: ARG.mostly };
const needsBound = (kwargs: Kwargs) => (kwargs.min_value === null && kwargs.max_value === null ? "needs 'min_value' or 'max_value' (both are null)" : undefined);
const minNotAboveMax = (kwargs: Kwargs) => {
  const { min_value: lo, max_value: hi } = kwargs;
  if (lo !== null && hi !== null && typeof lo === typeof hi && (lo as number | string) > (hi as number | string)) return "'min_value' is greater than 'max_value'";
  return undefined;
};
const oneColumn = (kwargs: Kwargs) => [kwargs.column as string];

/** A column map expectation over one column whose condition is `meets(column)`. */
function simple(type: string, args: Record<string, ArgSpec>, meets: (ctx: PlanContext, column: ColumnInfo, kwargs: Kwargs) => string, extra: Partial<ExpectationDefinition> = {}): ExpectationDefinition {
  return {
    type,
    family: 'column_map',
    args: { column: ARG.column, ...args, mostly: ARG.mostly },
    columns: oneColumn,
    plan(kwargs, ctx) {
      const column = ctx.column(kwargs.column as string);
      return columnMap(ctx, kwargs, column, meets(ctx, column, kwargs));
    },
    ...extra,
  };
}

/** pandas' `astype(str).str.contains(regex)`: a search anywhere in the value (RE2 is fast enough per row). */
const regexMatch = (ctx: PlanContext, column: ColumnInfo, regex: string) => `regexp_matches(${pythonStrExpr(column)}, ${ctx.param(pythonRegexToRe2(regex))})`;

const regexListMeets = (ctx: PlanContext, column: ColumnInfo, kwargs: Kwargs) =>
  `(${(kwargs.regex_list as string[]).map((r) => regexMatch(ctx, column, r)).join(kwargs.match_on === 'all' ? ' AND ' : ' OR ')})`;

export const COLUMN_MAP_EXPECTATIONS: ExpectationDefinition[] = [
  {
    type: 'expect_column_values_to_not_be_null',
    family: 'column_map',
    args: { column: ARG.column, mostly: ARG.mostly },
    columns: oneColumn,
    plan(kwargs, ctx) {
      const column = ctx.column(kwargs.column as string);
      return mapPlan(ctx, { style: 'nulls', considered: null, unexpected: `${column.sql} IS NULL`, value: 'NULL', mostly: kwargs.mostly as number });
    },
  },
  {
    type: 'expect_column_values_to_be_null',
    family: 'column_map',
    args: { column: ARG.column, mostly: ARG.mostly },
    columns: oneColumn,
    plan(kwargs, ctx) {
      const column = ctx.column(kwargs.column as string);
      return mapPlan(ctx, { style: 'nulls', considered: null, unexpected: `${column.sql} IS NOT NULL`, value: jsonValueExpr(column.sql, column.type), mostly: kwargs.mostly as number });
    },
  },
  // GE: every occurrence of a duplicated value is unexpected (pandas `duplicated(keep=False)`), nulls ignored.
  simple('expect_column_values_to_be_unique', {}, (ctx, column) => `NOT ${ctx.duplicates([column], `${column.sql} IS NOT NULL`)}`),
  simple('expect_column_values_to_be_between', betweenArgs, valuesBetweenSql, {
    check: (kwargs) => needsBound(kwargs) ?? minNotAboveMax(kwargs),
  }),
  simple('expect_column_values_to_be_in_set', { value_set: ARG.valueSet }, (ctx, column, kwargs) =>
    kwargs.value_set === null ? 'true' : inSetSql(ctx, column, kwargs.value_set as unknown[]),
  ),
  simple('expect_column_values_to_not_be_in_set', { value_set: ARG.valueSet }, (ctx, column, kwargs) =>
    kwargs.value_set === null ? 'true' : `NOT (${inSetSql(ctx, column, kwargs.value_set as unknown[])})`,
  ),
  simple('expect_column_values_to_match_regex', { regex: { kind: 'string', required: true } }, (ctx, column, kwargs) => regexMatch(ctx, column, kwargs.regex as string), {
    regexes: (kwargs) => [pythonRegexToRe2(kwargs.regex as string)],
  }),
  simple('expect_column_values_to_not_match_regex', { regex: { kind: 'string', required: true } }, (ctx, column, kwargs) => `NOT ${regexMatch(ctx, column, kwargs.regex as string)}`, {
    regexes: (kwargs) => [pythonRegexToRe2(kwargs.regex as string)],
  }),
  simple(
    'expect_column_values_to_match_regex_list',
    { regex_list: { kind: 'string_list', required: true }, match_on: { kind: 'enum', values: ['any', 'all'], default: 'any' } },
    regexListMeets,
    { regexes: (kwargs) => (kwargs.regex_list as string[]).map(pythonRegexToRe2), check: (kwargs) => ((kwargs.regex_list as string[]).length === 0 ? "'regex_list' is empty" : undefined) },
  ),
  simple('expect_column_values_to_not_match_regex_list', { regex_list: { kind: 'string_list', required: true } }, (ctx, column, kwargs) => `NOT ${regexListMeets(ctx, column, { ...kwargs, match_on: 'any' })}`, {
    regexes: (kwargs) => (kwargs.regex_list as string[]).map(pythonRegexToRe2),
    check: (kwargs) => ((kwargs.regex_list as string[]).length === 0 ? "'regex_list' is empty" : undefined),
  }),
  {
    type: 'expect_column_values_to_be_of_type',
    family: 'column_map',
    args: { column: ARG.column, type_: { kind: 'string', required: true }, mostly: ARG.mostly },
    check: (kwargs) =>
      parseTypeName(kwargs.type_ as string) === undefined
        ? `'type_' ${JSON.stringify(kwargs.type_)} is neither a numpy/pandas/Python type name (int64, float64, str, bool, object, datetime64, …) nor a SQL type (INTEGER, BIGINT, VARCHAR, DOUBLE, BOOLEAN, DATE, TIMESTAMP, …)`
        : undefined,
    columns: oneColumn,
    plan(kwargs, ctx) {
      const column = ctx.column(kwargs.column as string);
      const match = matchColumnType(column, parseTypeName(kwargs.type_ as string)!);
      if (match.kind === 'values') return columnMap(ctx, kwargs, column, match.valuesMatch ? 'true' : 'false');
      return { finish: () => ({ success: match.success, result: { observed_value: match.observed } }) };
    },
  },
  simple('expect_column_values_to_be_dateutil_parseable', {}, (ctx, column) => {
    if (!isStringType(column.type)) throw new ExpectationError(STRING_ONLY('expect_column_values_to_be_dateutil_parseable'));
    return ctx.lookup(column, (value) => dateutilParseableSql(value.sql));
  }),
  simple(
    'expect_column_values_to_match_strftime_format',
    { strftime_format: { kind: 'string', required: true } },
    (ctx, column, kwargs) => {
      if (!isStringType(column.type)) throw new ExpectationError(STRING_ONLY('expect_column_values_to_match_strftime_format'));
      const format = kwargs.strftime_format as string;
      const pattern = strftimePattern(format);
      const regex = ctx.param(pattern.regex);
      const duckFormat = duckdbCanParse(pattern) ? ctx.param(format) : undefined;
      return ctx.lookup(column, (value) => strftimeMatchSql(value.sql, pattern, regex, duckFormat));
    },
    {
      check(kwargs) {
        try {
          strftimePattern(kwargs.strftime_format as string);
          return undefined;
        } catch (err) {
          return `'strftime_format' cannot be used: ${(err as Error).message}`;
        }
      },
    },
  ),
  simple(
    'expect_column_value_lengths_to_be_between',
    { min_value: { kind: 'integer', nullable: true, default: null }, max_value: { kind: 'integer', nullable: true, default: null }, strict_min: ARG.strict, strict_max: ARG.strict },
    (ctx, column, kwargs) =>
      boundsSql(
        `length(${pythonStrExpr(column)})`,
        kwargs.min_value === null ? undefined : ctx.param(kwargs.min_value as number),
        kwargs.max_value === null ? undefined : ctx.param(kwargs.max_value as number),
        kwargs,
      ),
    { check: (kwargs) => needsBound(kwargs) ?? minNotAboveMax(kwargs) },
  ),
  simple('expect_column_value_lengths_to_equal', { value: { kind: 'integer', required: true } }, (ctx, column, kwargs) => `length(${pythonStrExpr(column)}) = ${ctx.param(kwargs.value as number)}`),
];
