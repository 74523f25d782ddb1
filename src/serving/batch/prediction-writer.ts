import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { DuckDBDataChunk, listValue, type DuckDBAppender, type DuckDBVector } from '@duckdb/node-api';
import { InvalidArgumentError } from '../../errors.js';
import type { DuckDbEngine, TableFormat } from '../../data/table/index.js';
import { fromHalf, type Tensor, type TensorData, type TensorMetadata } from '../tensor.js';
import type { KeyPlan } from './column-plan.js';
import { duckType, quoteIdent } from './column-types.js';
import { declaredWidth, outputLayout, resultWidths, type OutputColumn } from './output-layout.js';
import type { KeyValues } from './row-reader.js';

export interface PredictionWriterOptions {
  /** The predictions file; written under a temporary name and renamed by `finish`. */
  path: string;
  format: TableFormat;
  /** A private folder for part files (removed by the caller). */
  workDir: string;
  key: KeyPlan;
  /** The model's outputs, in the order their columns are written. */
  outputs: TensorMetadata[];
  /** Rows held in DuckDB before they go out to a Parquet part file. Default 1,000,000. */
  partRows?: number;
}

/** DuckDB's data chunks hold at most this many rows (its standard vector size). */
const CHUNK_ROWS = 2048;

const COPY_OPTIONS: Record<TableFormat, string> = {
  parquet: '(FORMAT parquet)',
  csv: '(FORMAT csv, HEADER true)',
  jsonl: '(FORMAT json)',
};

type Put = (vec: DuckDBVector, data: TensorData, from: number, count: number, offset: number, stride: number) => void;

const putNumber: Put = (vec, data, from, count, offset, stride) => {
  const a = data as Float32Array;
  for (let i = 0; i < count; i++) vec.setItem(i, a[(from + i) * stride + offset]!);
};
const putHalf: Put = (vec, data, from, count, offset, stride) => {
  const a = data as Uint16Array;
  for (let i = 0; i < count; i++) vec.setItem(i, fromHalf(a[(from + i) * stride + offset]!));
};
const putBool: Put = (vec, data, from, count, offset, stride) => {
  const a = data as Uint8Array;
  for (let i = 0; i < count; i++) vec.setItem(i, a[(from + i) * stride + offset] !== 0);
};
const putAny: Put = (vec, data, from, count, offset, stride) => {
  const a = data as unknown as ArrayLike<never>;
  for (let i = 0; i < count; i++) vec.setItem(i, a[(from + i) * stride + offset]!);
};
const putOf = (c: OutputColumn): Put => (c.datatype === 'FP16' ? putHalf : c.datatype === 'BOOL' ? putBool : c.sqlType === 'FLOAT' || c.sqlType === 'DOUBLE' ? putNumber : putAny);

/**
 * Writes predictions, in order, through DuckDB: rows are appended to a table,
 * which goes out to a Parquet part file every `partRows` rows so memory stays
 * flat; `finish` writes the parts (or the table, when it never filled) to the
 * output format under a temporary name and renames it into place.
 */
export class PredictionWriter {
  written = 0;
  private columns: OutputColumn[] | undefined;
  private appender: DuckDBAppender | undefined;
  private inTable = 0;
  private readonly parts: string[] = [];
  private readonly tmpPath: string;
  private readonly partRows: number;
  /** A table of its own, so writers can share an engine. */
  private readonly table = quoteIdent(`predictions_${randomBytes(4).toString('hex')}`);
  private tableExists = false;
  private fullChunk: DuckDBDataChunk | undefined;

  constructor(
    private readonly engine: DuckDbEngine,
    private readonly options: PredictionWriterOptions,
  ) {
    this.partRows = options.partRows ?? 1_000_000;
    this.tmpPath = join(dirname(options.path), `.${basename(options.path)}.ferry-tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  }

  /** The columns written after the key; known once the first batch was written (or `finish` ran). */
  get outputColumns(): OutputColumn[] | undefined {
    return this.columns;
  }

  /**
   * Appends one batch: `rows` keys and the model's outputs for them.
   * @throws InvalidArgumentError when an output does not have one row per input row, or changes its width between batches.
   */
  async write(keys: KeyValues, outputs: Record<string, Tensor>, rows: number): Promise<void> {
    const widths = resultWidths(outputs, rows);
    if (!this.columns) await this.start(widths);
    const columns = this.columns!;
    for (const c of columns) {
      if (widths[c.output] !== c.width) {
        throw new InvalidArgumentError(`The model's output '${c.output}' had ${c.width} values per row in the first batch and ${widths[c.output]} later; ferry predict needs a fixed number of output columns.`);
      }
    }
    const types = [duckType(this.options.key.stageType), ...columns.map((c) => duckType(c.sqlType))];
    const puts = columns.map(putOf);
    for (let from = 0; from < rows; from += CHUNK_ROWS) {
      const count = Math.min(CHUNK_ROWS, rows - from);
      // The appender copies a chunk's rows, so one full-size chunk (and its vectors) serves every full chunk.
      const chunk = count === CHUNK_ROWS ? (this.fullChunk ??= DuckDBDataChunk.create(types, CHUNK_ROWS)) : DuckDBDataChunk.create(types, count);
      const keyVector = chunk.getColumnVector(0);
      if (keys instanceof Float64Array) {
        for (let i = 0; i < count; i++) {
          const k = keys[from + i]!;
          keyVector.setItem(i, k === k ? k : null);
        }
      } else {
        for (let i = 0; i < count; i++) keyVector.setItem(i, (keys[from + i] ?? null) as never);
      }
      keyVector.flush();
      columns.forEach((c, j) => {
        const vec = chunk.getColumnVector(j + 1);
        puts[j]!(vec, outputs[c.output]!.data, from, count, c.element, c.width);
        vec.flush();
      });
      this.appender!.appendDataChunk(chunk);
    }
    this.written += rows;
    this.inTable += rows;
    if (this.inTable >= this.partRows) await this.flushPart();
  }

  /** Writes the output file and renames it into place. */
  async finish(): Promise<void> {
    if (!this.columns) await this.start(Object.fromEntries(this.options.outputs.map((o) => [o.name, declaredWidth(o)])));
    const format = COPY_OPTIONS[this.options.format];
    const { key } = this.options;
    const keySql = key.stageType === key.sqlType ? quoteIdent(key.name) : `CAST(${quoteIdent(key.name)} AS ${key.sqlType}) AS ${quoteIdent(key.name)}`;
    const select = [keySql, ...this.columns!.map((c) => quoteIdent(c.name))].join(', ');
    if (this.parts.length === 0) {
      this.closeAppender();
      await this.engine.run(`COPY (SELECT ${select} FROM ${this.table}) TO $1 ${format}`, [this.tmpPath]);
    } else {
      if (this.inTable > 0) await this.flushPart();
      this.closeAppender();
      // The parts are listed in order and DuckDB keeps insertion order (preserve_insertion_order), so rows stay in input order.
      await this.engine.run(`COPY (SELECT ${select} FROM read_parquet($1)) TO $2 ${format}`, [listValue(this.parts), this.tmpPath]);
    }
    await rename(this.tmpPath, this.options.path);
    await this.cleanUp();
  }

  /** Drops what was written; the output path is left as it was. */
  async abort(): Promise<void> {
    try {
      this.closeAppender();
    } catch {
      // The appender may have failed with the error that brought us here.
    }
    await rm(this.tmpPath, { force: true });
    await this.cleanUp().catch(() => undefined);
  }

  private async cleanUp(): Promise<void> {
    if (this.tableExists) await this.engine.run(`DROP TABLE IF EXISTS ${this.table}`);
    this.tableExists = false;
    await Promise.all(this.parts.splice(0).map((p) => rm(p, { force: true })));
  }

  private async start(widths: Record<string, number>): Promise<void> {
    this.columns = outputLayout(this.options.outputs, widths, this.options.key);
    await this.createTable();
  }

  private async createTable(): Promise<void> {
    const defs = [`${quoteIdent(this.options.key.name)} ${this.options.key.stageType}`, ...this.columns!.map((c) => `${quoteIdent(c.name)} ${c.sqlType}`)];
    await this.engine.run(`CREATE TABLE ${this.table} (${defs.join(', ')})`);
    this.tableExists = true;
    // createAppender takes the bare name, not SQL.
    this.appender = await this.engine.connection.createAppender(this.table.slice(1, -1));
    this.inTable = 0;
  }

  private closeAppender(): void {
    const a = this.appender;
    this.appender = undefined;
    a?.closeSync();
  }

  private async flushPart(): Promise<void> {
    this.closeAppender();
    const part = join(this.options.workDir, `part-${String(this.parts.length).padStart(6, '0')}.parquet`);
    await this.engine.run(`COPY ${this.table} TO $1 (FORMAT parquet)`, [part]);
    this.parts.push(part);
    await this.engine.run(`DROP TABLE ${this.table}`);
    this.tableExists = false;
    await this.createTable();
  }
}
