import { posix } from 'node:path';
import { InvalidArgumentError } from '../errors.js';
import type { Metric, Tag } from './tracking-types.js';

/** MLflow's limits (mlflow/utils/validation.py), so clients see the same behaviour. */
export const LIMITS = {
  maxParamsTagsPerBatch: 100,
  maxMetricsPerBatch: 1000,
  maxEntitiesPerBatch: 1000,
  maxDatasetsPerBatch: 1000,
  maxParamValueLength: 6000,
  maxTagValueLength: 8000,
  maxExperimentNameLength: 500,
  maxExperimentTagKeyLength: 250,
  maxExperimentTagValueLength: 5000,
  maxEntityKeyLength: 250,
  maxDatasetNameSize: 500,
  maxDatasetDigestSize: 36,
  maxDatasetSchemaSize: 1048575,
  maxDatasetSourceSize: 65535,
  maxDatasetProfileSize: 16777215,
  maxInputTagKeySize: 255,
  maxInputTagValueSize: 500,
  maxResultsPerSearch: 50000,
} as const;

const VALID_KEY = /^[/\w.\- :]*$/u;
const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;

/** Long param and tag values are cut, as MLflow does by default (MLFLOW_TRUNCATE_LONG_VALUES). */
const TRUNCATE_LONG_VALUES = process.env.FERRY_TRUNCATE_LONG_VALUES !== 'false';

function bad(message: string): never {
  throw new InvalidArgumentError(message);
}

/** A key that would name a different file once normalised as a path (MLflow's path_not_unique). */
function pathNotUnique(name: string): boolean {
  const norm = posix.normalize(name);
  return norm !== name || norm === '.' || norm.startsWith('..') || norm.startsWith('/');
}

/** Keys already found valid; a training loop logs the same few keys millions of times. */
const knownGoodKeys = new Set<string>();

export function validateKey(kind: 'metric' | 'parameter' | 'tag', key: unknown): string {
  if (typeof key === 'string' && knownGoodKeys.has(key)) return key;
  const valid = checkKey(kind, key);
  if (knownGoodKeys.size > 100_000) knownGoodKeys.clear();
  knownGoodKeys.add(valid);
  return valid;
}

function checkKey(kind: 'metric' | 'parameter' | 'tag', key: unknown): string {
  if (typeof key !== 'string' || key.length === 0) bad(`Invalid ${kind} name: a key name must be provided as a non-empty string.`);
  if (!VALID_KEY.test(key)) {
    bad(
      `Invalid ${kind} name: '${key.slice(0, 250)}'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).`,
    );
  }
  if (pathNotUnique(key)) {
    bad(
      `Invalid ${kind} name: '${key}'. Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${posix.normalize(key)}'`,
    );
  }
  return limitLength(`${kind === 'parameter' ? 'Param' : kind === 'tag' ? 'Tag' : 'Metric'} key`, LIMITS.maxEntityKeyLength, key);
}

/** Rejects, or with `truncate` cuts, a value over `limit` characters. The message names the limit. */
export function limitLength(what: string, limit: number, value: string, truncate = false): string {
  if (value.length <= limit) return value;
  if (truncate && TRUNCATE_LONG_VALUES) return value.slice(0, limit);
  bad(`${what} '${value.slice(0, 250)}' had length ${value.length}, which exceeded length limit of ${limit}`);
}

export function validateParam(p: Tag): Tag {
  const key = validateKey('parameter', p.key);
  if (typeof p.value !== 'string') bad(`Param '${key}' needs a string value`);
  return { key, value: limitLength('Param value', LIMITS.maxParamValueLength, p.value, true) };
}

export function validateTag(t: Tag): Tag {
  const key = validateKey('tag', t.key);
  if (typeof t.value !== 'string') bad(`Tag '${key}' needs a string value`);
  return { key, value: limitLength('Tag value', LIMITS.maxTagValueLength, t.value, true) };
}

export function validateExperimentTag(t: Tag): Tag {
  const key = validateKey('tag', t.key);
  if (typeof t.value !== 'string') bad(`Tag '${key}' needs a string value`);
  limitLength('Tag key', LIMITS.maxExperimentTagKeyLength, key);
  return { key, value: limitLength('Tag value', LIMITS.maxExperimentTagValueLength, t.value) };
}

export function validateMetric(m: Metric): Metric {
  const key = validateKey('metric', m.key);
  if (typeof m.value !== 'number') {
    bad(`Got invalid value ${String(m.value)} for metric '${key}' (timestamp=${m.timestamp}). Please specify value as a valid double (64-bit floating point)`);
  }
  if (typeof m.timestamp !== 'number' || !Number.isInteger(m.timestamp) || m.timestamp < 0) {
    bad(`Got invalid timestamp ${String(m.timestamp)} for metric '${key}' (value=${m.value}). Timestamp must be a nonnegative long (64-bit integer)`);
  }
  if (typeof m.step !== 'number' || !Number.isInteger(m.step)) {
    bad(`Got invalid step ${String(m.step)} for metric '${key}' (value=${m.value}). Step must be a valid long (64-bit integer).`);
  }
  return m;
}

export function validateRunId(runId: unknown): string {
  if (typeof runId !== 'string' || !RUN_ID.test(runId)) bad(`Invalid run ID: '${String(runId)}'`);
  return runId;
}

export function validateExperimentName(name: unknown): string {
  if (typeof name !== 'string' || name.trim() === '') bad(`Invalid experiment name: '${String(name ?? '')}'. Give a non-empty name.`);
  if (name.length > LIMITS.maxExperimentNameLength) {
    bad(`Experiment name exceeds the maximum length of ${LIMITS.maxExperimentNameLength} characters`);
  }
  return name;
}

export function validateBatchLimits(metrics: number, params: number, tags: number): void {
  const check = (entity: string, limit: number, length: number) => {
    if (length > limit) {
      bad(
        `A batch logging request can contain at most ${limit} ${entity}. Got ${length} ${entity}. Please split up ${entity} across multiple requests and try again.`,
      );
    }
  };
  check('metrics', LIMITS.maxMetricsPerBatch, metrics);
  check('params', LIMITS.maxParamsTagsPerBatch, params);
  check('tags', LIMITS.maxParamsTagsPerBatch, tags);
  check('metrics, params, and tags', LIMITS.maxEntitiesPerBatch, metrics + params + tags);
}

export function validateMaxResults(maxResults: number | undefined, fallback: number, limit: number = LIMITS.maxResultsPerSearch): number {
  if (maxResults === undefined) return fallback;
  if (!Number.isInteger(maxResults) || maxResults <= 0) bad(`max_results must be a positive integer, got ${maxResults}`);
  if (maxResults > limit) bad(`Invalid value ${maxResults} for parameter 'max_results' supplied. It must be at most ${limit}`);
  return maxResults;
}
