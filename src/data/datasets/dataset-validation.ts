import { InvalidArgumentError } from '../../errors.js';
import type { DatasetColumn, DatasetKind, DatasetPatch, DatasetSchema, RegisterDatasetInput } from './dataset-types.js';

/** Limits of what one registration may carry; the schema limit is MLflow's, so a version always fits a run input. */
export const DATASET_LIMITS = {
  nameLength: 256,
  descriptionLength: 5000,
  sourceLength: 65535,
  tags: 100,
  tagKeyLength: 250,
  tagValueLength: 5000,
  schemaBytes: 1048575,
  profileBytes: 1048576,
} as const;

/** Letters, digits, `.`, `_`, `-`: a name must fit `datasets:/NAME/VERSION` and `NAME@latest` unquoted. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const FORMATS = ['csv', 'parquet', 'jsonl'];

function bad(message: string): never {
  throw new InvalidArgumentError(message);
}

const show = (v: unknown): string => (typeof v === 'string' ? `'${v.slice(0, 100)}'` : (JSON.stringify(v) ?? String(v)).slice(0, 100));

export function validateDatasetName(name: unknown): string {
  if (typeof name !== 'string' || name === '') bad("Missing dataset 'name': give a name such as 'transactions'.");
  if (name.length > DATASET_LIMITS.nameLength) bad(`Dataset name is longer than ${DATASET_LIMITS.nameLength} characters.`);
  if (!NAME.test(name)) bad(`Invalid dataset name ${show(name)}: use letters, digits, '.', '_' and '-', starting with a letter or digit.`);
  return name;
}

export function validateDigest(digest: unknown): string {
  if (typeof digest !== 'string' || !DIGEST.test(digest)) {
    bad(`Invalid digest ${show(digest)}: expected sha256:<64 lowercase hex digits>, as in the data's .ferry pointer file.`);
  }
  return digest;
}

/** A version number from a path or query: a positive integer, as a number or its decimal string. */
export function validateVersionNumber(version: unknown): number {
  const n = typeof version === 'string' && /^\d{1,15}$/.test(version) ? Number(version) : version;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) bad(`Invalid dataset version ${show(version)}: expected a positive integer or 'latest'.`);
  return n;
}

function count(value: unknown, field: string, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) bad(`'${field}' must be a non-negative integer (${what}), got ${show(value)}.`);
  return value;
}

function optText(value: unknown, field: string, limit: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') bad(`'${field}' must be a string, got ${show(value)}.`);
  if (value.length > limit) bad(`'${field}' is longer than ${limit} characters.`);
  return value;
}

function plainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Tags as an object `{key: value}` or MLflow's list `[{key, value}]`; with `allowNull`, null values (removals) pass. */
export function validateTags(tags: unknown, allowNull = false): Record<string, string | null> {
  if (tags === undefined || tags === null) return {};
  let entries: [string, unknown][];
  if (Array.isArray(tags)) {
    entries = tags.map((t) => {
      if (!plainObject(t)) bad(`Each tag must be an object {key, value}, got ${show(t)}.`);
      return [t.key as string, t.value];
    });
  } else if (plainObject(tags)) {
    entries = Object.entries(tags);
  } else {
    bad(`'tags' must be an object of string values, e.g. {"team": "risk"}, got ${show(tags)}.`);
  }
  if (entries.length > DATASET_LIMITS.tags) bad(`At most ${DATASET_LIMITS.tags} tags, got ${entries.length}.`);
  const out: Record<string, string | null> = {};
  for (const [key, value] of entries) {
    if (typeof key !== 'string' || key.trim() === '') bad(`A tag key must be a non-empty string, got ${show(key)}.`);
    if (key.length > DATASET_LIMITS.tagKeyLength) bad(`Tag key '${key.slice(0, 50)}…' is longer than ${DATASET_LIMITS.tagKeyLength} characters.`);
    if (value === null && allowNull) {
      out[key] = null;
      continue;
    }
    if (typeof value !== 'string') bad(`Tag '${key}' needs a string value${allowNull ? ' (or null to remove it)' : ''}, got ${show(value)}.`);
    if (value.length > DATASET_LIMITS.tagValueLength) bad(`The value of tag '${key}' is longer than ${DATASET_LIMITS.tagValueLength} characters.`);
    out[key] = value;
  }
  return out;
}

/** A table schema `{format?, rows?, columns: [{name, type}]}`, or a bare list of columns. */
export function validateSchema(schema: unknown): DatasetSchema | null {
  if (schema === undefined || schema === null) return null;
  const raw = Array.isArray(schema) ? { columns: schema } : schema;
  if (!plainObject(raw) || !Array.isArray(raw.columns)) bad(`'schema' must be {columns: [{name, type}], format?, rows?}, got ${show(schema)}.`);
  const columns: DatasetColumn[] = raw.columns.map((c, i) => {
    if (!plainObject(c) || typeof c.name !== 'string' || typeof c.type !== 'string') bad(`schema.columns[${i}] must be {name, type} with string values, got ${show(c)}.`);
    return { name: c.name, type: c.type };
  });
  const out: DatasetSchema = { columns };
  if (raw.format !== undefined && raw.format !== null) {
    if (typeof raw.format !== 'string' || !FORMATS.includes(raw.format)) bad(`schema.format must be one of ${FORMATS.join(', ')}, got ${show(raw.format)}.`);
    out.format = raw.format as DatasetSchema['format'];
  }
  if (raw.rows !== undefined && raw.rows !== null) out.rows = count(raw.rows, 'schema.rows', 'a row count');
  if (Buffer.byteLength(JSON.stringify(out)) > DATASET_LIMITS.schemaBytes) bad(`'schema' is larger than ${DATASET_LIMITS.schemaBytes} bytes as JSON.`);
  return out;
}

function validateProfile(profile: unknown): Record<string, unknown> | null {
  if (profile === undefined || profile === null) return null;
  if (!plainObject(profile)) bad(`'profile' must be a JSON object, got ${show(profile)}.`);
  if (Buffer.byteLength(JSON.stringify(profile)) > DATASET_LIMITS.profileBytes) bad(`'profile' is larger than ${DATASET_LIMITS.profileBytes} bytes as JSON.`);
  return profile;
}

/**
 * Checks everything a registration names, whatever the caller's types said.
 * @throws InvalidArgumentError naming the field and what it must be.
 */
export function validateRegisterInput(input: unknown): RegisterDatasetInput {
  if (!plainObject(input)) bad('A dataset registration must be a JSON object.');
  const kind = input.kind;
  if (kind !== 'file' && kind !== 'directory') bad(`'kind' must be 'file' or 'directory', got ${show(kind)}.`);
  const files = count(input.files, 'files', '1 for a file, the number of files for a directory');
  if (kind === 'file' && files !== 1) bad(`A 'file' dataset has files = 1, got ${files}.`);
  return {
    name: validateDatasetName(input.name),
    digest: validateDigest(input.digest),
    kind: kind as DatasetKind,
    size: count(input.size, 'size', 'bytes in total'),
    files,
    source: optText(input.source, 'source', DATASET_LIMITS.sourceLength),
    schema: validateSchema(input.schema),
    profile: validateProfile(input.profile),
    description: optText(input.description, 'description', DATASET_LIMITS.descriptionLength),
    tags: validateTags(input.tags) as Record<string, string>,
    createdBy: optText(input.createdBy, 'user_id', 256),
  };
}

/** @throws InvalidArgumentError when the patch changes nothing or a field is malformed. */
export function validatePatch(patch: unknown): DatasetPatch {
  if (!plainObject(patch)) bad('The update must be a JSON object {description?, tags?}.');
  const out: DatasetPatch = {};
  if (patch.description !== undefined) out.description = optText(patch.description, 'description', DATASET_LIMITS.descriptionLength);
  if (patch.tags !== undefined && patch.tags !== null) out.tags = validateTags(patch.tags, true);
  if (out.description === undefined && out.tags === undefined) bad("Nothing to update: give 'description' (a string, or null to clear it) and/or 'tags' ({key: value}, null removes a key).");
  return out;
}
