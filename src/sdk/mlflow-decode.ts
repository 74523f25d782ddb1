import { encodeDouble } from '../tracking/mlflow-json.js';
import type { DatasetInput, Experiment, LifecycleStage, Metric, Run, RunInfo, RunStatus, Tag } from '../tracking/tracking-types.js';
import type { Json } from './http-client.js';

/** One entry of an artifact listing, relative to the listed run's artifact root. */
export interface ArtifactFile {
  path: string;
  isDir: boolean;
  fileSize?: number;
}

/** Tags given as a record or as a list; the SDK accepts both. */
export type TagsInput = Record<string, string> | Tag[];

export function toTagList(tags: TagsInput | undefined): Tag[] {
  if (!tags) return [];
  if (Array.isArray(tags)) return tags.map((t) => ({ key: t.key, value: t.value }));
  return Object.entries(tags).map(([key, value]) => ({ key, value: String(value) }));
}

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const int = (v: unknown): number => (v === undefined || v === null || v === '' ? 0 : Number(v));
const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});

/** Proto JSON doubles: numbers, or "NaN" / "Infinity" / "-Infinity" as strings. */
export function decodeDouble(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v === 'NaN') return NaN;
  if (v === 'Infinity' || v === 'inf') return Infinity;
  if (v === '-Infinity' || v === '-inf') return -Infinity;
  return Number(v);
}

export function decodeTags(v: unknown): Tag[] {
  return list(v).map((t) => ({ key: str(t.key), value: str(t.value) }));
}

export function decodeExperiment(j: Json): Experiment {
  return {
    experimentId: str(j.experiment_id),
    name: str(j.name),
    artifactLocation: str(j.artifact_location),
    lifecycleStage: (str(j.lifecycle_stage) || 'active') as LifecycleStage,
    creationTime: int(j.creation_time),
    lastUpdateTime: int(j.last_update_time),
    tags: decodeTags(j.tags),
  };
}

export function decodeRunInfo(j: Json): RunInfo {
  return {
    runId: str(j.run_id ?? j.run_uuid),
    runName: str(j.run_name),
    experimentId: str(j.experiment_id),
    userId: str(j.user_id),
    status: (str(j.status) || 'RUNNING') as RunStatus,
    startTime: int(j.start_time),
    endTime: j.end_time === undefined || j.end_time === null ? null : int(j.end_time),
    artifactUri: str(j.artifact_uri),
    lifecycleStage: (str(j.lifecycle_stage) || 'active') as LifecycleStage,
  };
}

export function decodeMetric(j: Json): Metric {
  return { key: str(j.key), value: decodeDouble(j.value), timestamp: int(j.timestamp), step: int(j.step) };
}

export function encodeMetric(m: Metric): Json {
  return { key: m.key, value: encodeDouble(m.value), timestamp: m.timestamp, step: m.step };
}

function decodeDatasetInput(j: Json): DatasetInput {
  const d = obj(j.dataset);
  return {
    tags: decodeTags(j.tags),
    dataset: {
      name: str(d.name),
      digest: str(d.digest),
      sourceType: str(d.source_type),
      source: str(d.source),
      schema: d.schema === undefined ? null : str(d.schema),
      profile: d.profile === undefined ? null : str(d.profile),
    },
  };
}

export function decodeRun(j: Json): Run {
  const data = obj(j.data);
  const inputs = obj(j.inputs);
  const outputs = obj(j.outputs);
  return {
    info: decodeRunInfo(obj(j.info)),
    data: { metrics: list(data.metrics).map(decodeMetric), params: decodeTags(data.params), tags: decodeTags(data.tags) },
    inputs: {
      datasetInputs: list(inputs.dataset_inputs).map(decodeDatasetInput),
      modelInputs: list(inputs.model_inputs).map((m) => ({ modelId: str(m.model_id) })),
    },
    outputs: { modelOutputs: list(outputs.model_outputs).map((m) => ({ modelId: str(m.model_id), step: int(m.step) })) },
  };
}

export function decodeArtifactFiles(v: unknown): ArtifactFile[] {
  return list(v).map((f) => ({
    path: str(f.path),
    isDir: f.is_dir === true,
    ...(f.file_size === undefined ? {} : { fileSize: int(f.file_size) }),
  }));
}
