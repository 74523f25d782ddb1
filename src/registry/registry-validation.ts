/**
 * MLflow's model registry validation rules (mlflow/utils/validation.py), with
 * its messages, so clients see the same errors as from an MLflow server.
 */
import { posix } from 'node:path';
import { InvalidArgumentError, NotFoundError } from '../errors.js';
import { STAGES, type Stage, type Tag } from './registry-types.js';

export const REGISTRY_LIMITS = {
  maxNameLength: 256,
  maxTagKeyLength: 250,
  maxTagValueLength: 100_000,
  maxAliasLength: 255,
  maxDescriptionLength: 100_000,
  /** Version numbers are stored as a 32-bit integer. */
  maxVersion: 2_147_483_647,
} as const;

const TAG_KEY = /^[/\w.\- :]*$/u;
/** Python's `\w` (alphanumerics of any script and `_`) and `-`. */
const ALIAS = /^[\p{L}\p{N}_-]*$/u;
const VERSION_ALIAS = /^[vV]\d+$/;

function bad(message: string): never {
  throw new InvalidArgumentError(message);
}

/** MLflow's `invalid_value`: the value as compact JSON with sorted keys. */
function invalidValue(path: string, value: unknown, message: string): string {
  return `Invalid value ${JSON.stringify(value)} for parameter '${path}' supplied: ${message}`;
}

function pathMessage(name: string): string {
  return `Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${posix.normalize(name)}'`;
}

function pathNotUnique(name: string): boolean {
  const norm = posix.normalize(name);
  return norm !== name || norm === '.' || norm.startsWith('..') || norm.startsWith('/');
}

export function limitLength(what: string, limit: number, value: string): string {
  if (value.length > limit) bad(`'${what}' exceeds the maximum length of ${limit} characters`);
  return value;
}

/** A registered model name: non-blank, no '/' or ':', and the same once normalised as a path. */
export function validateModelName(name: unknown, field = 'name'): string {
  if (typeof name !== 'string' || name.trim() === '') bad(`Missing value for required parameter '${field}'.`);
  if (name.includes('/') || name.includes(':')) bad(`Invalid model name '${name.slice(0, 300)}'. Names cannot contain '/' or ':'.`);
  if (name.includes('\u0000')) bad(`Invalid model name: names cannot contain NUL characters.`);
  if (pathNotUnique(name)) bad(invalidValue(field, name, pathMessage(name)));
  return limitLength(field, REGISTRY_LIMITS.maxNameLength, name);
}

/**
 * A version number as MLflow reads it (`int(version)`): decimal digits, an
 * optional sign and surrounding spaces. Numbers no version can have are kept,
 * so the caller answers "not found" for them as MLflow does.
 */
export function parseVersion(version: unknown): number {
  const text = typeof version === 'number' ? String(version) : version;
  if (typeof text !== 'string' || !/^\s*[+-]?\d+\s*$/.test(text)) {
    bad(`Parameter 'version' must be an integer, got '${String(text ?? '').slice(0, 100)}'.`);
  }
  return Number(text.trim());
}

/** A version number that could exist; others name nothing. */
export function isStorableVersion(version: number): boolean {
  return Number.isSafeInteger(version) && version >= 1 && version <= REGISTRY_LIMITS.maxVersion;
}

export function versionNotFound(name: string, version: number | string): NotFoundError {
  return new NotFoundError(`Model Version (name=${name}, version=${version}) not found`);
}

export function modelNotFound(name: string): NotFoundError {
  return new NotFoundError(`Registered Model with name=${name} not found`);
}

export function validateTagKey(key: unknown): string {
  if (typeof key !== 'string' || key === '') bad(`Missing value for required parameter 'key'.`);
  if (!TAG_KEY.test(key)) {
    bad(invalidValue('key', key, 'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).'));
  }
  if (pathNotUnique(key)) bad(invalidValue('key', key, pathMessage(key)));
  return limitLength('key', REGISTRY_LIMITS.maxTagKeyLength, key);
}

/** A registered model or model version tag (`_validate_registered_model_tag`, `_validate_model_version_tag`). */
export function validateRegistryTag(tag: { key: unknown; value: unknown }): Tag {
  const key = validateTagKey(tag.key);
  if (tag.value === undefined || tag.value === null) bad('Tag value cannot be None');
  if (typeof tag.value !== 'string') bad(`Tag '${key}' needs a string value`);
  return { key, value: limitLength('value', REGISTRY_LIMITS.maxTagValueLength, tag.value) };
}

/** Later tags win over earlier ones with the same key, as MLflow's dict does. */
export function validateRegistryTags(tags: Array<{ key: unknown; value: unknown }> | undefined): Tag[] {
  const byKey = new Map<string, string>();
  for (const t of tags ?? []) {
    const v = validateRegistryTag(t);
    byKey.set(v.key, v.value);
  }
  return [...byKey].map(([key, value]) => ({ key, value }));
}

export function validateAliasName(alias: unknown): string {
  if (typeof alias !== 'string' || alias === '') bad('Registered model alias name cannot be empty.');
  if (!ALIAS.test(alias)) {
    bad(`Invalid alias name: '${alias.slice(0, 300)}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`);
  }
  return limitLength('Registered model alias name', REGISTRY_LIMITS.maxAliasLength, alias);
}

/** 'latest' and `v<digits>` are how model URIs name versions, so no alias may take them. */
export function validateAliasNotReserved(alias: string): string {
  if (alias.toLowerCase() === 'latest') bad("'latest' alias name (case insensitive) is reserved.");
  if (VERSION_ALIAS.test(alias)) bad(`Version alias name '${alias}' is reserved.`);
  return alias;
}

export function validateDescription(description: string | undefined): string | undefined {
  return description === undefined ? undefined : limitLength('description', REGISTRY_LIMITS.maxDescriptionLength, description);
}

/** MLflow's `get_canonical_stage`: any capitalisation of a stage name. */
export function canonicalStage(stage: unknown): Stage {
  const s = typeof stage === 'string' ? STAGES.find((x) => x.toLowerCase() === stage.toLowerCase()) : undefined;
  if (!s) bad(`Invalid Model Version stage: ${String(stage).slice(0, 100)}. Value must be one of ${STAGES.join(', ')}.`);
  return s;
}
