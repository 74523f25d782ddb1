/**
 * MLflow's registry search grammars (SearchModelUtils, SearchModelVersionUtils)
 * parsed with the tracking filter scanner, and compiled into one
 * parameterised query each, with MLflow 3's semantics:
 *
 * - Prompts (`tags.mlflow.prompt.is_prompt = 'true'`) are left out unless the
 *   filter asks for them, as MLflow 3's SqlAlchemyStore does.
 * - `tags.k != 'v'` also matches an entity without tag `k`: the MLflow 3
 *   client appends ``tag.`mlflow.prompt.is_prompt` != 'true'`` to every
 *   registered-model search, which must keep the models that lack the tag.
 *   (MLflow itself special-cases only that key; Ferry applies the rule to all.)
 */
import { sql, type Expression, type SqlBool } from 'kysely';
import type { DialectName } from '../backends/database/database.js';
import { InvalidArgumentError } from '../errors.js';
import { compileNumericCondition, compileStringCondition, textOrder } from '../tracking/run-search.js';
import {
  createPageToken,
  parseClauses,
  parseOrderByString,
  parsePageToken,
  type Identifier,
  type NumericComparator,
  type RawValue,
  type StringComparator,
} from '../tracking/search-filter.js';
import { DELETED_STAGE, IS_PROMPT_TAG } from './registry-types.js';
import type { RegistryDb } from './registry-schema.js';
import type { VersionKey } from './model-version-store.js';

type TagClause = { type: 'tag'; key: string; comparator: StringComparator; value: string };

export type RegisteredModelClause = { type: 'attribute'; key: 'name'; comparator: StringComparator; value: string } | TagClause;

export type ModelVersionClause =
  | { type: 'attribute'; key: 'name' | 'run_id' | 'source_path'; comparator: StringComparator; value: string }
  | { type: 'attribute'; key: 'run_id'; comparator: 'IN'; value: string[] }
  | { type: 'attribute'; key: 'version_number'; comparator: NumericComparator; value: number }
  | TagClause;

export interface RegistryOrderBy<K extends string> {
  key: K;
  ascending: boolean;
}

export type RegisteredModelOrderKey = 'name' | 'last_updated_timestamp';
export type ModelVersionOrderKey = 'name' | 'version_number' | 'creation_timestamp' | 'last_updated_timestamp';

const STRING_COMPARATORS: readonly string[] = ['=', '!=', 'LIKE', 'ILIKE'];
const NUMERIC_COMPARATORS: readonly string[] = ['=', '!=', '>', '>=', '<', '<='];
const VERSION_ATTRIBUTES = ['name', 'version_number', 'run_id', 'source_path'] as const;

function invalid(message: string): never {
  throw new InvalidArgumentError(message);
}

function entityOf(id: Identifier): 'attribute' | 'tag' {
  if (id.entity === undefined || id.entity === 'attribute') return 'attribute';
  if (id.entity === 'tag' || id.entity === 'tags') return 'tag';
  return invalid(`Invalid entity type '${id.entity}'. Valid entity types are ('attribute', 'tag', 'tags')`);
}

function quoted(what: string, value: RawValue): string {
  if (value.kind !== 'string') invalid(`Expected a quoted string value for ${what} (e.g. 'my-value'). Got value ${value.text}`);
  return value.value;
}

function tagClause(id: Identifier, comparator: string, value: RawValue): TagClause {
  if (!STRING_COMPARATORS.includes(comparator)) invalid(`Invalid comparator for tag: ${comparator}`);
  return { type: 'tag', key: id.key, comparator: comparator as StringComparator, value: quoted('tag', value) };
}

function buildRegisteredModelClause(id: Identifier, comparator: string, value: RawValue): RegisteredModelClause {
  if (entityOf(id) === 'tag') return tagClause(id, comparator, value);
  if (id.key !== 'name') invalid(`Invalid attribute key '${id.key}' specified. Valid keys are '{'name'}'`);
  if (!STRING_COMPARATORS.includes(comparator)) invalid(`Invalid comparator for attribute: ${comparator}`);
  if (value.kind === 'list') invalid("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
  return { type: 'attribute', key: 'name', comparator: comparator as StringComparator, value: quoted('attributes', value) };
}

function buildModelVersionClause(id: Identifier, comparator: string, value: RawValue): ModelVersionClause {
  if (entityOf(id) === 'tag') return tagClause(id, comparator, value);
  const key = VERSION_ATTRIBUTES.find((k) => k === id.key);
  if (key === undefined) {
    invalid(`Invalid attribute key '${id.key}' specified. Valid keys are '{'name', 'version_number', 'run_id', 'source_path'}'`);
  }
  if (key === 'version_number') {
    if (!NUMERIC_COMPARATORS.includes(comparator)) invalid(`Invalid comparator for attribute ${key}: ${comparator}`);
    // MLflow compares a quoted number too ('3' against the integer column).
    const n = value.kind === 'number' ? value.value : value.kind === 'string' && /^\s*-?\d+\s*$/.test(value.value) ? Number(value.value) : NaN;
    if (Number.isNaN(n)) invalid(`Expected numeric value type for version_number. Found ${value.text}`);
    return { type: 'attribute', key, comparator: comparator as NumericComparator, value: n };
  }
  if (value.kind === 'number') {
    invalid("Only the '{'version_number', 'creation_timestamp', 'last_updated_timestamp'}' attributes support comparison with numeric values.");
  }
  if (comparator === 'IN') {
    if (key !== 'run_id') invalid(`Invalid comparator for attribute: ${comparator}`);
    if (value.kind !== 'list') invalid(`Expected a list of quoted strings after IN, e.g. run_id IN ('a', 'b'). Got value ${value.text}`);
    return { type: 'attribute', key, comparator: 'IN', value: value.values };
  }
  if (!STRING_COMPARATORS.includes(comparator)) invalid(`Invalid comparator for attribute: ${comparator}`);
  if (value.kind === 'list') invalid("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
  return { type: 'attribute', key, comparator: comparator as StringComparator, value: quoted('attributes', value) };
}

/**
 * Parses a search-registered-models filter: `name` (=, !=, LIKE, ILIKE) and
 * `tags.<key>` / `tag.<key>` (=, !=, LIKE, ILIKE), joined with AND.
 * @throws InvalidArgumentError naming what to fix.
 */
export function parseRegisteredModelFilter(filter: string): RegisteredModelClause[] {
  return parseClauses(filter, buildRegisteredModelClause);
}

/**
 * Parses a search-model-versions filter: `name`, `run_id` (also IN),
 * `source_path` (=, !=, LIKE, ILIKE), `version_number` (numeric comparisons)
 * and `tags.<key>`.
 * @throws InvalidArgumentError naming what to fix.
 */
export function parseModelVersionFilter(filter: string): ModelVersionClause[] {
  return parseClauses(filter, buildModelVersionClause);
}

function checkDuplicates(orderBy: string[], keys: string[]): void {
  if (new Set(keys).size !== keys.length) invalid(`\`order_by\` contains duplicate fields: ${JSON.stringify(orderBy)}`);
}

/** `name`, `timestamp` or `last_updated_timestamp` (the same column), each optionally ASC or DESC; ties by name. */
export function parseRegisteredModelOrderBy(orderBy: string[] | undefined): Array<RegistryOrderBy<RegisteredModelOrderKey>> {
  const parsed = (orderBy ?? []).map((o): RegistryOrderBy<RegisteredModelOrderKey> => {
    const { id, ascending } = parseOrderByString(o);
    const token = id.entity === undefined ? id.key : `${id.entity}.${id.key}`;
    if (token === 'name') return { key: 'name', ascending };
    if (token === 'timestamp' || token === 'last_updated_timestamp') return { key: 'last_updated_timestamp', ascending };
    return invalid(`Invalid order by key '${token}' specified. Valid keys are '{'name', 'timestamp'}'`);
  });
  checkDuplicates(orderBy ?? [], parsed.map((o) => o.key));
  return parsed.some((o) => o.key === 'name') ? parsed : [...parsed, { key: 'name', ascending: true }];
}

const DEFAULT_VERSION_ORDER = ['last_updated_timestamp DESC', 'name ASC', 'version_number DESC'];

/** Version order keys; by default newest change first. Ties by name ASC, then version DESC. */
export function parseModelVersionOrderBy(orderBy: string[] | undefined): Array<RegistryOrderBy<ModelVersionOrderKey>> {
  const list = orderBy && orderBy.length > 0 ? orderBy : DEFAULT_VERSION_ORDER;
  const parsed = list.map((o): RegistryOrderBy<ModelVersionOrderKey> => {
    const { id, ascending } = parseOrderByString(o);
    if (id.entity !== undefined && !['attribute', 'attributes', 'attr'].includes(id.entity)) invalid(`Invalid order_by entity: ${id.entity}`);
    const key = (['name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'] as const).find((k) => k === id.key);
    if (key === undefined) {
      invalid(`Invalid order by key '${id.key}' specified. Valid keys are {'name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'}`);
    }
    return { key, ascending };
  });
  checkDuplicates(list, parsed.map((o) => o.key));
  if (!parsed.some((o) => o.key === 'name')) parsed.push({ key: 'name', ascending: true });
  if (!parsed.some((o) => o.key === 'version_number')) parsed.push({ key: 'version_number', ascending: false });
  return parsed;
}

/** MLflow's `_is_querying_prompt`: the first clause on the prompt tag decides. */
function queriesPrompts(clauses: Array<RegisteredModelClause | ModelVersionClause>): boolean {
  const c = clauses.find((x) => x.type === 'tag' && x.key === IS_PROMPT_TAG) as TagClause | undefined;
  if (!c) return false;
  return (c.comparator === '=' && c.value.toLowerCase() === 'true') || (c.comparator === '!=' && c.value.toLowerCase() === 'false');
}

type TagTable = 'registered_model_tags' | 'model_version_tags';

/**
 * `tags.<key> <op> value` for the entity in scope `alias`. `!=` is "has no
 * such tag with that value" unless `mustExist` (prompt queries keep MLflow's
 * join semantics).
 */
function tagCondition(table: TagTable, alias: string, clause: TagClause, dialect: DialectName, mustExist: boolean): Expression<SqlBool> {
  const t = sql.table(table);
  const owner =
    table === 'model_version_tags'
      ? sql`t.name = ${sql.ref(`${alias}.name`)} and t.version = ${sql.ref(`${alias}.version`)}`
      : sql`t.name = ${sql.ref(`${alias}.name`)}`;
  if (clause.comparator === '!=' && !mustExist) {
    return sql<SqlBool>`not exists (select 1 from ${t} as t where ${owner} and t.key = ${clause.key} and t.value = ${clause.value})`;
  }
  const cond = compileStringCondition(dialect, sql.ref('t.value'), clause);
  return sql<SqlBool>`exists (select 1 from ${t} as t where ${owner} and t.key = ${clause.key} and ${cond})`;
}

/** Compiles the tag clauses and the prompt rule shared by both searches. */
function tagConditions(
  table: TagTable,
  alias: string,
  clauses: Array<RegisteredModelClause | ModelVersionClause>,
  dialect: DialectName,
): Array<Expression<SqlBool>> {
  const prompts = queriesPrompts(clauses);
  const out: Array<Expression<SqlBool>> = [];
  for (const c of clauses) {
    if (c.type !== 'tag') continue;
    // Without a prompt query, clauses on the prompt tag give way to the exclusion below, as in MLflow.
    if (c.key === IS_PROMPT_TAG && !prompts) continue;
    out.push(tagCondition(table, alias, c, dialect, c.key === IS_PROMPT_TAG));
  }
  if (!prompts) {
    // A model is a prompt when any of its rows (model or version) carries the tag.
    out.push(sql<SqlBool>`not exists (select 1 from ${sql.table(table)} as p where p.name = ${sql.ref(`${alias}.name`)} and p.key = ${IS_PROMPT_TAG} and p.value = 'true')`);
  }
  return out;
}

export interface RegistrySearchInput {
  filter?: string;
  orderBy?: string[];
  maxResults: number;
  pageToken?: string;
}

/**
 * One page of registered model names matching `input`, in order.
 * @throws InvalidArgumentError for a bad filter, order_by or page token.
 */
export async function searchRegisteredModelNames(
  db: RegistryDb,
  dialect: DialectName,
  input: RegistrySearchInput,
): Promise<{ names: string[]; nextPageToken?: string }> {
  const clauses = parseRegisteredModelFilter(input.filter ?? '');
  const orderBy = parseRegisteredModelOrderBy(input.orderBy);
  const offset = parsePageToken(input.pageToken);
  let q = db.selectFrom('registered_models as rm').select('rm.name');
  for (const c of clauses) if (c.type === 'attribute') q = q.where(compileStringCondition(dialect, sql.ref('rm.name'), c));
  for (const cond of tagConditions('registered_model_tags', 'rm', clauses, dialect)) q = q.where(cond);
  for (const o of orderBy) {
    const ref = o.key === 'name' ? textOrder(dialect, sql.ref('rm.name')) : sql.ref('rm.last_updated_time');
    q = q.orderBy(ref, o.ascending ? 'asc' : 'desc');
  }
  const rows = await q.limit(input.maxResults + 1).offset(offset).execute();
  const names = rows.slice(0, input.maxResults).map((r) => r.name);
  return rows.length > input.maxResults ? { names, nextPageToken: createPageToken(offset + input.maxResults) } : { names };
}

const VERSION_COLUMNS = { name: 'name', run_id: 'run_id', source_path: 'source', version_number: 'version' } as const;
const VERSION_ORDER_COLUMNS = {
  name: 'name',
  version_number: 'version',
  creation_timestamp: 'creation_time',
  last_updated_timestamp: 'last_updated_time',
} as const;

/**
 * One page of model versions (name and number) matching `input`, in order.
 * Deleted versions never match.
 * @throws InvalidArgumentError for a bad filter, order_by or page token.
 */
export async function searchModelVersionKeys(
  db: RegistryDb,
  dialect: DialectName,
  input: RegistrySearchInput,
): Promise<{ keys: VersionKey[]; nextPageToken?: string }> {
  const clauses = parseModelVersionFilter(input.filter ?? '');
  const orderBy = parseModelVersionOrderBy(input.orderBy);
  const offset = parsePageToken(input.pageToken);
  let q = db.selectFrom('model_versions as mv').select(['mv.name', 'mv.version']).where('mv.current_stage', '<>', DELETED_STAGE);
  for (const c of clauses) {
    if (c.type !== 'attribute') continue;
    const ref = sql.ref(`mv.${VERSION_COLUMNS[c.key]}`);
    q = q.where(c.key === 'version_number' ? compileNumericCondition(dialect, ref, c, 'bigint') : compileStringCondition(dialect, ref, c));
  }
  for (const cond of tagConditions('model_version_tags', 'mv', clauses, dialect)) q = q.where(cond);
  for (const o of orderBy) {
    const ref = sql.ref(`mv.${VERSION_ORDER_COLUMNS[o.key]}`);
    q = q.orderBy(o.key === 'name' ? textOrder(dialect, ref) : ref, o.ascending ? 'asc' : 'desc');
  }
  const rows = await q.limit(input.maxResults + 1).offset(offset).execute();
  const keys = rows.slice(0, input.maxResults).map((r) => ({ name: r.name, version: Number(r.version) }));
  return rows.length > input.maxResults ? { keys, nextPageToken: createPageToken(offset + input.maxResults) } : { keys };
}
