/** Reading and writing table files (CSV, Parquet, JSON lines) through DuckDB. */
export { DuckDbEngine, type DuckDbOptions, type TableFile } from './duckdb-engine.js';
export { TABLE_FORMATS, tableFormatOf, tableScanSql, type TableFormat } from './table-format.js';
