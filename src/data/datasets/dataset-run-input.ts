import { datasetRef, runInputDigest, type DatasetSchema, type DatasetVersion } from './dataset-types.js';

/** The input tag MLflow's `log_input(dataset, context=…)` writes; lineage shows it on the edge. */
export const DATASET_CONTEXT_TAG = 'mlflow.data.context';

/** What a run input records for a registered version: MLflow's `source_type`. */
export const FERRY_SOURCE_TYPE = 'ferry';

/** One dataset input of MLflow's `POST /runs/log-inputs`, in its JSON shape. */
export interface MlflowDatasetInputJson {
  tags: Array<{ key: string; value: string }>;
  dataset: { name: string; digest: string; source_type: string; source: string; schema?: string; profile: string };
}

/** DuckDB type names as MLflow's column types (`mlflow.types.DataType`); others pass through lower-cased. */
const MLFLOW_TYPES: Array<[RegExp, string]> = [
  [/^(TINYINT|SMALLINT|INTEGER|INT|UTINYINT|USMALLINT)$/, 'integer'],
  [/^(BIGINT|UINTEGER|UBIGINT|HUGEINT|UHUGEINT)$/, 'long'],
  [/^(FLOAT|REAL)$/, 'float'],
  [/^(DOUBLE|DECIMAL.*)$/, 'double'],
  [/^(VARCHAR|TEXT|STRING|UUID)$/, 'string'],
  [/^BOOL(EAN)?$/, 'boolean'],
  [/^(BLOB|BYTEA)$/, 'binary'],
  [/^(DATE|TIMESTAMP.*|DATETIME)$/, 'datetime'],
];

function mlflowType(duckdbType: string): string {
  const t = duckdbType.trim().toUpperCase();
  return MLFLOW_TYPES.find(([re]) => re.test(t))?.[1] ?? duckdbType.toLowerCase();
}

/** MLflow's dataset schema JSON (`{"mlflow_colspec": […]}`), so its UI lists the columns. */
function mlflowSchema(schema: DatasetSchema): string {
  return JSON.stringify({ mlflow_colspec: schema.columns.map((c) => ({ type: mlflowType(c.type), name: c.name, required: true })) });
}

/**
 * The run input that links a run to a registered version: name = the dataset's
 * name, source_type `ferry`, source `datasets:/NAME/VERSION`, digest the first
 * 32 hex digits of the SHA-256 (MLflow allows 36 characters), and a profile
 * with the full digest, kind, size and file count under `ferry_dataset`.
 */
export function datasetRunInput(v: DatasetVersion, context?: string): MlflowDatasetInputJson {
  const profile: Record<string, unknown> = {};
  if (v.schema?.rows !== undefined) profile.num_rows = v.schema.rows;
  profile.ferry_dataset = { name: v.name, version: v.version, digest: v.digest, kind: v.kind, size: v.size, files: v.files };
  return {
    tags: context ? [{ key: DATASET_CONTEXT_TAG, value: context }] : [],
    dataset: {
      name: v.name,
      digest: runInputDigest(v.digest),
      source_type: FERRY_SOURCE_TYPE,
      source: datasetRef(v.name, v.version),
      ...(v.schema ? { schema: mlflowSchema(v.schema) } : {}),
      profile: JSON.stringify(profile),
    },
  };
}
