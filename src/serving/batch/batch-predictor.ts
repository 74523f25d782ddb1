import { access, mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { AlreadyExistsError, FerryError, InvalidArgumentError, NotFoundError } from '../../errors.js';
import { DuckDbEngine, tableFormatOf, type TableFormat } from '../../data/table/index.js';
import type { InferenceResult } from '../serving-types.js';
import type { Tensor } from '../tensor.js';
import type { BatchModel } from './batch-model.js';
import { planColumns } from './column-plan.js';
import { PredictionWriter } from './prediction-writer.js';
import { RowReader, type OnBadRow, type RowBatch } from './row-reader.js';

export interface BatchPredictOptions {
  /** A CSV, Parquet or JSON-lines file. */
  input: string;
  /** csv, parquet or jsonl; default from the input's extension. */
  inputFormat?: string;
  output: string;
  /** csv, parquet or jsonl; default from the output's extension. */
  outputFormat?: string;
  /** A column copied into the output as each prediction's key; default the 0-based row number, as column `row`. */
  key?: string;
  /** The feature columns in order, for a model with one input (see `planColumns`). */
  columns?: string[];
  /** Rows per model call. Default 4096. */
  batchSize?: number;
  /** Default 'fail'. */
  onBadRow?: OnBadRow;
  /** Replace an existing output file. Default false. */
  overwrite?: boolean;
  /** Memory DuckDB may hold, in MB, split between reading and writing; beyond it DuckDB spills to a temp folder. Default 512. */
  memoryLimitMb?: number;
  /** DuckDB threads for reading. Default half the cores, 1 to 4. */
  threads?: number;
  /** Rows of predictions held in DuckDB before they go to a part file. Default 1,000,000. */
  partRows?: number;
  /** Batches handed to the model before the oldest is written. Default 2. */
  maxInFlight?: number;
  /** Called after each batch is written, and once at the end. */
  onProgress?: (progress: BatchProgress) => void;
  /** Stops between batches, cleaning up as for an error; rejects with the signal's reason. */
  signal?: AbortSignal;
}

export interface BatchProgress {
  /** Data rows read so far, bad ones included. */
  rowsRead: number;
  written: number;
  skipped: number;
  /** Rows in the input, when cheap to know (Parquet metadata); absent otherwise. */
  total?: number;
  elapsedMs: number;
}

export interface BatchPredictSummary {
  /** Data rows read. */
  rows: number;
  /** Predictions written. */
  written: number;
  /** Bad rows left out (onBadRow 'skip'). */
  skipped: number;
  /** The first skipped rows' 1-based data row numbers. */
  skippedRowsSample: number[];
  seconds: number;
  rowsPerSecond: number;
  output: string;
  format: TableFormat;
  /** The output's key column. */
  key: string;
  /** Which input columns fed each model input. */
  inputColumns: Record<string, string[]>;
  /** The output's prediction columns, after the key. */
  outputColumns: string[];
}

type Settled = { ok: true; value: InferenceResult } | { ok: false; error: unknown };

function positiveInt(name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 1) throw new InvalidArgumentError(`${name} must be a whole number ≥ 1; got ${v}.`);
  return v;
}

/** A runtime error for a batch, with the rows it covered: which row caused it is not known. */
function batchError(err: unknown, batch: RowBatch): unknown {
  if (!(err instanceof FerryError)) return err;
  const rows = `rows ${batch.firstRow + 1}–${batch.lastRow + 1} (1-based data rows)`;
  return new FerryError(err.code, `The model failed on the batch of ${rows}: ${err.message}`, { cause: err, details: err.details });
}

async function checkPaths(input: string, output: string, overwrite: boolean): Promise<void> {
  if (resolve(input) === resolve(output)) throw new InvalidArgumentError(`The output would overwrite the input (${input}); write predictions to another file.`);
  try {
    if (!(await stat(dirname(resolve(output)))).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new NotFoundError(`The output's folder ${dirname(resolve(output))} does not exist.`);
  }
  if (overwrite) return;
  const exists = await access(output).then(
    () => true,
    () => false,
  );
  if (exists) throw new AlreadyExistsError(`${output} already exists; pass --overwrite to replace it.`);
}

/**
 * Runs `model` over every row of a table file and writes one prediction per
 * row, keyed, in input order. Reading, inference and writing stream: at most
 * `maxInFlight` batches are held besides DuckDB's own (limited) memory, so a
 * file larger than memory works. The output appears only on success.
 * @throws InvalidArgumentError for a bad row (onBadRow 'fail'), columns the model needs that the file lacks, or an unreadable file.
 * @throws NotFoundError for a missing input file or output folder; AlreadyExistsError for an existing output without `overwrite`.
 */
export async function predictBatch(model: BatchModel, options: BatchPredictOptions): Promise<BatchPredictSummary> {
  const started = performance.now();
  const batchSize = positiveInt('--batch-size', options.batchSize, 4096);
  const maxInFlight = positiveInt('maxInFlight', options.maxInFlight, 2);
  const memoryMb = positiveInt('memoryLimitMb', options.memoryLimitMb, 512);
  const threads = positiveInt('threads', options.threads, Math.max(1, Math.min(4, Math.floor(availableParallelism() / 2))));
  const format = tableFormatOf(options.output, options.outputFormat);
  await checkPaths(options.input, options.output, options.overwrite ?? false);

  const workDir = await mkdtemp(join(tmpdir(), 'ferry-predict-'));
  const engines: DuckDbEngine[] = [];
  let writer: PredictionWriter | undefined;
  try {
    const readEngine = await DuckDbEngine.open({ threads, memoryLimit: `${Math.ceil((memoryMb * 2) / 3)}MB`, tempDirectory: join(workDir, 'spill-read') });
    engines.push(readEngine);
    const writeEngine = await DuckDbEngine.open({ threads: Math.min(2, threads), memoryLimit: `${Math.ceil(memoryMb / 3)}MB`, tempDirectory: join(workDir, 'spill-write') });
    engines.push(writeEngine);

    const file = await readEngine.tableFile(options.input, options.inputFormat);
    const fileColumns = await readEngine.describe(file);
    const plan = planColumns(model, fileColumns, { key: options.key, columns: options.columns });
    const total = file.format === 'parquet' ? Number((await readEngine.rows('SELECT count(*) AS n FROM read_parquet($1)', [file.path], file))[0]!.n) : undefined;

    const reader = new RowReader(readEngine, file, fileColumns, plan, { batchSize, onBadRow: options.onBadRow ?? 'fail' });
    writer = new PredictionWriter(writeEngine, { path: options.output, format, workDir, key: plan.key, outputs: model.outputs, partRows: options.partRows });
    const w = writer;
    const progress = () =>
      options.onProgress?.({ rowsRead: reader.rowsRead, written: w.written, skipped: reader.skipped, ...(total === undefined ? {} : { total }), elapsedMs: performance.now() - started });

    // Each result is settled as soon as it exists, so a failure while an earlier batch is written is never an unhandled rejection.
    const queue: { batch: RowBatch; result: Promise<Settled> }[] = [];
    const drain = async () => {
      const head = queue.shift()!;
      const settled = await head.result;
      if (!settled.ok) throw batchError(settled.error, head.batch);
      // The model is done with its inputs once its call settled, so their buffers can be refilled.
      const outputs: Record<string, Tensor> = {};
      for (const o of settled.value.outputs) outputs[o.name] = o;
      await w.write(head.batch.keys, outputs, head.batch.rows);
      reader.recycle(head.batch);
      progress();
    };
    for await (const batch of reader.batches()) {
      options.signal?.throwIfAborted();
      const inputs = Object.entries(batch.tensors).map(([name, t]) => ({ name, datatype: t.datatype, shape: t.shape, data: t.data }));
      const result = model.infer({ inputs }).then(
        (value): Settled => ({ ok: true, value }),
        (error: unknown): Settled => ({ ok: false, error }),
      );
      queue.push({ batch, result });
      if (queue.length >= maxInFlight) await drain();
    }
    while (queue.length > 0) await drain();
    options.signal?.throwIfAborted();
    await w.finish();
    progress();

    const seconds = (performance.now() - started) / 1000;
    return {
      rows: reader.rowsRead,
      written: w.written,
      skipped: reader.skipped,
      skippedRowsSample: [...reader.skippedSample],
      seconds,
      rowsPerSecond: seconds > 0 ? reader.rowsRead / seconds : 0,
      output: options.output,
      format,
      key: plan.key.name,
      inputColumns: Object.fromEntries(plan.feeds.map((f) => [f.input.name, f.sources.map((s) => (s.index === undefined ? s.column : `${s.column}[${s.index}]`))])),
      outputColumns: (w.outputColumns ?? []).map((c) => c.name),
    };
  } catch (err) {
    await writer?.abort();
    throw err;
  } finally {
    for (const e of engines) e.close();
    await rm(workDir, { recursive: true, force: true });
  }
}
