/** Types of drift detection: inputs, options and the JSON report. */

/** Evidently's column kinds that drift applies to. */
export type ColumnType = 'numerical' | 'categorical';

/** Evidently's registered names of the tests Ferry implements. */
export type StatTestName = 'ks' | 'chisquare' | 'z' | 'psi' | 'wasserstein' | 'jensenshannon' | 'kl_div';

/** A non-null categorical value. */
export type CategoryValue = string | number | boolean;

/** One cell: `null`, `undefined`, NaN and ±Infinity count as missing and are dropped. */
export type DriftScalar = string | number | boolean | bigint | null | undefined;

/**
 * One column's values. Typed arrays are numerical (NaN marks a null), which is
 * how a columnar reader (DuckDB) hands numeric columns over without boxing.
 */
export type DriftColumnValues =
  | Float64Array
  | Float32Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | readonly DriftScalar[];

/** A dataset as named columns. */
export type DriftFrame = Readonly<Record<string, DriftColumnValues>> | ReadonlyMap<string, DriftColumnValues>;

export interface ColumnDriftOptions {
  /** Test to use instead of Evidently's default choice. */
  stattest?: StatTestName;
  /** Threshold for this column's test (p-value or distance). */
  threshold?: number;
}

export interface DriftOptions {
  /** Columns to compare; default: every column of either frame, reference order first. */
  columns?: readonly string[];
  /** Declared column types; others are inferred from the values. */
  columnTypes?: Readonly<Record<string, ColumnType>>;
  /** Test for every column without a per-column choice. */
  stattest?: StatTestName;
  /** Threshold for every column without a per-column one (else the test's default). */
  threshold?: number;
  perColumn?: Readonly<Record<string, ColumnDriftOptions>>;
  /** Dataset drift when the share of drifted columns reaches this (default 0.5). */
  driftShare?: number;
}

/** A column whose drift was computed. Field names are the report's JSON names. */
export interface ComputedColumnDrift {
  column: string;
  computed: true;
  type: ColumnType;
  /** The test's registered name, e.g. `ks`. */
  method: StatTestName;
  /** Evidently's display name, e.g. `K-S p_value`. */
  stattest_name: string;
  /** Whether `statistic` is a p-value (drift when small) or a distance (drift when large). */
  score_kind: 'p_value' | 'distance';
  /** The drift score: the p-value or the distance. */
  statistic: number;
  threshold: number;
  drifted: boolean;
  /** Non-null rows compared on each side. */
  reference_rows: number;
  current_rows: number;
  /** Test-specific values, e.g. the KS statistic D beside its p-value. */
  details?: Readonly<Record<string, number | string>>;
}

/** A column whose drift could not be computed, with the reason. */
export interface SkippedColumnDrift {
  column: string;
  computed: false;
  /** The type where it could be settled. */
  type: ColumnType | null;
  /** `not computed: <why>`. */
  reason: string;
}

export type ColumnDrift = ComputedColumnDrift | SkippedColumnDrift;

export interface DatasetDrift {
  number_of_columns: number;
  /** Columns whose drift was computed; the share is taken over these. */
  computed_columns: number;
  drifted_columns: number;
  /** drifted_columns / computed_columns, 0 when none was computed. */
  share: number;
  drift_share: number;
  dataset_drift: boolean;
}

export interface DriftReport {
  columns: ColumnDrift[];
  dataset: DatasetDrift;
}
