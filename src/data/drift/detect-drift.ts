/**
 * Data drift between a reference and a current dataset with Evidently's
 * semantics (legacy `calculations/data_drift.py`, v0.7.x): a test per column,
 * then dataset drift when the share of drifted columns reaches `driftShare`.
 */
import { InvalidArgumentError } from '../../errors.js';
import { columnDrift } from './column-drift.js';
import type {
  ColumnDrift,
  ColumnType,
  DatasetDrift,
  DriftColumnValues,
  DriftFrame,
  DriftOptions,
  DriftReport,
} from './drift-types.js';
import { STATTEST_NAMES, isStatTestName } from './stattest-registry.js';

/** Evidently's default `drift_share`. */
export const DEFAULT_DRIFT_SHARE = 0.5;

const COLUMN_TYPES: readonly ColumnType[] = ['numerical', 'categorical'];

function isMapLike(frame: DriftFrame): frame is ReadonlyMap<string, DriftColumnValues> {
  // A record's own "get" would be a column (an array), never a function.
  return typeof (frame as ReadonlyMap<string, DriftColumnValues>).get === 'function';
}

function entries(frame: DriftFrame): Map<string, DriftColumnValues> {
  return isMapLike(frame) ? new Map(frame) : new Map(Object.entries(frame));
}

function checkStatTest(value: unknown, where: string): void {
  if (value !== undefined && !isStatTestName(value)) {
    throw new InvalidArgumentError(
      `unknown stattest ${JSON.stringify(value)} for ${where}; available: ${STATTEST_NAMES.join(', ')}`,
    );
  }
}

function checkThreshold(value: unknown, where: string): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
    throw new InvalidArgumentError(`threshold for ${where} must be a finite number >= 0, got ${String(value)}`);
  }
}

/** Rejects bad options before any data is read. */
function validateOptions(options: DriftOptions, known: ReadonlySet<string>): void {
  checkStatTest(options.stattest, 'all columns');
  checkThreshold(options.threshold, 'all columns');
  const share = options.driftShare;
  if (share !== undefined && !(typeof share === 'number' && share >= 0 && share <= 1)) {
    throw new InvalidArgumentError(`driftShare must be between 0 and 1, got ${String(share)}`);
  }
  for (const [column, type] of Object.entries(options.columnTypes ?? {})) {
    if (!COLUMN_TYPES.includes(type)) {
      throw new InvalidArgumentError(`column type of ${JSON.stringify(column)} must be numerical or categorical, got ${String(type)}`);
    }
  }
  for (const [column, perColumn] of Object.entries(options.perColumn ?? {})) {
    if (!known.has(column)) throw new InvalidArgumentError(`per-column options name unknown column ${JSON.stringify(column)}`);
    checkStatTest(perColumn.stattest, `column ${JSON.stringify(column)}`);
    checkThreshold(perColumn.threshold, `column ${JSON.stringify(column)}`);
  }
  for (const column of options.columns ?? []) {
    if (!known.has(column)) throw new InvalidArgumentError(`column ${JSON.stringify(column)} is in neither dataset`);
  }
}

/** Evidently's `get_dataset_drift`, over the columns that could be computed. */
export function datasetDrift(columns: readonly ColumnDrift[], driftShare: number = DEFAULT_DRIFT_SHARE): DatasetDrift {
  const computed = columns.filter((c) => c.computed);
  const drifted = computed.filter((c) => c.drifted).length;
  const share = computed.length === 0 ? 0 : drifted / computed.length;
  return {
    number_of_columns: columns.length,
    computed_columns: computed.length,
    drifted_columns: drifted,
    share,
    drift_share: driftShare,
    dataset_drift: computed.length > 0 && share >= driftShare,
  };
}

/**
 * Compares every column of `current` with `reference`.
 *
 * Columns absent from one side, of different types, empty or all-null get a
 * `not computed: …` entry rather than an exception or a NaN.
 *
 * @throws InvalidArgumentError for an unknown test name, a bad threshold or
 * drift share, or options naming a column neither dataset has.
 *
 * @example
 * const report = detectDrift(
 *   { age: Float64Array.from(referenceAges), plan: referencePlans },
 *   { age: Float64Array.from(currentAges), plan: currentPlans },
 *   { perColumn: { plan: { stattest: 'psi', threshold: 0.2 } } },
 * );
 * report.columns[0]; // { column: 'age', method: 'ks', statistic: 0.31, threshold: 0.05, drifted: false, … }
 * report.dataset.dataset_drift; // true when at least half the columns drifted
 */
export function detectDrift(reference: DriftFrame, current: DriftFrame, options: DriftOptions = {}): DriftReport {
  const ref = entries(reference);
  const cur = entries(current);
  const known = new Set([...ref.keys(), ...cur.keys()]);
  validateOptions(options, known);
  const names = options.columns ?? [...known];
  const columns = names.map((column) => {
    const perColumn = options.perColumn?.[column];
    return columnDrift({
      column,
      reference: ref.get(column),
      current: cur.get(column),
      declaredType: options.columnTypes?.[column],
      stattest: perColumn?.stattest ?? options.stattest,
      threshold: perColumn?.threshold ?? options.threshold,
    });
  });
  return { columns, dataset: datasetDrift(columns, options.driftShare ?? DEFAULT_DRIFT_SHARE) };
}
