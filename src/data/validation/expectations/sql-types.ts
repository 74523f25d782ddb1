/**
 * How a DuckDB column looks to Great Expectations' pandas backend: which
 * Python kind its values have, how `astype(str)` prints them, and how GE's JSON
 * serialiser writes them in results.
 */

/** A column of the table being validated. */
export interface ColumnInfo {
  name: string;
  /** DuckDB's type name, e.g. BIGINT, DOUBLE, VARCHAR, DECIMAL(18,3), TIMESTAMP. */
  type: string;
  /** The column as a quoted SQL identifier. */
  sql: string;
  /** Whether any value is null; pandas turns such integer columns into float64. */
  hasNulls: boolean;
}

/** Quotes a column name as a DuckDB identifier (`"` doubled). */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'BIGINT', 'HUGEINT', 'UTINYINT', 'USMALLINT', 'UINTEGER', 'UBIGINT', 'UHUGEINT']);
const FLOAT_TYPES = new Set(['FLOAT', 'DOUBLE']);
const TIMESTAMP_TYPES = new Set(['TIMESTAMP', 'TIMESTAMP_S', 'TIMESTAMP_MS', 'TIMESTAMP_NS']);

/** The type without its parameters: DECIMAL(18,3) → DECIMAL. */
export function baseType(type: string): string {
  return type.replace(/\(.*\)$/, '').trim().toUpperCase();
}

export const isIntegerType = (type: string) => INTEGER_TYPES.has(baseType(type));
export const isFloatType = (type: string) => FLOAT_TYPES.has(baseType(type));
export const isDecimalType = (type: string) => baseType(type) === 'DECIMAL';
export const isNumericType = (type: string) => isIntegerType(type) || isFloatType(type) || isDecimalType(type);
export const isBooleanType = (type: string) => baseType(type) === 'BOOLEAN';
export const isStringType = (type: string) => baseType(type) === 'VARCHAR';
export const isTimestampType = (type: string) => TIMESTAMP_TYPES.has(baseType(type));
export const isTimestampTzType = (type: string) => baseType(type) === 'TIMESTAMP WITH TIME ZONE';
export const isDateType = (type: string) => baseType(type) === 'DATE';
/** Dates and timestamps: what GE compares against date bounds. */
export const isTemporalType = (type: string) => isDateType(type) || isTimestampType(type) || isTimestampTzType(type);

/**
 * The kinds of Python values that compare with each other (`<`, `==`):
 * numbers (bool is an int in Python), strings, datetimes; anything else only
 * with itself.
 */
export type ValueKind = 'number' | 'string' | 'datetime' | 'other';

export function valueKind(type: string): ValueKind {
  if (isNumericType(type) || isBooleanType(type)) return 'number';
  if (isStringType(type)) return 'string';
  if (isTemporalType(type)) return 'datetime';
  return 'other';
}

/** The column as a number for arithmetic: pandas sums and averages booleans as 0/1. */
export function numericExpr(column: ColumnInfo): string {
  return isBooleanType(column.type) ? `CAST(${column.sql} AS INTEGER)` : column.sql;
}

// Python's isoformat() prints microseconds only when there are some.
const isoTimestamp = (sql: string, sep: string) =>
  `regexp_replace(strftime(${sql}, '%Y-%m-%d${sep}%H:%M:%S.%f'), '\\.000000$', '')`;

/**
 * SQL for a value as GE writes it in results (its `convert_to_json_serializable`):
 * dates and datetimes as ISO strings, decimals and huge integers as floats,
 * other scalars as they are.
 */
export function jsonValueExpr(sql: string, type: string): string {
  const base = baseType(type);
  if (isDateType(type)) return `strftime(${sql}, '%Y-%m-%d')`;
  if (isTimestampType(type)) return isoTimestamp(`CAST(${sql} AS TIMESTAMP)`, 'T');
  if (isTimestampTzType(type)) return `(${isoTimestamp(`timezone('UTC', ${sql})`, 'T')} || '+00:00')`;
  if (base === 'DECIMAL' || base === 'HUGEINT' || base === 'UHUGEINT') return `CAST(${sql} AS DOUBLE)`;
  if (isNumericType(type) || isBooleanType(type) || isStringType(type)) return sql;
  if (/^(LIST|STRUCT|MAP)\b|\[\]$/.test(base)) return sql;
  return `CAST(${sql} AS VARCHAR)`;
}

/**
 * SQL for the column as pandas' `astype(str)` prints it, which GE's regex and
 * length expectations look at: `True`/`False` for booleans, integers that
 * pandas read as float64 (because the column has nulls) with `.0`.
 */
export function pythonStrExpr(column: ColumnInfo): string {
  const { sql, type } = column;
  if (isStringType(type)) return sql;
  if (isBooleanType(type)) return `CASE WHEN ${sql} THEN 'True' ELSE 'False' END`;
  if (isIntegerType(type) && column.hasNulls) return `CAST(CAST(${sql} AS DOUBLE) AS VARCHAR)`;
  if (isTimestampType(type)) return isoTimestamp(`CAST(${sql} AS TIMESTAMP)`, ' ');
  return `CAST(${sql} AS VARCHAR)`;
}

/** A value from DuckDB's JS conversion as plain JSON: BIGINT/HUGEINT → number, bytes → text. */
export function toJsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString().replace(/\.000Z$/, '').replace(/Z$/, '');
  if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1');
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toJsonValue(v)]));
  }
  return value;
}

/**
 * A float as GE serialises it: `float(round(x, 15))` (15 decimals). Integers
 * and non-finite values pass through.
 */
export function round15(value: number): number {
  if (!Number.isFinite(value) || Number.isInteger(value) || Math.abs(value) >= 1e21) return value;
  return Number(value.toFixed(15));
}
