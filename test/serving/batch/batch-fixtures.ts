/** Files and models for the batch prediction tests. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDbEngine } from '../../../src/data/table/index.js';
import type { ModelSignature } from '../../../src/registry/model-package/index.js';
import { packageFiles } from '../serving-fixtures.js';

/** A CSV file from a header and rows (values written as given; null → empty). */
export async function writeCsv(path: string, header: string[], rows: unknown[][]): Promise<string> {
  const line = (r: unknown[]) => r.map((v) => (v === null || v === undefined ? '' : String(v))).join(',');
  await writeFile(path, `${[header.join(','), ...rows.map(line)].join('\n')}\n`);
  return path;
}

/** A JSON-lines file, one object per row. */
export async function writeJsonl(path: string, rows: Record<string, unknown>[]): Promise<string> {
  await writeFile(path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  return path;
}

/** Runs one DuckDB statement on a throwaway engine (e.g. a COPY … TO that writes a Parquet file). */
export async function duck(sql: string, params: (string | number)[] = []): Promise<void> {
  const engine = await DuckDbEngine.open({ threads: 1 });
  try {
    await engine.run(sql, params);
  } finally {
    engine.close();
  }
}

/** The rows of a table file as DuckDB reads it (BIGINT → bigint). */
export async function readTable(path: string, sql = 'SELECT * FROM {scan}'): Promise<Record<string, unknown>[]> {
  const engine = await DuckDbEngine.open({ threads: 1 });
  try {
    const file = await engine.tableFile(path);
    return await engine.rows(sql.replace('{scan}', file.scanSql), [file.path], file);
  } finally {
    engine.close();
  }
}

/** A package directory (MLmodel + model.onnx) around an ONNX graph. */
export async function writePackageDir(dir: string, bytes: Uint8Array, signature?: ModelSignature): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const [name, body] of Object.entries(packageFiles(bytes, signature))) await writeFile(join(dir, name), body);
  return dir;
}
