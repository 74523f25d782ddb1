import { listValue } from '@duckdb/node-api';
import { DuckDbEngine } from '../table/duckdb-engine.js';
import { tableFormatOf, tableScanSql, type TableFormat } from '../table/table-format.js';
import type { PointerSchema } from './pointer-file.js';

/**
 * CSV and JSON lines must be scanned to count rows; past this many bytes the
 * summary is skipped rather than slow `ferry data add` down. Parquet is
 * summarised at any size: its row count and columns are in its metadata.
 */
export const SCHEMA_SCAN_LIMIT_BYTES = 200 * 1024 * 1024;

/**
 * The schema summary of a table file, or of a directory whose files all have
 * one table format (hidden files and Spark's `_SUCCESS` markers aside) and the
 * same columns: format, total rows, columns as DuckDB types them. Undefined —
 * never an error — for anything else: other files, mixed formats or columns,
 * unreadable tables, or CSV / JSON lines over `SCHEMA_SCAN_LIMIT_BYTES`.
 */
export async function tableSchema(files: { abs: string; rel: string; size: number }[]): Promise<PointerSchema | undefined> {
  const tables = files.filter((f) => !isSidecar(f.rel));
  if (tables.length === 0) return undefined;
  const formats = new Set(tables.map((f) => formatOf(f.rel)));
  const format = formats.size === 1 ? [...formats][0] : undefined;
  if (format === undefined) return undefined;
  const bytes = tables.reduce((s, f) => s + f.size, 0);
  if (format !== 'parquet' && bytes > SCHEMA_SCAN_LIMIT_BYTES) return undefined;
  let engine: DuckDbEngine | undefined;
  try {
    engine = await DuckDbEngine.open({ threads: 2, memoryLimit: '1GB' });
    const scan = tableScanSql(format);
    const param = tables.length === 1 ? tables[0]!.abs : listValue(tables.map((f) => f.abs).sort());
    const columns = (await engine.rows(`DESCRIBE SELECT * FROM ${scan}`, [param])).map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
    const [count] = await engine.rows(`SELECT count(*) AS n FROM ${scan}`, [param]);
    return { format, rows: Number(count?.n ?? 0), columns };
  } catch {
    return undefined;
  } finally {
    engine?.close();
  }
}

function formatOf(rel: string): TableFormat | undefined {
  try {
    return tableFormatOf(rel);
  } catch {
    return undefined;
  }
}

function isSidecar(rel: string): boolean {
  const name = rel.slice(rel.lastIndexOf('/') + 1);
  return name.startsWith('.') || name === '_SUCCESS';
}
