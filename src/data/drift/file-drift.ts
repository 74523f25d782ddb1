/** Drift between two table files: read with DuckDB, then Evidently's tests per column. */
import type { DuckDbEngine, TableFile } from '../table/duckdb-engine.js';
import type { TableFormat } from '../table/table-format.js';
import { DEFAULT_DRIFT_SHARE, datasetDrift, detectDrift } from './detect-drift.js';
import { readDriftFrames, type DriftColumnSchema, type DriftFrames, type DriftReadProgress } from './drift-reader.js';
import type { ColumnDrift, ColumnDriftOptions, DriftReport } from './drift-types.js';
import { resolveColumnOptions, validateFileDriftOptions, type FileDriftOptions } from './file-drift-options.js';

/** One compared table, as the report names it. */
export interface DriftInput {
  /** The path or reference it was read from. */
  source: string;
  format: TableFormat;
  rows: number;
}

/** The JSON report: inputs, dataset verdict, one entry per column, and what the reader found per column. */
export interface FileDriftReport extends DriftReport {
  reference: DriftInput;
  current: DriftInput;
  schema: DriftColumnSchema[];
}

export interface FileDriftRun {
  report: FileDriftReport;
  /** The columns as read, for charts (`renderDriftHtml`). */
  frames: DriftFrames;
}

export interface FileDriftIo {
  /** How the report and messages name the inputs (default: their paths); the API passes the references so no server path leaks. */
  labels?: { reference: string; current: string };
  onProgress?: (progress: DriftReadProgress) => void;
}

/**
 * Reads `reference` and `current` and compares every column (or
 * `options.columns`) with the test Evidently's defaults pick, or the one asked
 * for: per column first, then per type, then for all.
 *
 * @throws InvalidArgumentError for bad options (before reading), unreadable or
 * empty files, and options naming columns the files lack.
 *
 * @example
 * const engine = await DuckDbEngine.open();
 * const { report } = await detectFileDrift(engine, await engine.tableFile('jan.parquet'), await engine.tableFile('feb.parquet'), {
 *   perColumn: { plan: { stattest: 'psi', threshold: 0.2 } },
 * });
 * report.dataset.dataset_drift; // true when at least half the compared columns drifted
 */
export async function detectFileDrift(
  engine: DuckDbEngine,
  reference: TableFile,
  current: TableFile,
  options: FileDriftOptions = {},
  io: FileDriftIo = {},
): Promise<FileDriftRun> {
  validateFileDriftOptions(options);
  const labels = io.labels ?? { reference: reference.path, current: current.path };
  const frames = await readDriftFrames(engine, reference, current, {
    columns: options.columns,
    numericalColumns: options.numericalColumns,
    categoricalColumns: options.categoricalColumns,
    optionColumns: Object.keys(options.perColumn ?? {}),
    labels,
    onProgress: io.onProgress,
  });
  const compared = [...frames.reference.keys()];
  const perColumn: Record<string, ColumnDriftOptions> = {};
  for (const column of compared) perColumn[column] = resolveColumnOptions(options, column, frames.columnTypes[column]!);
  const driftShare = options.driftShare ?? DEFAULT_DRIFT_SHARE;
  const computed = detectDrift(frames.reference, frames.current, { columns: compared, columnTypes: frames.columnTypes, perColumn, driftShare });
  const byName = new Map(computed.columns.map((c) => [c.column, c]));
  const columns: ColumnDrift[] = frames.schema.map((s) => frames.skipped.get(s.column) ?? byName.get(s.column)!);
  return {
    report: {
      reference: { source: labels.reference, format: reference.format, rows: frames.referenceRows },
      current: { source: labels.current, format: current.format, rows: frames.currentRows },
      dataset: datasetDrift(columns, driftShare),
      columns,
      schema: frames.schema,
    },
    frames,
  };
}
