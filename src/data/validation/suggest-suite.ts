import type { ColumnProfile, TableProfile } from '../profile/profile-types.js';
import { pandasDtypeName } from './expectations/column-type-match.js';
import { isStringType, quoteIdent } from './expectations/sql-types.js';
import type { ExpectationConfiguration, ExpectationSuite } from './suite-types.js';

/** Up to this many distinct values, a fully listed categorical column gets an in-set expectation. */
const MAX_SET_SIZE = 20;

const expect = (type: string, kwargs: Record<string, unknown>): ExpectationConfiguration => ({ type, kwargs, meta: {} });

/** The share of present values as a `mostly`, rounded down to two decimals so the profiled data passes. */
const mostlyOf = (column: ColumnProfile, rows: number) => Math.floor(((rows - column.nulls) / rows) * 100) / 100;

/**
 * Drafts a suite (GE 1.x shape) that the profiled table passes, to be edited:
 *
 * - the column list, in order, and the row count within ±10%;
 * - per column: not null (with `mostly` rounded down to the present share when
 *   some values are missing; all missing → to be null); its pandas type
 *   (`int64`, `float64`, `bool`, `str`, `datetime64`, as GE's pandas backend
 *   names them); unique when every value is distinct (exact counts only);
 * - numeric and parquet/JSON date columns: values between the observed min and max;
 * - categorical columns whose values all appear in the profile's top values
 *   (at most 20): values in that set;
 * - text columns: value lengths between the observed min and max;
 * - dates in CSV files (text to pandas): dateutil-parseable.
 */
export function suggestSuite(profile: TableProfile, name = `${baseName(profile.source)}_suite`): ExpectationSuite {
  const expectations: ExpectationConfiguration[] = [
    expect('expect_table_columns_to_match_ordered_list', { column_list: profile.columns.map((c) => c.name) }),
    expect('expect_table_row_count_to_be_between', { min_value: Math.floor((profile.rows * 9) / 10), max_value: Math.ceil((profile.rows * 11) / 10) }),
  ];
  for (const column of profile.columns) expectations.push(...columnExpectations(column, profile));
  return {
    name,
    expectations,
    meta: { ferry: { suggested_from: profile.source, format: profile.format, rows: profile.rows } },
  };
}

function columnExpectations(c: ColumnProfile, profile: TableProfile): ExpectationConfiguration[] {
  const out: ExpectationConfiguration[] = [];
  const column = c.name;
  const rows = profile.rows;
  if (rows > 0 && c.nulls === rows) return [expect('expect_column_values_to_be_null', { column })];
  if (c.nulls === 0) out.push(expect('expect_column_values_to_not_be_null', { column }));
  else if (rows > 0 && mostlyOf(c, rows) > 0) out.push(expect('expect_column_values_to_not_be_null', { column, mostly: mostlyOf(c, rows) }));
  // A CSV's dates are text to pandas (and to Ferry's validator); other formats keep their types.
  const csvDate = c.kind === 'datetime' && profile.format === 'csv';
  const dtype = csvDate ? undefined : typeName(c);
  if (dtype !== undefined) out.push(expect('expect_column_values_to_be_of_type', { column, type_: dtype }));
  if (c.distinct_method === 'exact' && c.count > 1 && c.distinct === c.count && c.nulls === 0 && c.kind !== 'boolean') {
    out.push(expect('expect_column_values_to_be_unique', { column }));
  }
  if (c.kind === 'numeric' && typeof c.min === 'number' && typeof c.max === 'number' && !c.infinite) {
    out.push(expect('expect_column_values_to_be_between', { column, min_value: c.min, max_value: c.max }));
  }
  if (c.kind === 'datetime' && !csvDate && typeof c.min === 'string' && typeof c.max === 'string' && !/^TIME\b(?! ?ZONE)/.test(c.type)) {
    out.push(expect('expect_column_values_to_be_between', { column, min_value: c.min, max_value: c.max }));
  }
  if (csvDate) out.push(expect('expect_column_values_to_be_dateutil_parseable', { column }));
  const top = c.top_values ?? [];
  if (c.kind === 'categorical' && top.length > 0 && top.length <= MAX_SET_SIZE && top.reduce((n, t) => n + t.count, 0) === c.count) {
    out.push(expect('expect_column_values_to_be_in_set', { column, value_set: top.map((t) => t.value) }));
  }
  if (c.kind === 'text' && c.length) {
    out.push(expect('expect_column_value_lengths_to_be_between', { column, min_value: c.length.min, max_value: c.length.max }));
  }
  return out;
}

/** The pandas type GE would see, for types worth pinning: `str` for text, numpy names otherwise. */
function typeName(c: ColumnProfile): string | undefined {
  if (isStringType(c.type)) return 'str';
  const dtype = pandasDtypeName({ name: c.name, type: c.type, sql: quoteIdent(c.name), hasNulls: c.nulls > 0 });
  return dtype === 'object_' ? undefined : dtype;
}

function baseName(source: string): string {
  const file = source.split(/[\\/]/).pop() ?? source;
  return file.replace(/^upload:/, 'upload_').replace(/\.(gz|zst)$/i, '').replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9_-]+/g, '_') || 'table';
}
