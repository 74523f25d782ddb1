import { access } from 'node:fs/promises';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';
import { InvalidArgumentError, NotFoundError } from '../../errors.js';
import { tableFormatOf, tableScanSql, type TableFormat } from './table-format.js';

export interface DuckDbOptions {
  /** Worker threads DuckDB may use (default: its own choice, the core count). */
  threads?: number;
  /** Memory DuckDB may hold before spilling to `tempDirectory`, e.g. '512MB'. */
  memoryLimit?: string;
  /** Where larger-than-memory operators spill. */
  tempDirectory?: string;
}

/** A table file opened for reading: its path, format and the SQL that scans it (path bound as `$1`). */
export interface TableFile {
  path: string;
  format: TableFormat;
  scanSql: string;
}

/**
 * An in-memory DuckDB engine for reading and writing table files. One per
 * job; `close()` frees it. Every path reaches DuckDB as a bound parameter.
 */
export class DuckDbEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    readonly connection: DuckDBConnection,
  ) {}

  /**
   * Opens an engine. Without an explicit `memoryLimit`, `FERRY_DATA_MEMORY_LIMIT`
   * (e.g. `512MB`) caps every data job in the process; DuckDB's own default is 80 % of RAM.
   * @throws InvalidArgumentError for a memory limit DuckDB cannot read.
   */
  static async open(options: DuckDbOptions = {}): Promise<DuckDbEngine> {
    const settings: Record<string, string> = {};
    const memoryLimit = options.memoryLimit ?? (process.env.FERRY_DATA_MEMORY_LIMIT || undefined);
    if (options.threads !== undefined) settings.threads = String(options.threads);
    if (memoryLimit !== undefined) settings.memory_limit = memoryLimit;
    if (options.tempDirectory !== undefined) settings.temp_directory = options.tempDirectory;
    let instance: DuckDBInstance;
    try {
      instance = await DuckDBInstance.create(':memory:', settings);
    } catch (err) {
      if (memoryLimit !== undefined && options.memoryLimit === undefined) {
        throw new InvalidArgumentError(`Memory limit '${memoryLimit}' is not a size DuckDB reads (e.g. 512MB, 2GB); fix FERRY_DATA_MEMORY_LIMIT.`, { cause: err });
      }
      throw err;
    }
    return new DuckDbEngine(instance, await instance.connect());
  }

  /**
   * Checks that a table file exists and names its format. A glob pattern (what a directory
   * dataset resolves to) is passed to DuckDB as it is; DuckDB reports one that matches nothing.
   * @throws NotFoundError for a missing file; InvalidArgumentError for an unknown format.
   */
  async tableFile(path: string, format?: string): Promise<TableFile> {
    const resolved = tableFormatOf(path, format);
    try {
      if (!/[*?[]/.test(path)) await access(path);
    } catch {
      throw new NotFoundError(`No such file: ${path}`);
    }
    return { path, format: resolved, scanSql: tableScanSql(resolved) };
  }

  /** Runs a query and returns its rows as plain JS objects (BIGINT → bigint). Errors become INVALID_ARGUMENT naming the file when one is given. */
  async rows(sql: string, params: DuckDBValue[] = [], file?: TableFile): Promise<Record<string, unknown>[]> {
    try {
      const reader = await this.connection.runAndReadAll(sql, params);
      return reader.getRowObjectsJS() as Record<string, unknown>[];
    } catch (err) {
      throw readError(err, file);
    }
  }

  /** Runs a statement that returns nothing useful. */
  async run(sql: string, params: DuckDBValue[] = [], file?: TableFile): Promise<void> {
    try {
      await this.connection.run(sql, params);
    } catch (err) {
      throw readError(err, file);
    }
  }

  /** The columns of a table file with DuckDB's type names, in file order. */
  async describe(file: TableFile): Promise<{ name: string; type: string }[]> {
    const rows = await this.rows(`DESCRIBE SELECT * FROM ${file.scanSql}`, [file.path], file);
    return rows.map((r) => ({ name: String(r.column_name), type: String(r.column_type) }));
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}

/** DuckDB's own message, prefixed with the file it was reading, as a client error: unreadable input is the caller's to fix. */
function readError(err: unknown, file?: TableFile): Error {
  if (!(err instanceof Error) || err.constructor.name !== 'Error') return err as Error;
  const where = file ? `Cannot read ${file.path} as ${file.format}: ` : '';
  return new InvalidArgumentError(`${where}${err.message.split('\n')[0]}`, { cause: err });
}
