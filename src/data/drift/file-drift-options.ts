/**
 * Options of drift between two table files, named after Evidently's
 * `DataDriftPreset` parameters, and their validation: every mistake is
 * reported before any data is read.
 */
import { InvalidArgumentError } from '../../errors.js';
import type { ColumnDriftOptions, ColumnType, StatTestName } from './drift-types.js';
import { STATTEST_NAMES, isStatTestName } from './stattest-registry.js';

export interface FileDriftOptions {
  /** Columns to compare (Evidently's `columns`); default: every column of either file. Each must be in both files. */
  columns?: readonly string[];
  /** Columns to treat as numerical whatever their stored type. */
  numericalColumns?: readonly string[];
  /** Columns to treat as categorical whatever their stored type. */
  categoricalColumns?: readonly string[];
  /** `stattest`: the test for every column without a more specific choice. */
  stattest?: StatTestName;
  /** `stattest_threshold`. */
  threshold?: number;
  /** `num_stattest` / `cat_stattest`: the test for numerical or categorical columns. */
  numericalStattest?: StatTestName;
  categoricalStattest?: StatTestName;
  /** `num_stattest_threshold` / `cat_stattest_threshold`. */
  numericalThreshold?: number;
  categoricalThreshold?: number;
  /** `per_column_stattest` and `per_column_stattest_threshold`, by column. */
  perColumn?: Readonly<Record<string, ColumnDriftOptions>>;
  /** `drift_share`: dataset drift when this share of the compared columns drifted (default 0.5). */
  driftShare?: number;
}

function checkStatTest(value: unknown, where?: string): void {
  if (value !== undefined && !isStatTestName(value)) {
    throw new InvalidArgumentError(`Unknown stattest ${JSON.stringify(value)}${where ? ` for ${where}` : ''}; use one of ${STATTEST_NAMES.join(', ')}.`);
  }
}

function checkThreshold(value: unknown, what: string): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
    throw new InvalidArgumentError(`${what} must be a finite number >= 0 (a p-value or a distance), got ${JSON.stringify(value) ?? String(value)}.`);
  }
}

function checkNames(value: unknown, what: string): void {
  if (value === undefined) return;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length === 0)) {
    throw new InvalidArgumentError(`${what} must be a list of column names.`);
  }
}

/**
 * @throws InvalidArgumentError for an unknown test name, a threshold that is
 * not a finite number >= 0, a drift share outside [0, 1], or a column declared
 * both numerical and categorical.
 */
export function validateFileDriftOptions(options: FileDriftOptions): void {
  checkNames(options.columns, 'columns');
  checkNames(options.numericalColumns, 'numerical columns');
  checkNames(options.categoricalColumns, 'categorical columns');
  checkStatTest(options.stattest);
  checkStatTest(options.numericalStattest, 'numerical columns');
  checkStatTest(options.categoricalStattest, 'categorical columns');
  checkThreshold(options.threshold, 'stattest threshold');
  checkThreshold(options.numericalThreshold, 'numerical stattest threshold');
  checkThreshold(options.categoricalThreshold, 'categorical stattest threshold');
  const share = options.driftShare;
  if (share !== undefined && !(typeof share === 'number' && share >= 0 && share <= 1)) {
    throw new InvalidArgumentError(`drift share must be a number between 0 and 1, got ${JSON.stringify(share) ?? String(share)}.`);
  }
  for (const [column, choice] of Object.entries(options.perColumn ?? {})) {
    checkStatTest(choice.stattest, `column ${JSON.stringify(column)}`);
    checkThreshold(choice.threshold, `threshold for column ${JSON.stringify(column)}`);
  }
  const numerical = new Set(options.numericalColumns ?? []);
  const both = (options.categoricalColumns ?? []).find((c) => numerical.has(c));
  if (both !== undefined) throw new InvalidArgumentError(`Column ${JSON.stringify(both)} is declared both numerical and categorical; pick one.`);
}

/** Evidently's precedence (`_calculate_stattest`): the column's own choice, then its type's, then the global one. */
export function resolveColumnOptions(options: FileDriftOptions, column: string, type: ColumnType): ColumnDriftOptions {
  const own = options.perColumn?.[column];
  const numerical = type === 'numerical';
  return {
    stattest: own?.stattest ?? (numerical ? options.numericalStattest : options.categoricalStattest) ?? options.stattest,
    threshold: own?.threshold ?? (numerical ? options.numericalThreshold : options.categoricalThreshold) ?? options.threshold,
  };
}
