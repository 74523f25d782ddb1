/**
 * How the drift reader reads each column: from the DuckDB types of both sides
 * and the declared types, the SQL expression per side and whether its values
 * arrive as numbers (a Float64Array, NaN for null) or as strings and booleans.
 */
import type { ColumnType } from './drift-types.js';

/** A DuckDB type in the terms that decide a column's drift type. */
export type TypeFamily = 'integer' | 'float' | 'boolean' | 'string' | 'datetime' | 'other';

const INTEGER = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT)$/;
const FLOAT = /^(FLOAT|DOUBLE|DECIMAL(\(\d+,\s*\d+\))?)$/;
const STRING = /^(VARCHAR|UUID|ENUM\(.*\))$/s;
const DATETIME = /^(DATE|TIME|TIME_NS|TIME WITH TIME ZONE|TIMESTAMP|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|TIMESTAMP WITH TIME ZONE)$/;

/**
 * DECIMAL counts as float: pandas would hold Parquet decimals as Python
 * objects, which Evidently would then call categorical — never what a user means.
 */
export function typeFamily(duckType: string): TypeFamily {
  if (INTEGER.test(duckType)) return 'integer';
  if (FLOAT.test(duckType)) return 'float';
  if (duckType === 'BOOLEAN') return 'boolean';
  if (STRING.test(duckType)) return 'string';
  if (DATETIME.test(duckType)) return 'datetime';
  return 'other';
}

export function isNumericFamily(family: TypeFamily): boolean {
  return family === 'integer' || family === 'float';
}

/** A family for messages, with DuckDB's type: `numerical (BIGINT)`, `text (VARCHAR)`. */
export function familyLabel(family: TypeFamily, duckType: string): string {
  const kind = isNumericFamily(family) ? 'numerical' : family === 'string' ? 'text' : family;
  return `${kind} (${duckType})`;
}

/**
 * One side's read. `number`: doubles, NaN for null; `value`: JS strings or
 * booleans; `text-number`: text the reader turns into numbers itself.
 */
export interface SideRead {
  sql: string;
  as: 'number' | 'value' | 'text-number';
}

/** One side's column as DuckDB typed it; `fromText` where the format stores text (CSV, JSON lines) and DuckDB guessed the type. */
export interface SideType {
  type: string;
  fromText: boolean;
}

export interface ColumnPlan {
  column: string;
  referenceType: string | null;
  currentType: string | null;
  /** The families the column is read as (a date sniffed from text counts as text, as pandas would leave it). */
  referenceFamily?: TypeFamily;
  currentFamily?: TypeFamily;
  declared?: ColumnType;
  /** `not computed: …` when the column is not read at all. */
  skip?: string;
  reference?: SideRead;
  current?: SideRead;
}

/** A column name as a DuckDB identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

function asNumbers(q: string, family: TypeFamily, duckType: string): SideRead | string {
  switch (family) {
    case 'integer':
    case 'float':
    case 'boolean':
      return { sql: `CAST(${q} AS DOUBLE)`, as: 'number' };
    case 'string':
      return { sql: `CAST(${q} AS VARCHAR)`, as: 'text-number' };
    case 'datetime':
      // Seconds since the epoch (since midnight for a time of day).
      return { sql: `CAST(epoch(${q}) AS DOUBLE)`, as: 'number' };
    case 'other':
      return `${duckType} values cannot be read as numbers`;
  }
}

function natural(q: string, family: TypeFamily): SideRead {
  if (isNumericFamily(family)) return { sql: `CAST(${q} AS DOUBLE)`, as: 'number' };
  if (family === 'boolean') return { sql: q, as: 'value' };
  return { sql: `CAST(${q} AS VARCHAR)`, as: 'value' };
}

function sameClass(a: TypeFamily, b: TypeFamily): boolean {
  return a === b || (isNumericFamily(a) && isNumericFamily(b));
}

/** pandas reads CSV and JSON text without parsing dates: a sniffed date stays text there. */
function readFamily(side: SideType): TypeFamily {
  const family = typeFamily(side.type);
  return family === 'datetime' && side.fromText ? 'string' : family;
}

/**
 * The read plan of a column present on both sides. Undeclared columns of
 * different classes are still read, so that an all-null side (an empty CSV
 * column reads as VARCHAR) can take the other side's type instead of being
 * reported as a mismatch.
 */
export function planColumn(column: string, reference: SideType, current: SideType, declared?: ColumnType): ColumnPlan {
  const q = quoteIdentifier(column);
  if (declared === 'numerical') {
    const base: ColumnPlan = { column, referenceType: reference.type, currentType: current.type, declared };
    const r = asNumbers(q, typeFamily(reference.type), reference.type);
    const c = asNumbers(q, typeFamily(current.type), current.type);
    if (typeof r === 'string') return { ...base, skip: `not computed: declared numerical, but ${r} (reference)` };
    if (typeof c === 'string') return { ...base, skip: `not computed: declared numerical, but ${c} (current)` };
    return { ...base, reference: r, current: c };
  }
  const ref = readFamily(reference);
  const cur = readFamily(current);
  const base: ColumnPlan = { column, referenceType: reference.type, currentType: current.type, referenceFamily: ref, currentFamily: cur, declared };
  if (declared === 'categorical') {
    if (sameClass(ref, cur) && (isNumericFamily(ref) || ref === 'boolean')) return { ...base, reference: natural(q, ref), current: natural(q, cur) };
    // Different classes meet as text, so 1 and '1' are the same category.
    const text: SideRead = { sql: `CAST(${q} AS VARCHAR)`, as: 'value' };
    return { ...base, reference: text, current: text };
  }
  for (const [family, duckType] of [
    [ref, reference.type],
    [cur, current.type],
  ] as const) {
    if (family === 'datetime') {
      return { ...base, skip: `not computed: datetime column (${duckType}); Evidently does not test datetime features — declare it numerical or categorical to compare it` };
    }
    if (family === 'other') return { ...base, skip: `not computed: unsupported type ${duckType}; declare it categorical to compare its values as text` };
  }
  return { ...base, reference: natural(q, ref), current: natural(q, cur) };
}
