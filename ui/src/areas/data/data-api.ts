/** Ferry's dataset registry and data tools (profile, drift, validate) as the web UI reads them. */
import { ferryRequest } from '../deployments/deployments-api';

export interface DatasetVersion {
  name: string;
  version: number;
  ref: string;
  digest: string;
  kind: 'file' | 'directory';
  size: number;
  files: number;
  source: string | null;
  schema: { format?: 'csv' | 'parquet' | 'jsonl'; rows?: number; columns: Array<{ name: string; type: string }> } | null;
  description: string | null;
  tags: Record<string, string>;
  created_by: string | null;
  creation_time: number;
}
export interface Dataset {
  name: string;
  description: string | null;
  tags: Record<string, string>;
  creation_time: number;
  last_updated_time: number;
  version_count: number;
  latest_version: DatasetVersion | null;
}

export interface HistogramBin {
  lower: number;
  upper: number;
  count: number;
}
export interface ColumnProfile {
  name: string;
  type: string;
  kind: 'numeric' | 'categorical' | 'boolean' | 'datetime' | 'text' | 'other';
  count: number;
  nulls: number;
  null_fraction: number;
  distinct: number;
  min?: number | string;
  max?: number | string;
  mean?: number;
  stddev?: number;
  histogram?: HistogramBin[];
  top_values?: Array<{ value: string | number | boolean; count: number }>;
}
export interface TableProfile {
  source: string;
  rows: number;
  duplicate_rows: number;
  columns: ColumnProfile[];
  duration_ms: number;
}

export type ColumnDrift =
  | {
      column: string;
      computed: true;
      type: 'numerical' | 'categorical';
      method: string;
      stattest_name: string;
      score_kind: 'p_value' | 'distance';
      statistic: number;
      threshold: number;
      drifted: boolean;
      reference_rows: number;
      current_rows: number;
    }
  | { column: string; computed: false; type: string | null; reason: string };
export interface DriftReport {
  columns: ColumnDrift[];
  dataset: { number_of_columns: number; computed_columns: number; drifted_columns: number; share: number; drift_share: number; dataset_drift: boolean };
}

export interface ExpectationResult {
  success: boolean;
  expectation_config: { type: string; kwargs: Record<string, unknown> };
  result: {
    element_count?: number;
    unexpected_count?: number;
    unexpected_percent?: number | null;
    partial_unexpected_list?: unknown[];
    partial_unexpected_counts?: Array<{ value: unknown; count: number }>;
    observed_value?: unknown;
    missing_count?: number;
  };
  exception_info: { raised_exception: boolean; exception_message: string | null };
}
export interface ValidationResult {
  success: boolean;
  statistics: { evaluated_expectations: number; successful_expectations: number; unsuccessful_expectations: number; success_percent: number | null };
  results: ExpectationResult[];
  suite_name: string;
  meta: { source: string; row_count: number };
}

const BASE = '/api/ferry/v1/datasets';
const enc = encodeURIComponent;

/** The `datasets:/NAME/VERSION` reference the data tools take. */
export const datasetSource = (name: string, version: number | string) => `datasets:/${name}/${version}`;

export const dataApi = {
  list: () => ferryRequest<{ datasets: Dataset[] }>('GET', `${BASE}?max_results=1000`),
  get: (name: string) => ferryRequest<{ dataset: Dataset }>('GET', `${BASE}/${enc(name)}`),
  versions: (name: string) => ferryRequest<{ versions: DatasetVersion[] }>('GET', `${BASE}/${enc(name)}/versions?max_results=1000`),
  version: (name: string, version: string) => ferryRequest<{ dataset_version: DatasetVersion }>('GET', `${BASE}/${enc(name)}/versions/${enc(version)}`),
  profile: (source: string) => ferryRequest<TableProfile>('POST', '/api/ferry/v1/data/profile', { source, format: 'json' }),
  drift: (reference: string, current: string) => ferryRequest<DriftReport>('POST', '/api/ferry/v1/data/drift', { reference, current }),
  validate: (source: string, suite: string) => ferryRequest<ValidationResult>('POST', '/api/ferry/v1/data/validate', { source, suite, result_format: 'COMPLETE' }),
};
