import { structValue, type DuckDBDataChunk, type DuckDBValue, type DuckDBVector } from '@duckdb/node-api';
import { InvalidArgumentError } from '../../errors.js';
import { columnView, type FixedWidthArrayConstructor } from '../../data/table/chunk-columns.js';
import type { DuckDbEngine, TableFile } from '../../data/table/index.js';
import { DATATYPES, allocate, toHalf, type Tensor, type TensorData } from '../tensor.js';
import type { ColumnPlan, ElementSource, FileColumn } from './column-plan.js';
import { SQL_TYPES, isListType, quoteIdent } from './column-types.js';

/** What to do with a row whose value does not fit the model (null, not a number, a bad key). */
export type OnBadRow = 'fail' | 'skip';

/** Key values of a batch: numbers (row numbers, small integer keys; NaN for null) or the key column's values. */
export type KeyValues = Float64Array | unknown[];

/** Up to `batchSize` good rows, as the model's input tensors plus each row's key. */
export interface RowBatch {
  rows: number;
  tensors: Record<string, Tensor>;
  keys: KeyValues;
  /** 0-based data row numbers of the batch's first and last row (for messages). */
  firstRow: number;
  lastRow: number;
}

export interface RowReaderOptions {
  batchSize: number;
  onBadRow: OnBadRow;
  /** How many skipped row numbers to remember for the summary. Default 10. */
  sampleSize?: number;
}

/**
 * Copies rows of one chunk column into every `stride`-th slot of a batch
 * buffer. `take` lists the chunk rows to copy (some were bad), or is null
 * when the chunk's rows `from…from+count` are all good: the common case, kept free of the indirection.
 */
type Fill = (vec: DuckDBVector, take: Int32Array | null, from: number, count: number, out: TensorData, offset: number, stride: number) => void;

function filler<T>(convert: (v: unknown) => T): Fill {
  return (vec, take, from, count, out, offset, stride) => {
    const a = out as unknown as T[];
    if (take) for (let i = 0; i < count; i++) a[offset + i * stride] = convert(vec.getItem(take[from + i]!));
    else for (let i = 0; i < count; i++) a[offset + i * stride] = convert(vec.getItem(from + i));
  };
}

// Separate closures per kind keep each copy loop monomorphic.
const fillNumber: Fill = (vec, take, from, count, out, offset, stride) => {
  const a = out as Float32Array;
  if (take) for (let i = 0; i < count; i++) a[offset + i * stride] = vec.getItem(take[from + i]!) as number;
  else for (let i = 0; i < count; i++) a[offset + i * stride] = vec.getItem(from + i) as number;
};
type NumericArray = Float32Array | Float64Array | Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;

/** `fillNumber` over a raw column view instead of boxed vector reads. */
function copyStrided(v: NumericArray, take: Int32Array | null, from: number, count: number, a: NumericArray, offset: number, stride: number): void {
  if (take) for (let i = 0; i < count; i++) a[offset + i * stride] = v[take[from + i]!]!;
  else for (let i = 0; i < count; i++) a[offset + i * stride] = v[from + i]!;
}
const fillBigint = filler((v) => v as bigint);
const fillHalf = filler((v) => toHalf(v as number));
const fillBool = filler((v) => (v ? 1 : 0));
const fillString = filler((v) => v as string);
const FILLS: Record<string, Fill> = { float: fillNumber, int: fillNumber, bigint: fillBigint, half: fillHalf, bool: fillBool, bytes: fillString };

/** One check the scan makes per row: a feature element, or the key's cast. */
interface Check {
  column: string;
  /** The SQL of the value as read (before the cast). */
  rawSql: string;
  what: string;
}

const elementSql = (s: ElementSource) => (s.index === undefined ? quoteIdent(s.column) : `${quoteIdent(s.column)}[${s.index}]`);

/**
 * The scan of the input file. CSV and JSON lines are read with the used
 * columns as text, because DuckDB guesses their types from a sample: a value
 * past the sample that does not fit the guess would fail the whole scan
 * instead of one row. The casts below then judge each row on its own.
 */
function scanOf(file: TableFile, columns: FileColumn[], used: Set<string>): { sql: string; params: DuckDBValue[] } {
  if (file.format === 'parquet') return { sql: 'read_parquet($1)', params: [file.path] };
  const types: Record<string, DuckDBValue> = {};
  for (const c of columns) if (used.has(c.name)) types[c.name] = isListType(c.type) ? c.type : 'VARCHAR';
  const struct = structValue(types);
  if (file.format === 'csv') return { sql: 'read_csv($1, auto_detect = true, header = true, types = $2)', params: [file.path, struct] };
  return { sql: "read_json($1, format = 'newline_delimited', columns = $2)", params: [file.path, struct] };
}

/**
 * Streams an input file as batches of model inputs, through DuckDB, one
 * chunk (2,048 rows) at a time: memory holds a batch or two, never the file.
 * Each value is cast to its input's datatype in SQL; a row where a cast fails
 * (a null, text that is not a number) is a bad row: it fails the read, naming
 * its row number, or is skipped and counted.
 */
export class RowReader {
  /** Data rows read so far, bad ones included. */
  rowsRead = 0;
  skipped = 0;
  /** The first skipped rows' 1-based data row numbers. */
  readonly skippedSample: number[] = [];

  private readonly checks: Check[] = [];
  private readonly sql: string;
  private readonly scan: { sql: string; params: DuckDBValue[] };
  private readonly keyed: boolean;
  /** Keys kept in a Float64Array: row numbers and small integers, with NaN for a null key. */
  private readonly numericKeys: boolean;
  private readonly sampleSize: number;

  constructor(
    private readonly engine: DuckDbEngine,
    private readonly file: TableFile,
    columns: FileColumn[],
    private readonly plan: ColumnPlan,
    private readonly options: RowReaderOptions,
  ) {
    this.sampleSize = options.sampleSize ?? 10;
    const used = new Set(plan.feeds.flatMap((f) => f.sources.map((s) => s.column)));
    if (plan.key.column !== undefined) used.add(plan.key.column);
    const scan = scanOf(file, columns, used);
    this.scan = scan;
    const inner: string[] = [];
    const outer: string[] = [];
    this.keyed = plan.key.column !== undefined;
    this.numericKeys = plan.key.stageType === 'DOUBLE' && plan.key.sqlType === 'BIGINT';
    let v = 0;
    for (const feed of plan.feeds) {
      const type = SQL_TYPES[feed.input.datatype];
      for (const s of feed.sources) {
        const raw = elementSql(s);
        inner.push(`TRY_CAST(${raw} AS ${type}) AS v${v}`);
        // Null slots are never read: bad rows are left out by the check column below.
        outer.push(`v${v}`);
        const where = s.index === undefined ? `column '${s.column}'` : `item ${s.index} of column '${s.column}'`;
        this.checks.push({ column: s.column, rawSql: raw, what: `${where} (${feed.input.datatype} for model input '${feed.input.name}')` });
        v++;
      }
    }
    const conditions = this.checks.map((_, i) => `WHEN v${i} IS NULL THEN ${i + 1}`);
    if (this.keyed) {
      const raw = quoteIdent(plan.key.column!);
      inner.unshift(`TRY_CAST(${raw} AS ${plan.key.stageType}) AS k`, `${raw} AS k_raw`);
      outer.unshift('k');
      // A key that is present but does not read as the column's type (text past DuckDB's type sample) is a bad row too.
      conditions.push(`WHEN k IS NULL AND k_raw IS NOT NULL THEN ${this.checks.length + 1}`);
      this.checks.push({ column: plan.key.column!, rawSql: raw, what: `key column '${plan.key.column}' (${plan.key.sqlType} like the rest of the column)` });
    }
    outer.push(`CASE ${conditions.join(' ')} ELSE 0 END`);
    this.sql = `SELECT ${outer.join(', ')} FROM (SELECT ${inner.join(', ')} FROM ${scan.sql})`;
  }

  /**
   * Hands a batch's buffers back for reuse once the model has taken its
   * inputs (its call settled), so a long read allocates no new buffers.
   */
  recycle(batch: RowBatch): void {
    if (batch.rows !== this.options.batchSize || this.free.length >= 4) return;
    this.free.push({ data: this.plan.feeds.map((f) => batch.tensors[f.input.name]!.data), keys: batch.keys });
  }

  private readonly free: { data: TensorData[]; keys: KeyValues }[] = [];

  private buffers(widths: number[]): { data: TensorData[]; keys: KeyValues } {
    const { batchSize } = this.options;
    return this.free.pop() ?? { data: this.plan.feeds.map((f, i) => allocate(f.input.datatype, batchSize * widths[i]!)), keys: this.numericKeys ? new Float64Array(batchSize) : new Array<unknown>(batchSize) };
  }

  /**
   * Yields batches of up to `batchSize` good rows, in file order. Stops at
   * the end of the file.
   * @throws InvalidArgumentError naming the row and column of the first bad row (onBadRow 'fail'), or when DuckDB cannot read the file.
   */
  async *batches(): AsyncGenerator<RowBatch> {
    const { batchSize } = this.options;
    const feeds = this.plan.feeds;
    const fills = feeds.map((f) => FILLS[DATATYPES[f.input.datatype].kind]!);
    const widths = feeds.map((f) => f.sources.length);
    const starts = widths.map((_, i) => (this.keyed ? 1 : 0) + widths.slice(0, i).reduce((a, b) => a + b, 0));
    const badColumn = (this.keyed ? 1 : 0) + widths.reduce((a, b) => a + b, 0);
    // Fixed-width numbers are read straight from DuckDB's buffers: the SQL casts each to the tensor's own type.
    const views = feeds.map((f) => {
      const type = DATATYPES[f.input.datatype];
      return type.kind === 'float' || type.kind === 'int' ? (type.array as FixedWidthArrayConstructor) : undefined;
    });
    let take = new Int32Array(2048);

    let buf = this.buffers(widths);
    let filled = 0;
    let firstRow = 0;
    let lastRow = 0;
    const emit = (): RowBatch => {
      const full = filled === batchSize;
      const tensors: Record<string, Tensor> = {};
      feeds.forEach((f, i) => {
        const data = full ? buf.data[i]! : (buf.data[i]!.slice(0, filled * widths[i]!) as TensorData);
        tensors[f.input.name] = { datatype: f.input.datatype, shape: [filled, ...f.rowShape], data };
      });
      const batch: RowBatch = { rows: filled, tensors, keys: full ? buf.keys : buf.keys.slice(0, filled), firstRow, lastRow };
      buf = this.buffers(widths);
      filled = 0;
      return batch;
    };

    const result = await this.query(() => this.engine.connection.stream(this.sql, this.scan.params));
    const fetch = () => {
      const p = this.query(() => result.fetchChunk());
      // Marked handled: a fetch still pending when the loop stops for another error must not surface as an unhandled rejection.
      p.catch(() => undefined);
      return p;
    };
    let next = fetch();
    try {
      for (;;) {
        const chunk: DuckDBDataChunk | null = await next;
        if (!chunk || chunk.rowCount === 0) break;
        const n = chunk.rowCount;
        const base = this.rowsRead;
        const bad = chunk.getColumnVector(badColumn);
        if (take.length < n) take = new Int32Array(n);
        let m = 0;
        for (let r = 0; r < n; r++) {
          const check = bad.getItem(r) as number;
          if (check === 0) take[m++] = r;
          else await this.badRow(base + r, this.checks[check - 1]!);
        }
        this.rowsRead += n;
        // DuckDB scans the next chunk (on its own thread) while this one is copied; chunks are independent of each other.
        next = fetch();
        const rows = m === n ? null : take;
        const row = (j: number) => (rows ? rows[j]! : j);
        const vectors = feeds.map((_, i) => (views[i] ? [] : Array.from({ length: widths[i]! }, (_, e) => chunk.getColumnVector(starts[i]! + e))));
        const raw = feeds.map((_, i) => {
          const ctor = views[i];
          return ctor ? Array.from({ length: widths[i]! }, (_, e) => columnView(chunk, starts[i]! + e, ctor)) : [];
        });
        const keyVector = this.keyed ? chunk.getColumnVector(0) : undefined;
        let from = 0;
        while (from < m) {
          const count = Math.min(m - from, batchSize - filled);
          if (filled === 0) firstRow = base + row(from);
          for (let i = 0; i < feeds.length; i++) {
            const w = widths[i]!;
            const fill = fills[i]!;
            if (views[i]) for (let e = 0; e < w; e++) copyStrided(raw[i]![e]!, rows, from, count, buf.data[i] as NumericArray, filled * w + e, w);
            else for (let e = 0; e < w; e++) fill(vectors[i]![e]!, rows, from, count, buf.data[i]!, filled * w + e, w);
          }
          if (keyVector && this.numericKeys) {
            const k = buf.keys as Float64Array;
            for (let j = 0; j < count; j++) k[filled + j] = (keyVector.getItem(row(from + j)) as number | null) ?? NaN;
          } else if (keyVector) {
            const k = buf.keys as unknown[];
            for (let j = 0; j < count; j++) k[filled + j] = keyVector.getItem(row(from + j));
          } else {
            const k = buf.keys as Float64Array;
            for (let j = 0; j < count; j++) k[filled + j] = base + row(from + j);
          }
          filled += count;
          from += count;
          lastRow = base + row(from - 1);
          if (filled === batchSize) yield emit();
        }
      }
      if (filled > 0) yield emit();
    } finally {
      // Closing the engine under a fetch in flight is not safe; let it land first.
      await next.catch(() => undefined);
    }
  }

  private async badRow(row: number, check: Check): Promise<void> {
    if (this.options.onBadRow === 'skip') {
      this.skipped++;
      if (this.skippedSample.length < this.sampleSize) this.skippedSample.push(row + 1);
      return;
    }
    const value = await this.rawValue(row, check);
    throw new InvalidArgumentError(
      `Row ${row + 1} of ${this.file.path} (1-based data row, header not counted) has a bad value in ${check.what}: ${value}. ` +
        'Fix the row, or pass --on-error skip to leave bad rows out.',
      { details: { reason: 'bad_row', row: row + 1, column: check.column } },
    );
  }

  /**
   * The bad value as text, read again by its position with the scan that
   * found it. It runs once, on the way out; the stream it ends is not needed any more.
   */
  private async rawValue(row: number, check: Check): Promise<string> {
    try {
      const { sql, params } = this.scan;
      const rows = await this.engine.rows(`SELECT CAST(${check.rawSql} AS VARCHAR) AS v FROM ${sql} LIMIT 1 OFFSET $${params.length + 1}`, [...params, row], this.file);
      const v = rows[0]?.v;
      return v === null || v === undefined ? 'it is empty (null)' : `${JSON.stringify(String(v)).slice(0, 60)} does not convert`;
    } catch {
      return 'it is missing or does not convert';
    }
  }

  /** DuckDB's own errors while scanning, as the caller's to fix (an unreadable or malformed file). */
  private async query<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof Error && err.constructor.name === 'Error') {
        throw new InvalidArgumentError(`Cannot read ${this.file.path} as ${this.file.format}: ${err.message.split('\n')[0]}`, { cause: err });
      }
      throw err;
    }
  }
}
