import type { DuckDBValue } from '@duckdb/node-api';
import { InvalidArgumentError } from '../../errors.js';
import type { DuckDbEngine, TableFile } from '../table/duckdb-engine.js';
import { isFloatType, quoteIdent, type ColumnInfo } from './expectations/sql-types.js';

/** What pandas reads as missing in a CSV cell (`read_csv`'s default `na_values`). */
const PANDAS_NA_VALUES = ['', '#N/A', '#N/A N/A', '#NA', '-1.#IND', '-1.#QNAN', '-NaN', '-nan', '1.#IND', '1.#QNAN', '<NA>', 'N/A', 'NA', 'NULL', 'NaN', 'None', 'n/a', 'nan', 'null'];

/**
 * The scan of a table file (path bound as `path`) as GE's pandas backend
 * would see it. CSV cells are typed as pandas' `read_csv` types them:
 * booleans, integers, floats and otherwise text (no date detection, so date
 * strings stay strings for the regex, strftime and dateutil expectations),
 * with pandas' missing-value markers read as null. Parquet and JSON lines keep
 * their own types.
 */
export function validationScanSql(file: TableFile, path = '$1'): string {
  switch (file.format) {
    case 'csv': {
      const na = PANDAS_NA_VALUES.map((v) => `'${v}'`).join(', ');
      return `read_csv(${path}, auto_detect = true, header = true, auto_type_candidates = ['BOOLEAN', 'BIGINT', 'DOUBLE', 'VARCHAR'], nullstr = [${na}])`;
    }
    case 'parquet':
      return `read_parquet(${path}, file_row_number = true)`;
    case 'jsonl':
      return file.scanSql.replace('$1', path);
  }
}

let tableCounter = 0;

/** The rows being validated, as a relation later queries select from. */
export interface LoadedTable {
  /** SQL relation holding the loaded columns and the row number, or undefined when no column was needed. */
  from: string | undefined;
  /** The 0-based row number (file order) in `from`. */
  rowNumber: string;
  /** Parameters `from` needs (the file path when it reads the file). */
  params: Record<string, DuckDBValue>;
  rowCount: number;
  /** Every column of the file; `hasNulls` is known for the loaded ones only. */
  columns: ColumnInfo[];
  drop(): Promise<void>;
}

// pandas counts float NaN as missing, so the loaded columns hold it as null.
const loadedColumn = (c: ColumnInfo) => (isFloatType(c.type) ? `CASE WHEN isnan(${c.sql}) THEN NULL ELSE ${c.sql} END AS ${c.sql}` : c.sql);

/**
 * Makes the `needed` columns queryable in file order. Parquet is read in
 * place (its `file_row_number` keeps the order, and a columnar rescan is
 * cheap); CSV and JSON lines are parsed once into a temporary table whose
 * `rowid` is the row number. Then the row count and which loaded columns have
 * nulls are read.
 */
export async function loadTable(engine: DuckDbEngine, file: TableFile, needed: Set<string>): Promise<LoadedTable> {
  const described = await engine.rows(`DESCRIBE SELECT * FROM ${validationScanSql(file)}`, [file.path], file);
  const columns: ColumnInfo[] = described
    .filter((r) => !(file.format === 'parquet' && r.column_name === 'file_row_number'))
    .map((r) => ({ name: String(r.column_name), type: String(r.column_type), sql: quoteIdent(String(r.column_name)), hasNulls: false }));
  const loaded = columns.filter((c) => needed.has(c.name));
  if (loaded.length === 0) {
    const [row] = await engine.rows(`SELECT count(*) AS n FROM ${validationScanSql(file)}`, [file.path], file);
    return { from: undefined, rowNumber: 'rowid', params: {}, rowCount: Number(row!.n), columns, drop: async () => {} };
  }
  const select = loaded.map(loadedColumn).join(', ');
  let table: Omit<LoadedTable, 'rowCount' | 'columns'>;
  if (file.format === 'parquet') {
    table = {
      from: `(SELECT file_row_number AS __ferry_file_row, ${select} FROM ${validationScanSql(file, '$__ferry_path')})`,
      rowNumber: '__ferry_file_row',
      params: { __ferry_path: file.path },
      drop: async () => {},
    };
  } else {
    const name = `"__ferry_validation_${process.pid}_${++tableCounter}"`;
    await engine.run(`CREATE TEMP TABLE ${name} AS SELECT ${select} FROM ${validationScanSql(file)}`, [file.path], file);
    table = { from: name, rowNumber: 'rowid', params: {}, drop: () => engine.run(`DROP TABLE IF EXISTS ${name}`) };
  }
  try {
    const stats = `SELECT count(*) AS n, ${loaded.map((c, i) => `count(*) - count(${c.sql}) AS "nulls_${i}"`).join(', ')} FROM ${table.from}`;
    let row: Record<string, unknown> | undefined;
    try {
      [row] = (await engine.connection.runAndReadAll(stats, table.params)).getRowObjectsJS() as Record<string, unknown>[];
    } catch (err) {
      throw new InvalidArgumentError(`Cannot read ${file.path} as ${file.format}: ${(err as Error).message.split('\n')[0]}`, { cause: err });
    }
    loaded.forEach((c, i) => (c.hasNulls = Number(row![`nulls_${i}`]) > 0));
    return { ...table, rowCount: Number(row!.n), columns };
  } catch (err) {
    await table.drop();
    throw err;
  }
}
