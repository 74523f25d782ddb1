import type { Generated } from 'kysely';

/** Kysely's view of Ferry's metadata tables. SQL names are snake_case; stores map them to camelCase. */
export interface DatabaseSchema {
  experiments: ExperimentsTable;
  experiment_tags: KeyValueTable & { experiment_id: number };
  runs: RunsTable;
  tags: KeyValueTable & { run_uuid: string };
  params: KeyValueTable & { run_uuid: string };
  metrics: MetricsTable;
  latest_metrics: MetricsTable;
  metric_snapshots: MetricSnapshotsTable;
  datasets: DatasetsTable;
  inputs: InputsTable;
  input_tags: { input_uuid: string; name: string; value: string };
  run_model_links: RunModelLinksTable;
  logged_models: LoggedModelsTable;
  logged_model_params: { model_id: string; experiment_id: number; param_key: string; param_value: string };
  logged_model_tags: { model_id: string; experiment_id: number; tag_key: string; tag_value: string };
  logged_model_metrics: LoggedModelMetricsTable;
  api_tokens: ApiTokensTable;
}

export interface KeyValueTable {
  key: string;
  value: string;
}

export interface ExperimentsTable {
  experiment_id: Generated<number>;
  name: string;
  artifact_location: string;
  lifecycle_stage: string;
  creation_time: number;
  last_update_time: number;
}

export interface RunsTable {
  run_uuid: string;
  name: string;
  experiment_id: number;
  user_id: string;
  status: string;
  start_time: number;
  end_time: number | null;
  deleted_time: number | null;
  lifecycle_stage: string;
  artifact_uri: string;
}

export interface MetricsTable {
  run_uuid: string;
  key: string;
  value: number;
  timestamp: number;
  step: number;
  /** 1 when the value is NaN: SQLite cannot store NaN (it reads back as NULL). */
  is_nan: number;
}

/** A metric history packed as float64 columns (metric-snapshots.ts); derived from `metrics`. */
export interface MetricSnapshotsTable {
  run_uuid: string;
  key: string;
  n: number;
  max_step: number;
  data: Uint8Array;
}

export interface DatasetsTable {
  dataset_uuid: string;
  experiment_id: number;
  name: string;
  digest: string;
  dataset_source_type: string;
  dataset_source: string;
  dataset_schema: string | null;
  dataset_profile: string | null;
}

export interface InputsTable {
  input_uuid: string;
  source_type: string;
  source_id: string;
  destination_type: string;
  destination_id: string;
}

export interface RunModelLinksTable {
  run_uuid: string;
  model_id: string;
  /** 'input' or 'output' */
  direction: string;
  step: number;
}

export interface LoggedModelsTable {
  model_id: string;
  experiment_id: number;
  name: string;
  artifact_location: string;
  creation_timestamp_ms: number;
  last_updated_timestamp_ms: number;
  status: string;
  lifecycle_stage: string;
  model_type: string | null;
  source_run_id: string | null;
  status_message: string | null;
}

export interface LoggedModelMetricsTable {
  model_id: string;
  metric_name: string;
  metric_timestamp_ms: number;
  metric_step: number;
  metric_value: number;
  is_nan: number;
  experiment_id: number;
  run_id: string;
  dataset_uuid: string | null;
  dataset_name: string | null;
  dataset_digest: string | null;
}

export interface ApiTokensTable {
  token_id: string;
  name: string;
  role: string;
  token_hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}
