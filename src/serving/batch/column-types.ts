import { BIGINT, BOOLEAN, DOUBLE, FLOAT, INTEGER, SMALLINT, TINYINT, UBIGINT, UINTEGER, USMALLINT, UTINYINT, VARCHAR, type DuckDBType } from '@duckdb/node-api';
import type { TensorDatatype } from '../tensor.js';

/**
 * The DuckDB column type that holds one element of each tensor datatype.
 * FP16 travels as FLOAT: DuckDB has no half type, and every half value is exact in a float.
 */
export const SQL_TYPES: Record<TensorDatatype, string> = {
  BOOL: 'BOOLEAN',
  UINT8: 'UTINYINT',
  UINT16: 'USMALLINT',
  UINT32: 'UINTEGER',
  UINT64: 'UBIGINT',
  INT8: 'TINYINT',
  INT16: 'SMALLINT',
  INT32: 'INTEGER',
  INT64: 'BIGINT',
  FP16: 'FLOAT',
  FP32: 'FLOAT',
  FP64: 'DOUBLE',
  BYTES: 'VARCHAR',
};

const DUCK_TYPES: Record<string, DuckDBType> = {
  BOOLEAN,
  UTINYINT,
  USMALLINT,
  UINTEGER,
  UBIGINT,
  TINYINT,
  SMALLINT,
  INTEGER,
  BIGINT,
  FLOAT,
  DOUBLE,
  VARCHAR,
};

/** The node-api type object for one of the SQL type names above (for building data chunks). */
export function duckType(sqlType: string): DuckDBType {
  const t = DUCK_TYPES[sqlType];
  if (!t) throw new Error(`no DuckDB type object for ${sqlType}`);
  return t;
}

/** A column name as a DuckDB identifier: double quotes, inner quotes doubled. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

const SMALL_INTEGER_TYPES = new Set(['TINYINT', 'SMALLINT', 'INTEGER', 'UTINYINT', 'USMALLINT', 'UINTEGER']);
const FLOAT_TYPES = new Set(['FLOAT', 'DOUBLE', 'REAL']);

/**
 * How a row key column is written out: integers as BIGINT, floats as DOUBLE,
 * anything else (strings, dates, UBIGINT, HUGEINT…) as its text.
 */
export function keySqlType(duckdbType: string): 'BIGINT' | 'DOUBLE' | 'VARCHAR' {
  const t = duckdbType.toUpperCase();
  if (t === 'BIGINT' || SMALL_INTEGER_TYPES.has(t)) return 'BIGINT';
  if (FLOAT_TYPES.has(t)) return 'DOUBLE';
  return 'VARCHAR';
}

/**
 * How a key travels through JavaScript: integers of at most 32 bits (and row
 * numbers) as DOUBLE, which holds them exactly and costs no BigInt per row;
 * they are cast back to BIGINT when the output is written.
 */
export function keyStageType(duckdbType: string | undefined): 'BIGINT' | 'DOUBLE' | 'VARCHAR' {
  if (duckdbType === undefined || SMALL_INTEGER_TYPES.has(duckdbType.toUpperCase())) return 'DOUBLE';
  return keySqlType(duckdbType);
}

/** True for DuckDB's list and fixed-size array types (`DOUBLE[]`, `FLOAT[4]`). */
export function isListType(duckdbType: string): boolean {
  return /\[\d*\]$/.test(duckdbType);
}
