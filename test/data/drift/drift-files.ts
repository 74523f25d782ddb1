/**
 * Writes columns to CSV, Parquet or JSON lines through DuckDB's appender, so
 * that doubles reach the file bit-for-bit and each column has the SQL type
 * asked for. Shorter columns are padded with nulls.
 */
import { extname } from 'node:path';
import { DuckDBDataChunk, DOUBLE, type DuckDBType } from '@duckdb/node-api';
import type { DuckDbEngine } from '../../../src/data/table/duckdb-engine.js';

export type SqlType = 'DOUBLE' | 'BIGINT' | 'VARCHAR' | 'BOOLEAN' | 'DATE' | 'INTEGER[]';

export interface FileColumn {
  name: string;
  type: SqlType;
  values: ArrayLike<number | string | boolean | null>;
}

let tables = 0;

const CAST_LATER = new Set<SqlType>(['DATE', 'INTEGER[]']);

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

function copyOptions(path: string): string {
  const ext = extname(path).toLowerCase();
  if (ext === '.parquet') return '(FORMAT parquet)';
  if (ext === '.jsonl') return '(FORMAT json)';
  return '(FORMAT csv, HEADER true)';
}

/** Appends and copies out; DuckDB's COPY takes no bound target, so the (test-made) path is quoted. */
export async function writeTableFile(engine: DuckDbEngine, path: string, columns: readonly FileColumn[]): Promise<void> {
  const table = `drift_file_${++tables}`;
  const rows = Math.max(0, ...columns.map((c) => c.values.length));
  await engine.run(`CREATE TABLE ${table} (${columns.map((c) => `${quote(c.name)} ${CAST_LATER.has(c.type) ? 'VARCHAR' : c.type}`).join(', ')})`);
  try {
    if (columns.every((c) => c.type === 'DOUBLE' && ArrayBuffer.isView(c.values))) {
      await appendDoubles(engine, table, columns, rows);
    } else {
      const appender = await engine.connection.createAppender(table);
      for (let i = 0; i < rows; i++) {
        for (const c of columns) {
          const v = i < c.values.length ? c.values[i]! : null;
          if (v === null) appender.appendNull();
          else if (c.type === 'DOUBLE') appender.appendDouble(Number(v));
          else if (c.type === 'BIGINT') appender.appendBigInt(BigInt(v as number));
          else if (c.type === 'BOOLEAN') appender.appendBoolean(Boolean(v));
          else appender.appendVarchar(String(v));
        }
        appender.endRow();
      }
      appender.closeSync();
    }
    // Dates and lists go in as text and are cast in place.
    for (const c of columns.filter((c) => CAST_LATER.has(c.type))) {
      await engine.run(`ALTER TABLE ${table} ALTER ${quote(c.name)} TYPE ${c.type} USING CAST(${quote(c.name)} AS ${c.type})`);
    }
    await engine.run(`COPY ${table} TO '${path.replace(/'/g, "''")}' ${copyOptions(path)}`);
  } finally {
    await engine.run(`DROP TABLE ${table}`);
  }
}

/** Large all-double tables, a chunk of columns at a time. */
async function appendDoubles(engine: DuckDbEngine, table: string, columns: readonly FileColumn[], rows: number): Promise<void> {
  const appender = await engine.connection.createAppender(table);
  const types: DuckDBType[] = columns.map(() => DOUBLE);
  const size = 2048;
  for (let start = 0; start < rows; start += size) {
    const n = Math.min(size, rows - start);
    const chunk = DuckDBDataChunk.create(types, n);
    chunk.setColumns(
      columns.map((c) => {
        const out = new Array<number | null>(n);
        for (let i = 0; i < n; i++) {
          const v = start + i < c.values.length ? (c.values[start + i] as number) : null;
          out[i] = v === null ? null : v;
        }
        return out;
      }),
    );
    appender.appendDataChunk(chunk);
  }
  appender.closeSync();
}
