import type { Command } from 'commander';
import { openDatabase } from '../../backends/database/database.js';
import { assertSchemaCurrent } from '../../backends/database/migrate.js';
import { createArtifactStore } from '../../backends/select.js';
import { InvalidArgumentError } from '../../errors.js';
import { ModelRegistry } from '../../registry/model-registry.js';
import { loadBatchModel, predictBatch, type BatchPredictSummary, type BatchProgress } from '../../serving/batch/index.js';
import type { PackageSourceDeps } from '../../serving/package-source.js';
import type { ServedModel } from '../../serving/served-model.js';
import { ExperimentService } from '../../tracking/experiment-service.js';
import { LoggedModelService } from '../../tracking/logged-model-service.js';
import { RunService } from '../../tracking/run-service.js';
import { configFrom, withStoreOptions } from '../config-options.js';
import { collectList } from '../remote-options.js';
import { formatDuration, printJson } from '../table.js';

function integer(flag: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} must be an integer ≥ ${min}; got '${String(value)}'.`);
  return n;
}

/**
 * Loads the model: a models:/ URI through the registry's database and artifact
 * store (read only, as `ferry serve` opens them), which are closed again once
 * the package is in memory; a local directory needs neither.
 */
async function loadModel(uri: string, opts: Record<string, unknown>, batchSize: number): Promise<ServedModel> {
  if (!uri.startsWith('models:')) return loadBatchModel(uri, {}, { batchSize });
  const config = configFrom(opts);
  const database = await openDatabase(config.databaseUrl);
  try {
    await assertSchemaCurrent(database);
    const artifacts = await createArtifactStore(config.artifactsUrl);
    try {
      const experiments = new ExperimentService(database, config.defaultArtifactRoot);
      const runs = new RunService(database, experiments);
      const loggedModels = new LoggedModelService(database, experiments, runs);
      const deps: PackageSourceDeps = { registry: new ModelRegistry({ database, runs, loggedModels, artifacts }), artifacts };
      return await loadBatchModel(uri, deps, { batchSize });
    } finally {
      await artifacts.close();
    }
  } finally {
    await database.close();
  }
}

const count = (n: number) => Math.round(n).toLocaleString('en-US');

/** One line: `[#####·····]  45%  4,500,000/10,000,000 rows  812,345 rows/s  ETA 6.8s`. */
export function progressLine(p: BatchProgress): string {
  const rate = p.elapsedMs > 0 ? (p.rowsRead * 1000) / p.elapsedMs : 0;
  const speed = `${count(rate)} rows/s`;
  if (p.total === undefined || p.total === 0) return `${count(p.rowsRead)} rows  ${speed}`;
  const done = Math.min(1, p.rowsRead / p.total);
  const filled = Math.round(done * 24);
  const eta = rate > 0 ? formatDuration(((p.total - p.rowsRead) / rate) * 1000) : '?';
  return `[${'#'.repeat(filled)}${'·'.repeat(24 - filled)}] ${String(Math.floor(done * 100)).padStart(3)}%  ${count(p.rowsRead)}/${count(p.total)} rows  ${speed}  ETA ${eta}`;
}

/** A progress bar on stderr, redrawn at most ten times a second; nothing when stderr is not a terminal. */
function progressBar(): { update(p: BatchProgress): void; clear(): void } {
  if (!process.stderr.isTTY) return { update: () => undefined, clear: () => undefined };
  let last = 0;
  let drawn = false;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      drawn = true;
      process.stderr.write(`\r\x1b[K${progressLine(p)}`);
    },
    clear() {
      if (drawn) process.stderr.write('\r\x1b[K');
      drawn = false;
    },
  };
}

function report(s: BatchPredictSummary): void {
  const lines = [
    `Wrote ${count(s.written)} predictions for ${count(s.rows)} rows to ${s.output} (${s.format}) in ${formatDuration(s.seconds * 1000)}, ${count(s.rowsPerSecond)} rows/s.`,
    `  key: ${s.key}   predictions: ${s.outputColumns.join(', ')}`,
    `  inputs: ${Object.entries(s.inputColumns)
      .map(([input, cols]) => `${input} ← ${cols.join(', ')}`)
      .join('; ')}`,
  ];
  if (s.skipped > 0) {
    lines.push(`Skipped ${count(s.skipped)} bad row${s.skipped === 1 ? '' : 's'} (1-based data rows${s.skipped > s.skippedRowsSample.length ? ', first few' : ''}): ${s.skippedRowsSample.join(', ')}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** `ferry predict`: batch inference over a table file, in-process. */
export function registerPredictCommand(program: Command): void {
  withStoreOptions(
    program
      .command('predict')
      .description('Run a model over every row of a CSV, Parquet or JSON-lines file and write one prediction per row, streaming (files larger than memory work).')
      .requiredOption('-m, --model <uri>', 'models:/NAME/VERSION, models:/NAME@alias, or a local package directory')
      .requiredOption('-i, --input <file>', 'rows to predict: .csv, .parquet or .jsonl')
      .requiredOption('-o, --output <file>', 'where predictions go: .csv, .parquet or .jsonl (written only on success)')
      .option('--input-format <format>', 'csv, parquet or jsonl (default: from the extension)')
      .option('--output-format <format>', 'csv, parquet or jsonl (default: from the extension)')
      .option('--key <column>', 'column copied into the output to identify each row (default: the 0-based row number, as column "row")')
      .option('--columns <names>', 'feature columns in order, for a model with one input (default: its signature\'s columns, else the first K columns besides the key)', collectList)
      .option('--batch-size <n>', 'rows per model call', '4096')
      .option('--on-error <mode>', 'a bad row (null, not a number, wrong type): fail (stop, naming the row) or skip (leave it out, count it)', 'fail')
      .option('--overwrite', 'replace an existing output file')
      .option('--memory-limit <mb>', 'memory DuckDB may use for reading and writing, in MB; beyond it, it spills to a temp folder', '512')
      .option('--json', 'print a JSON summary'),
  )
    .addHelpText(
      'after',
      `
Columns: a model with one input [-1, K] takes K columns (its signature's
column names, --columns, or the first K columns besides the key, in file
order); a model with several inputs takes the column of each input's name.
Predictions: one column per output value, "prediction" for a model with a
single value per row, else OUTPUT or OUTPUT_0..OUTPUT_{K-1}; after the key.
Row numbers in messages are 1-based data rows (a CSV header is not counted);
the "row" key column is 0-based.

Examples:
  $ ferry predict --model models:/churn@production --input customers.parquet --output scores.parquet --key customer_id
  $ ferry predict --model ./model --input rows.csv --output preds.csv --on-error skip --json
  $ ferry predict -m models:/fraud/3 -i events.jsonl -o fraud.jsonl --columns amount,age,score --batch-size 8192`,
    )
    .action(async (opts: Record<string, unknown>) => {
      const batchSize = integer('--batch-size', opts.batchSize, 1)!;
      const memoryLimitMb = integer('--memory-limit', opts.memoryLimit, 64)!;
      const onError = String(opts.onError);
      if (onError !== 'fail' && onError !== 'skip') throw new InvalidArgumentError(`--on-error must be fail or skip; got '${onError}'.`);
      const model = await loadModel(String(opts.model), opts, batchSize);
      const bar = progressBar();
      // Ctrl-C stops between batches so temporary files are removed; a second one ends the process at once.
      const stop = new AbortController();
      const onSigint = () => {
        if (stop.signal.aborted) process.exit(130);
        stop.abort(new Error('interrupted'));
      };
      process.on('SIGINT', onSigint);
      try {
        const summary = await predictBatch(model, {
          input: String(opts.input),
          output: String(opts.output),
          ...(typeof opts.inputFormat === 'string' ? { inputFormat: opts.inputFormat } : {}),
          ...(typeof opts.outputFormat === 'string' ? { outputFormat: opts.outputFormat } : {}),
          ...(typeof opts.key === 'string' ? { key: opts.key } : {}),
          ...(Array.isArray(opts.columns) ? { columns: opts.columns as string[] } : {}),
          batchSize,
          onBadRow: onError,
          overwrite: opts.overwrite === true,
          memoryLimitMb,
          onProgress: (p) => bar.update(p),
          signal: stop.signal,
        });
        bar.clear();
        if (!opts.json) return report(summary);
        printJson({
          rows: summary.rows,
          written: summary.written,
          skipped: summary.skipped,
          skipped_rows_sample: summary.skippedRowsSample,
          seconds: Number(summary.seconds.toFixed(3)),
          rows_per_second: Math.round(summary.rowsPerSecond),
          output: summary.output,
          format: summary.format,
          key: summary.key,
          input_columns: summary.inputColumns,
          output_columns: summary.outputColumns,
          model: { name: model.name, version: model.version },
        });
      } catch (err) {
        if (!stop.signal.aborted) throw err;
        bar.clear();
        process.stderr.write(`Interrupted; ${String(opts.output)} was not written.\n`);
        process.exitCode = 130;
      } finally {
        process.off('SIGINT', onSigint);
        bar.clear();
        await model.unload();
      }
    });
}
