import { InvalidArgumentError } from '../errors.js';
import type {
  DatasetInput,
  Experiment,
  LoggedModel,
  LoggedModelMetric,
  Metric,
  Run,
  RunInfo,
  Tag,
  ViewType,
} from './tracking-types.js';

/**
 * MLflow's wire format: protobuf JSON with snake_case names. Doubles that
 * JSON cannot hold travel as the strings "NaN", "Infinity", "-Infinity";
 * unset fields and empty lists are left out.
 */
export type Json = Record<string, unknown>;

export function encodeDouble(v: number): number | string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return v;
}

/** Drops undefined, null and empty arrays, as protobuf's JSON printer does. */
export function compact(o: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === null) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out;
}

const tags = (t: Tag[]) => t.map((x) => ({ key: x.key, value: x.value }));

export function experimentJson(e: Experiment): Json {
  return compact({
    experiment_id: e.experimentId,
    name: e.name,
    artifact_location: e.artifactLocation,
    lifecycle_stage: e.lifecycleStage,
    last_update_time: e.lastUpdateTime,
    creation_time: e.creationTime,
    tags: tags(e.tags),
  });
}

export function runInfoJson(i: RunInfo): Json {
  return compact({
    run_uuid: i.runId,
    run_id: i.runId,
    run_name: i.runName,
    experiment_id: i.experimentId,
    user_id: i.userId,
    status: i.status,
    start_time: i.startTime,
    end_time: i.endTime,
    artifact_uri: i.artifactUri,
    lifecycle_stage: i.lifecycleStage,
  });
}

/** A search page as MLflow answers it: the list under `name` and a token, each left out when empty. */
export function pageJson<T>(name: string, page: { items: T[]; nextPageToken?: string }, encode: (item: T) => Json): Json {
  return compact({ [name]: page.items.map(encode), next_page_token: page.nextPageToken || undefined });
}

/** The paging fields every MLflow search request carries. */
export function searchPageInput(b: Json): { filter?: string; maxResults?: number; orderBy: string[]; pageToken?: string } {
  return {
    filter: optString(b, 'filter'),
    maxResults: optInt(b, 'max_results'),
    orderBy: stringList(b, 'order_by'),
    pageToken: optString(b, 'page_token') || undefined,
  };
}

export function metricJson(m: Metric): Json {
  return { key: m.key, value: encodeDouble(m.value), timestamp: m.timestamp, step: m.step };
}

function datasetInputJson(d: DatasetInput): Json {
  return compact({
    tags: tags(d.tags),
    dataset: compact({
      name: d.dataset.name,
      digest: d.dataset.digest,
      source_type: d.dataset.sourceType,
      source: d.dataset.source,
      schema: d.dataset.schema,
      profile: d.dataset.profile,
    }),
  });
}

export function runJson(r: Run): Json {
  return compact({
    info: runInfoJson(r.info),
    data: compact({ metrics: r.data.metrics.map(metricJson), params: tags(r.data.params), tags: tags(r.data.tags) }),
    inputs: compact({
      dataset_inputs: r.inputs.datasetInputs.map(datasetInputJson),
      model_inputs: r.inputs.modelInputs.map((m) => ({ model_id: m.modelId })),
    }),
    outputs: compact({ model_outputs: r.outputs.modelOutputs.map((m) => ({ model_id: m.modelId, step: m.step })) }),
  });
}

function loggedModelMetricJson(m: LoggedModelMetric): Json {
  return compact({
    key: m.key,
    value: encodeDouble(m.value),
    timestamp: m.timestamp,
    step: m.step,
    run_id: m.runId,
    dataset_name: m.datasetName,
    dataset_digest: m.datasetDigest,
    model_id: m.modelId,
  });
}

export function loggedModelJson(m: LoggedModel): Json {
  return {
    info: compact({
      model_id: m.modelId,
      experiment_id: m.experimentId,
      name: m.name,
      creation_timestamp_ms: m.creationTimestampMs,
      last_updated_timestamp_ms: m.lastUpdatedTimestampMs,
      artifact_uri: m.artifactUri,
      status: m.status,
      status_message: m.statusMessage,
      model_type: m.modelType,
      source_run_id: m.sourceRunId,
      tags: tags(m.tags),
    }),
    data: compact({ params: tags(m.params), metrics: m.metrics.map(loggedModelMetricJson) }),
  };
}

// ---- decoding: lenient about representation (proto JSON allows numbers as strings), strict about meaning ----

export function field(body: Json, name: string, alt?: string): unknown {
  const v = body[name];
  return v === undefined && alt ? body[alt] : v;
}

export function optString(body: Json, name: string, alt?: string): string | undefined {
  const v = field(body, name, alt);
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v) && v.length === 1) return optString({ [name]: v[0] }, name);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (typeof v !== 'string') throw new InvalidArgumentError(`Invalid value for parameter '${name}': expected a string.`);
  return v;
}

export function reqString(body: Json, name: string, alt?: string): string {
  const v = optString(body, name, alt);
  if (v === undefined || v === '') throw new InvalidArgumentError(`Missing value for required parameter '${name}'.`);
  return v;
}

/** A proto string field that must be present but may be empty (a param value). */
export function presentString(body: Json, name: string): string {
  const v = optString(body, name);
  if (v === undefined) throw new InvalidArgumentError(`Missing value for required parameter '${name}'.`);
  return v;
}

export function parseDouble(v: unknown, name: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    if (v === 'NaN') return NaN;
    if (v === 'Infinity' || v === 'inf') return Infinity;
    if (v === '-Infinity' || v === '-inf') return -Infinity;
    const n = Number(v);
    if (v.trim() !== '' && !Number.isNaN(n)) return n;
  }
  throw new InvalidArgumentError(`Invalid value ${JSON.stringify(v)?.slice(0, 100)} for parameter '${name}': expected a number.`);
}

export function parseInt64(v: unknown, name: string): number {
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError(`Invalid value ${JSON.stringify(v)?.slice(0, 100)} for parameter '${name}': expected an integer.`);
  }
  return n;
}

export function optInt(body: Json, name: string): number | undefined {
  const v = field(body, name);
  if (v === undefined || v === null || v === '') return undefined;
  return parseInt64(Array.isArray(v) && v.length === 1 ? v[0] : v, name);
}

export function optBool(body: Json, name: string): boolean | undefined {
  const v = field(body, name);
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'True') return true;
  if (v === 'false' || v === 'False') return false;
  throw new InvalidArgumentError(`Invalid value for parameter '${name}': expected true or false.`);
}

export function stringList(body: Json, name: string): string[] {
  const v = field(body, name);
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  return list.map((x) => {
    if (typeof x === 'string') return x;
    if (typeof x === 'number') return String(x);
    throw new InvalidArgumentError(`Invalid value for parameter '${name}': expected a list of strings.`);
  });
}

export function objectList(body: Json, name: string): Json[] {
  const v = field(body, name);
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'object' || x === null || Array.isArray(x))) {
    throw new InvalidArgumentError(`Invalid value for parameter '${name}': expected a list of objects.`);
  }
  return v as Json[];
}

export function tagList(body: Json, name = 'tags'): Tag[] {
  return objectList(body, name).map((t) => ({ key: presentString(t, 'key'), value: optString(t, 'value') ?? '' }));
}

export function decodeMetric(m: Json, now: () => number): Metric {
  const key = reqString(m, 'key');
  if (m.value === undefined || m.value === null) throw new InvalidArgumentError(`Missing value for required parameter 'value' of metric '${key}'.`);
  return {
    key,
    value: parseDouble(m.value, 'value'),
    timestamp: m.timestamp === undefined || m.timestamp === null ? now() : parseInt64(m.timestamp, 'timestamp'),
    step: m.step === undefined || m.step === null ? 0 : parseInt64(m.step, 'step'),
  };
}

export function decodeDatasetInput(d: Json): DatasetInput {
  const ds = (d.dataset ?? {}) as Json;
  if (typeof ds !== 'object' || Array.isArray(ds)) throw new InvalidArgumentError("Each dataset input needs a 'dataset' object.");
  return {
    tags: tagList(d),
    dataset: {
      name: reqString(ds, 'name'),
      digest: reqString(ds, 'digest'),
      sourceType: reqString(ds, 'source_type'),
      source: presentString(ds, 'source'),
      schema: optString(ds, 'schema') ?? null,
      profile: optString(ds, 'profile') ?? null,
    },
  };
}

const VIEW_TYPES: Record<string, ViewType> = { ACTIVE_ONLY: 'ACTIVE_ONLY', DELETED_ONLY: 'DELETED_ONLY', ALL: 'ALL', '1': 'ACTIVE_ONLY', '2': 'DELETED_ONLY', '3': 'ALL' };

export function viewType(body: Json, name: string): ViewType | undefined {
  const v = optString(body, name);
  if (v === undefined || v === '') return undefined;
  const t = VIEW_TYPES[v.toUpperCase()];
  if (!t) throw new InvalidArgumentError(`Invalid value '${v}' for parameter '${name}': use ACTIVE_ONLY, DELETED_ONLY or ALL.`);
  return t;
}
