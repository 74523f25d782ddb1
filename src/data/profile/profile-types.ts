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

/** One column's profile; statistics that do not apply to its kind are absent. */
export interface ColumnProfile {
  name: string;
  /** DuckDB's type name, e.g. DOUBLE, BIGINT, VARCHAR, TIMESTAMP. */
  type: string;
  kind: ProfileColumnKind;
  /** Non-null values. */
  count: number;
  nulls: number;
  null_fraction: number;
  distinct: number;
  /** 'exact' or 'approximate' (HyperLogLog), as stated in the report. */
  distinct_method: 'exact' | 'approximate';
  min?: number | string;
  max?: number | string;
  mean?: number;
  /** Sample standard deviation (n − 1). */
  stddev?: number;
  /** p01 … p99 with linear interpolation between closest ranks (NumPy's default, pandas' `quantile`). */
  quantiles?: Record<'p01' | 'p05' | 'p25' | 'p50' | 'p75' | 'p95' | 'p99', number>;
  histogram?: HistogramBin[];
  /** Most frequent values, most frequent first (ties by value). */
  top_values?: TopValue[];
  /** For text columns: min/max/mean length in characters. */
  length?: { min: number; max: number; mean: number };
}

export interface TableProfile {
  source: string;
  format: 'csv' | 'parquet' | 'jsonl';
  rows: number;
  /** Rows that repeat an earlier row exactly (rows − distinct rows). */
  duplicate_rows: number;
  columns: ColumnProfile[];
  /** How quantiles were interpolated and distinct counted, for the report. */
  methods: { quantiles: string; distinct: string };
  duration_ms: number;
}
