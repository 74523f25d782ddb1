/** How a column's values are treated by the profile. */
export type ProfileColumnKind = 'numeric' | 'categorical' | 'boolean' | 'datetime' | 'text' | 'other';

export interface HistogramBin {
  /** Inclusive lower edge; the last bin also includes its upper edge. */
  lower: number;
  upper: number;
  count: number;
}

export interface TopValue {
  value: string | number | boolean;
  count: number;
}

/** The quantiles every numeric column reports, with the fraction each stands for. */
export const PROFILE_QUANTILES = { p01: 0.01, p05: 0.05, p25: 0.25, p50: 0.5, p75: 0.75, p95: 0.95, p99: 0.99 } as const;
export type QuantileName = keyof typeof PROFILE_QUANTILES;

/** One column's profile; statistics that do not apply to its kind, or that have no values to describe, are absent. */
export interface ColumnProfile {
  name: string;
  /** DuckDB's type name, e.g. DOUBLE, BIGINT, VARCHAR, TIMESTAMP. */
  type: string;
  kind: ProfileColumnKind;
  /** Values present (pandas' `count`): rows − nulls. Infinities count as present. */
  count: number;
  /** Missing values as pandas sees them: SQL NULLs plus, in FLOAT/DOUBLE columns, NaN. */
  nulls: number;
  /** nulls / rows; 0 for an empty table. */
  null_fraction: number;
  /** Of `nulls`, how many were NaN rather than NULL (FLOAT/DOUBLE columns only). */
  nan?: number;
  /** Of `count`, how many were ±Infinity (FLOAT/DOUBLE columns only); they are left out of every statistic below. */
  infinite?: number;
  /** Distinct present values (NULL and NaN not counted, as pandas' `nunique`). */
  distinct: number;
  /** 'exact' or 'approximate' (hash-sampled estimate), as stated in `TableProfile.methods.distinct`. */
  distinct_method: 'exact' | 'approximate';
  /** Numbers for numeric columns (finite values, as JS doubles), ISO 8601 strings for datetime columns. */
  min?: number | string;
  max?: number | string;
  mean?: number;
  /** Sample standard deviation (n − 1); absent for fewer than two values. */
  stddev?: number;
  /** p01 … p99 with linear interpolation between closest ranks (NumPy's default, pandas' `quantile`). */
  quantiles?: Record<QuantileName, number>;
  /** Equal-width bins from min to max, NumPy's `histogram` semantics. */
  histogram?: HistogramBin[];
  /** Most frequent values, most frequent first (ties by value), for categorical, text and boolean columns. */
  top_values?: TopValue[];
  /** For text columns: min/max/mean length in characters. */
  length?: { min: number; max: number; mean: number };
}

export interface TableProfile {
  source: string;
  format: 'csv' | 'parquet' | 'jsonl';
  rows: number;
  /** Rows that repeat an earlier row exactly (rows − distinct rows), over the profiled columns. */
  duplicate_rows: number;
  /** 'exact' below `exactRowLimit` rows, else 'hashed' (64-bit row hashes; see `methods.duplicates`). */
  duplicate_method: 'exact' | 'hashed';
  columns: ColumnProfile[];
  /** How each statistic was computed, in words, for the report. */
  methods: { quantiles: string; distinct: string; histogram: string; duplicates: string; missing: string; numbers: string };
  duration_ms: number;
}
