/**
 * expect_column_values_to_be_of_type over DuckDB columns. GE's answer depends
 * on its backend; Ferry takes two vocabularies:
 *
 * - numpy/pandas/Python names (`int64`, `int`, `float64`, `float`, `bool`,
 *   `str`, `object`, `datetime64`, `int32`, `Timestamp`, …), judged as GE's
 *   pandas backend judges a DataFrame read from the file. The column's pandas
 *   dtype follows pandas' readers: TINYINT…BIGINT → int8…int64 (float64 when
 *   the column has nulls), unsigned likewise uint8…uint64, FLOAT → float32,
 *   DOUBLE → float64, BOOLEAN → bool (object with nulls), TIMESTAMP →
 *   datetime64, TIMESTAMP WITH TIME ZONE → Timestamp, everything else
 *   (VARCHAR, DATE, TIME, DECIMAL, lists, structs) → object. A non-object
 *   dtype is compared with the expected type (observed_value: the dtype's
 *   numpy name). An object column with a type other than object is checked
 *   value by value against Python's isinstance, so `str` passes VARCHAR values
 *   and fails the rest with the usual unexpected counts.
 * - SQL type names (`INTEGER`, `BIGINT`, `VARCHAR`, `TEXT`, `DOUBLE`, `FLOAT`,
 *   `REAL`, `BOOLEAN`, `DATE`, `TIMESTAMP`, `DECIMAL`, …, any case), judged as
 *   GE's SQL backends do: the DuckDB column type must be that type (aliases
 *   resolved: INT = INTEGER, TEXT/STRING = VARCHAR, REAL = FLOAT, DATETIME =
 *   TIMESTAMP, NUMERIC = DECIMAL; DECIMAL without precision matches any).
 *   observed_value is the DuckDB type name.
 *
 * A numpy name is read as one first, case-sensitively: `float` is float64 and
 * `FLOAT` is SQL's 4-byte FLOAT; `int` is int64, `INT` is SQL INTEGER.
 */
import { baseType, isBooleanType, isIntegerType, type ColumnInfo } from './sql-types.js';

// numpy's dtype aliases (numpy 2 on a 64-bit Linux), name → the scalar type's __name__.
const NUMPY: Record<string, string> = {
  int8: 'int8', i1: 'int8', byte: 'int8',
  int16: 'int16', i2: 'int16', short: 'int16',
  int32: 'int32', i4: 'int32', intc: 'int32',
  int64: 'int64', i8: 'int64', int: 'int64', int_: 'int64', long: 'int64', longlong: 'int64', intp: 'int64',
  uint8: 'uint8', u1: 'uint8', ubyte: 'uint8',
  uint16: 'uint16', u2: 'uint16', ushort: 'uint16',
  uint32: 'uint32', u4: 'uint32', uintc: 'uint32',
  uint64: 'uint64', u8: 'uint64', uint: 'uint64', ulong: 'uint64', ulonglong: 'uint64', uintp: 'uint64',
  float16: 'float16', f2: 'float16', half: 'float16',
  float32: 'float32', f4: 'float32', single: 'float32',
  float64: 'float64', f8: 'float64', float: 'float64', double: 'float64', d: 'float64',
  bool: 'bool', bool_: 'bool', '?': 'bool', b1: 'bool',
  object: 'object_', object_: 'object_', O: 'object_',
  str: 'str_', str_: 'str_', U: 'str_', unicode: 'str_',
  bytes: 'bytes_', bytes_: 'bytes_', S: 'bytes_',
  complex: 'complex128', complex128: 'complex128', c16: 'complex128', complex64: 'complex64', c8: 'complex64',
  datetime64: 'datetime64', M8: 'datetime64', 'datetime64[ns]': 'datetime64', 'datetime64[us]': 'datetime64', 'datetime64[ms]': 'datetime64', 'datetime64[s]': 'datetime64', '<M8[ns]': 'datetime64', 'M8[ns]': 'datetime64',
  timedelta64: 'timedelta64', m8: 'timedelta64', 'timedelta64[ns]': 'timedelta64',
};

// Classes pandas exports by these names (`getattr(pd, name)` is a type).
const PANDAS = new Set(['Timestamp', 'Timedelta', 'Period', 'Interval', 'DatetimeTZDtype', 'CategoricalDtype', 'StringDtype', 'Int64Dtype', 'Float64Dtype', 'BooleanDtype']);

// `_native_type_type_map` in GE: Python builtins accepted by name.
const NATIVE: Record<string, string> = { none: 'NoneType', bool: 'bool', int: 'int', long: 'int', float: 'float', bytes: 'bytes', complex: 'complex', str: 'str', string_types: 'str', list: 'list', dict: 'dict' };

const SQL_ALIASES: Record<string, string> = {
  BOOL: 'BOOLEAN', LOGICAL: 'BOOLEAN', BOOLEAN: 'BOOLEAN',
  INT1: 'TINYINT', TINYINT: 'TINYINT', INT2: 'SMALLINT', SHORT: 'SMALLINT', SMALLINT: 'SMALLINT',
  INT: 'INTEGER', INT4: 'INTEGER', INTEGER: 'INTEGER', SIGNED: 'INTEGER', INT8: 'BIGINT', LONG: 'BIGINT', BIGINT: 'BIGINT',
  INT128: 'HUGEINT', HUGEINT: 'HUGEINT', UTINYINT: 'UTINYINT', USMALLINT: 'USMALLINT', UINTEGER: 'UINTEGER', UBIGINT: 'UBIGINT', UHUGEINT: 'UHUGEINT',
  FLOAT: 'FLOAT', FLOAT4: 'FLOAT', REAL: 'FLOAT', DOUBLE: 'DOUBLE', FLOAT8: 'DOUBLE', 'DOUBLE PRECISION': 'DOUBLE',
  DECIMAL: 'DECIMAL', NUMERIC: 'DECIMAL',
  VARCHAR: 'VARCHAR', TEXT: 'VARCHAR', STRING: 'VARCHAR', CHAR: 'VARCHAR', BPCHAR: 'VARCHAR', NVARCHAR: 'VARCHAR',
  DATE: 'DATE', TIME: 'TIME', TIMESTAMP: 'TIMESTAMP', DATETIME: 'TIMESTAMP', TIMESTAMP_S: 'TIMESTAMP_S', TIMESTAMP_MS: 'TIMESTAMP_MS', TIMESTAMP_NS: 'TIMESTAMP_NS',
  TIMESTAMPTZ: 'TIMESTAMP WITH TIME ZONE', 'TIMESTAMP WITH TIME ZONE': 'TIMESTAMP WITH TIME ZONE',
  INTERVAL: 'INTERVAL', BLOB: 'BLOB', BYTEA: 'BLOB', BINARY: 'BLOB', VARBINARY: 'BLOB', UUID: 'UUID', JSON: 'JSON',
};

/** How an expected type name is read. */
export type TypeExpectation =
  | { mode: 'pandas'; types: Set<string> }
  | { mode: 'sql'; type: string; params: string | undefined };

/**
 * Reads an expected type name: numpy and pandas names first (case-sensitive,
 * as numpy is), then SQL type names in any case, then Python builtins.
 * Returns undefined for a name that is none of these.
 */
export function parseTypeName(name: string): TypeExpectation | undefined {
  const native = NATIVE[name.toLowerCase()];
  if (NUMPY[name] !== undefined || PANDAS.has(name)) {
    const types = new Set([NUMPY[name] !== undefined ? `np:${NUMPY[name]}` : `pd:${name}`]);
    if (native !== undefined) types.add(`py:${native}`);
    return { mode: 'pandas', types };
  }
  const m = /^\s*([A-Za-z_ ]+?[A-Za-z0-9_]*)\s*(\(.*\))?\s*$/.exec(name);
  const sql = m ? SQL_ALIASES[m[1]!.toUpperCase().replace(/\s+/g, ' ')] : undefined;
  if (sql !== undefined) return { mode: 'sql', type: sql, params: m![2]?.replace(/\s+/g, '') };
  return native === undefined ? undefined : { mode: 'pandas', types: new Set([`py:${native}`]) };
}

/** The numpy scalar type name of the pandas dtype a reader gives this column. */
export function pandasDtypeName(column: ColumnInfo): string {
  const base = baseType(column.type);
  if (isIntegerType(column.type)) {
    if (column.hasNulls) return 'float64';
    const unsigned = base.startsWith('U');
    const bits: Record<string, number> = { TINYINT: 8, SMALLINT: 16, INTEGER: 32, BIGINT: 64, HUGEINT: 64 };
    const width = bits[unsigned ? base.slice(1) : base] ?? 64;
    return `${unsigned ? 'uint' : 'int'}${width}`;
  }
  if (base === 'FLOAT') return 'float32';
  if (base === 'DOUBLE') return 'float64';
  if (isBooleanType(column.type)) return column.hasNulls ? 'object_' : 'bool';
  if (base === 'TIMESTAMP' || base === 'TIMESTAMP_S' || base === 'TIMESTAMP_MS' || base === 'TIMESTAMP_NS') return 'datetime64';
  if (base === 'TIMESTAMP WITH TIME ZONE') return 'Timestamp';
  return 'object_';
}

/** The Python class of the non-null values in an object column, for the value-by-value check. */
function pythonValueTypes(column: ColumnInfo): string[] {
  const base = baseType(column.type);
  if (base === 'VARCHAR') return ['str'];
  if (base === 'BOOLEAN') return ['bool', 'int'];
  if (base === 'BLOB') return ['bytes'];
  if (base.startsWith('STRUCT') || base.startsWith('MAP')) return ['dict'];
  return [];
}

/** What an of_type check concluded for a column. */
export type TypeMatch =
  /** Compared as a whole: success and the observed type name. */
  | { kind: 'column'; success: boolean; observed: string }
  /** Checked value by value: whether each non-null value is of the type (all values of a column share one class). */
  | { kind: 'values'; valuesMatch: boolean };

export function matchColumnType(column: ColumnInfo, expected: TypeExpectation): TypeMatch {
  if (expected.mode === 'sql') {
    const actualBase = SQL_ALIASES[baseType(column.type)] ?? baseType(column.type);
    const actualParams = /(\(.*\))$/.exec(column.type)?.[1]?.replace(/\s+/g, '');
    const success = actualBase === expected.type && (expected.params === undefined || expected.params === actualParams);
    return { kind: 'column', success, observed: column.type };
  }
  const dtype = pandasDtypeName(column);
  const isObject = dtype === 'object_';
  if (isObject && !expected.types.has('np:object_')) {
    return { kind: 'values', valuesMatch: pythonValueTypes(column).some((t) => expected.types.has(`py:${t}`)) };
  }
  const actual = dtype === 'Timestamp' ? 'pd:Timestamp' : `np:${dtype}`;
  return { kind: 'column', success: expected.types.has(actual), observed: dtype };
}
