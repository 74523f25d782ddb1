/**
 * MLflow's search grammar, parsed by hand into a typed AST: run filters and
 * order_by (SearchUtils), experiment filters and order_by
 * (SearchExperimentsUtils), and the offset page token. Nothing here builds
 * SQL; `run-search.ts` and `experiment-search.ts` compile the AST with bound
 * values.
 *
 * Grammar: `clause (AND clause)*`, `clause := identifier comparator value`,
 * `identifier := [entity '.'] key`. Keys with other characters than letters,
 * digits, `_` and `.` go in backquotes or double quotes
 * (``metrics.`f1-score` ``). Strings take single or double quotes; a doubled
 * quote or a backslash before the quote stands for the quote itself.
 */
import { InvalidArgumentError } from '../errors.js';

export type NumericComparator = '=' | '!=' | '>' | '>=' | '<' | '<=';
export type StringComparator = '=' | '!=' | 'LIKE' | 'ILIKE';
export type ListComparator = 'IN' | 'NOT IN';

export type NumericCondition = { comparator: NumericComparator; value: number };
export type StringCondition = { comparator: StringComparator; value: string } | { comparator: ListComparator; value: string[] };

export type NumericRunAttribute = 'start_time' | 'end_time';
export type StringRunAttribute = 'run_id' | 'run_name' | 'user_id' | 'status' | 'artifact_uri';
export type RunAttribute = NumericRunAttribute | StringRunAttribute;
export type DatasetKey = 'name' | 'digest' | 'context';

/** One AND-ed clause of a run filter. Aliases are resolved: `created` is `start_time`, `Run name` is `run_name`. */
export type FilterClause =
  | ({ type: 'metric'; key: string } & NumericCondition)
  | ({ type: 'param' | 'tag'; key: string } & StringCondition)
  | ({ type: 'attribute'; key: NumericRunAttribute } & NumericCondition)
  | ({ type: 'attribute'; key: StringRunAttribute } & StringCondition)
  | ({ type: 'dataset'; key: DatasetKey } & StringCondition);

export type NumericLoggedModelAttribute = 'creation_timestamp' | 'last_updated_timestamp';
export type StringLoggedModelAttribute = 'name' | 'model_id' | 'model_type' | 'status' | 'source_run_id';

/** One AND-ed clause of a logged-model filter (MLflow's SearchLoggedModelsUtils). */
export type LoggedModelFilterClause =
  | ({ type: 'metric'; key: string } & NumericCondition)
  | ({ type: 'param' | 'tag'; key: string } & StringCondition)
  | ({ type: 'attribute'; key: NumericLoggedModelAttribute } & NumericCondition)
  | ({ type: 'attribute'; key: StringLoggedModelAttribute } & StringCondition);

export interface RunOrderBy {
  type: 'metric' | 'param' | 'tag' | 'attribute';
  /** For attributes, a `RunAttribute`. */
  key: string;
  ascending: boolean;
}

export type NumericExperimentAttribute = 'creation_time' | 'last_update_time';

export type ExperimentFilterClause =
  | ({ type: 'attribute'; key: 'name' } & { comparator: StringComparator; value: string })
  | ({ type: 'attribute'; key: NumericExperimentAttribute } & NumericCondition)
  | ({ type: 'tag'; key: string } & { comparator: StringComparator; value: string });

export interface ExperimentOrderBy {
  key: 'name' | 'experiment_id' | NumericExperimentAttribute;
  ascending: boolean;
}

/** Bounds that keep a compiled query under both databases' bound-parameter limits. */
export const SEARCH_FILTER_LIMITS = { maxClauses: 200, maxListValues: 10_000 } as const;

const NUMERIC_COMPARATORS: readonly string[] = ['=', '!=', '>', '>=', '<', '<='];
const STRING_COMPARATORS: readonly string[] = ['=', '!=', 'LIKE', 'ILIKE'];
const LIST_COMPARATORS: readonly string[] = [...STRING_COMPARATORS, 'IN', 'NOT IN'];

type RunEntity = 'metric' | 'param' | 'tag' | 'attribute' | 'dataset';
// Maps, not object literals, so that keys such as `constructor` never resolve.
const RUN_ENTITIES = new Map<string, RunEntity>([
  ['metric', 'metric'], ['metrics', 'metric'],
  ['parameter', 'param'], ['parameters', 'param'], ['param', 'param'], ['params', 'param'],
  ['tag', 'tag'], ['tags', 'tag'],
  ['attribute', 'attribute'], ['attributes', 'attribute'], ['attr', 'attribute'], ['run', 'attribute'],
  ['dataset', 'dataset'], ['datasets', 'dataset'],
]);
const RUN_ATTRIBUTES = new Map<string, RunAttribute>([
  ['run_id', 'run_id'], ['run_name', 'run_name'], ['run name', 'run_name'], ['Run name', 'run_name'], ['Run Name', 'run_name'],
  ['user_id', 'user_id'], ['status', 'status'], ['artifact_uri', 'artifact_uri'],
  ['start_time', 'start_time'], ['created', 'start_time'], ['Created', 'start_time'], ['end_time', 'end_time'],
]);
const NUMERIC_RUN_ATTRIBUTES: ReadonlySet<RunAttribute> = new Set(['start_time', 'end_time']);
const LOGGED_MODEL_ATTRIBUTES = new Map<string, NumericLoggedModelAttribute | StringLoggedModelAttribute>([
  ['name', 'name'], ['model_id', 'model_id'], ['model_type', 'model_type'], ['status', 'status'], ['source_run_id', 'source_run_id'],
  ['creation_timestamp', 'creation_timestamp'], ['creation_time', 'creation_timestamp'],
  ['last_updated_timestamp', 'last_updated_timestamp'], ['last_updated_time', 'last_updated_timestamp'],
]);
const DATASET_KEYS: ReadonlySet<string> = new Set(['name', 'digest', 'context']);
const EXPERIMENT_ENTITIES = new Map<string, 'attribute' | 'tag'>([
  ['attribute', 'attribute'], ['attributes', 'attribute'], ['attr', 'attribute'], ['tag', 'tag'], ['tags', 'tag'],
]);
const EXPERIMENT_FILTER_KEYS: ReadonlySet<string> = new Set(['name', 'creation_time', 'last_update_time']);
const EXPERIMENT_ORDER_KEYS: ReadonlySet<string> = new Set(['name', 'experiment_id', 'creation_time', 'last_update_time']);

const WORD = /[\p{L}_][\p{L}\p{N}_]*/uy;
const KEY_SEGMENT = /[\p{L}\p{N}_]+/uy;
const NUMBER = /-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?(?![\p{L}\p{N}_.])/uy;
const OPERATOR = /!=|<>|==|>=|<=|=|<|>/y;
const SPACE = /\s*/uy;

export interface Identifier {
  entity?: string;
  key: string;
}

export type RawValue =
  | { kind: 'string'; value: string; text: string }
  | { kind: 'number'; value: number; text: string }
  | { kind: 'list'; values: string[]; text: string }
  | { kind: 'word'; text: string };

function invalid(message: string): never {
  throw new InvalidArgumentError(message);
}

/** Quotes user text for a message, cut so a huge input cannot make a huge error. */
function show(text: string): string {
  return text.length > 120 ? `'${text.slice(0, 120)}…'` : `'${text}'`;
}

/** A cursor over the input; each `read*` method consumes one lexical element or throws. */
class Scanner {
  pos = 0;
  listValues = 0;

  constructor(readonly text: string, readonly what: string) {
    if (typeof text !== 'string') invalid(`${what} must be a string`);
    // PostgreSQL cannot store NUL in text, so such a value could never match and would fail in the driver.
    if (text.includes('\u0000')) invalid(`${what} contains a NUL character; remove it`);
  }

  skipSpace(): void {
    this.match(SPACE);
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  peek(): string {
    return this.text.charAt(this.pos);
  }

  rest(): string {
    return this.text.slice(this.pos);
  }

  match(re: RegExp): string | undefined {
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m) return undefined;
    this.pos += m[0].length;
    return m[0];
  }

  /** Reads a quoted token at the cursor; `''` (or `\'`) inside stands for the quote character. */
  readQuoted(): string {
    const quote = this.peek();
    const start = this.pos;
    let out = '';
    this.pos++;
    while (this.pos < this.text.length) {
      const c = this.text.charAt(this.pos);
      const next = this.text.charAt(this.pos + 1);
      if (c === '\\' && next === quote) {
        out += quote;
        this.pos += 2;
      } else if (c === quote && next === quote) {
        out += quote;
        this.pos += 2;
      } else if (c === quote) {
        this.pos++;
        return out;
      } else {
        out += c;
        this.pos++;
      }
    }
    return invalid(`Invalid filter ${show(this.text)}: the ${quote} opened at position ${start} is never closed`);
  }

  /** `entity.key`, a bare `key`, or either part quoted with backquotes or double quotes. */
  readIdentifier(): Identifier {
    const c = this.peek();
    if (c === '`' || c === '"') {
      const quoted = this.readQuoted();
      if (c === '`' && this.peek() === '.') {
        this.pos++;
        return { entity: quoted, key: this.readKey(quoted) };
      }
      return { key: quoted };
    }
    const word = this.match(WORD);
    if (word === undefined) {
      return invalid(
        `Invalid clause(s) in filter string: ${show(this.rest())}. Expected an identifier such as ` +
          "metrics.`accuracy`, params.lr, tags.`my tag` or attributes.status",
      );
    }
    if (this.peek() !== '.') return { key: word };
    this.pos++;
    return { entity: word, key: this.readKey(word) };
  }

  private readKey(entity: string): string {
    const c = this.peek();
    if (c === '`' || c === '"' || c === "'") return this.readQuoted();
    const parts: string[] = [];
    for (;;) {
      const segment = this.match(KEY_SEGMENT);
      if (segment === undefined) {
        return invalid(
          `Invalid identifier after '${entity}.': ${show(this.rest())}. Put keys holding characters other than ` +
            'letters, digits, _ and . in backquotes, e.g. ' + entity + '.`my-key`',
        );
      }
      parts.push(segment);
      if (this.peek() !== '.') return parts.join('.');
      this.pos++;
    }
  }

  readComparator(): string {
    const op = this.match(OPERATOR);
    if (op !== undefined) return op;
    const start = this.pos;
    const word = this.match(WORD)?.toUpperCase();
    if (word === 'LIKE' || word === 'ILIKE' || word === 'IN') return word;
    if (word === 'NOT') {
      this.skipSpace();
      if (this.match(WORD)?.toUpperCase() === 'IN') return 'NOT IN';
    }
    this.pos = start;
    return invalid(
      `Invalid comparison clause in filter string at ${show(this.rest())}. Expected a comparator: ` +
        '=, !=, >, >=, <, <=, LIKE, ILIKE, IN or NOT IN' +
        // The usual cause: a key such as val/acc or my-param, which ends the identifier early.
        (/^[^\s=!<>]|^\s+[A-Za-z_]/.test(this.rest()) && !/^\s*(LIKE|ILIKE|IN|NOT)\b/i.test(this.rest())
          ? ". A key holding '/', '-', '.', ':' or spaces must be quoted in backticks, e.g. metrics.`val/acc` > 0.7"
          : ''),
    );
  }

  readValue(): RawValue {
    const start = this.pos;
    const c = this.peek();
    if (c === "'" || c === '"') {
      const value = this.readQuoted();
      return { kind: 'string', value, text: this.text.slice(start, this.pos) };
    }
    if (c === '(') return this.readList();
    const number = this.match(NUMBER);
    if (number !== undefined) return { kind: 'number', value: Number(number), text: number };
    const word = this.match(WORD);
    if (word !== undefined) return { kind: 'word', text: word };
    return invalid(
      `Invalid comparison clause in filter string at ${show(this.rest())}. Expected a value: a quoted string, ` +
        "a number or a list such as ('a', 'b')",
    );
  }

  private readList(): RawValue {
    const start = this.pos;
    const values: string[] = [];
    const bad = (): never =>
      invalid(
        `While parsing a list in the query, expected a non-empty list of quoted string values such as ('a', 'b'), ` +
          `but got ${show(this.text.slice(start, this.pos + 1))}`,
      );
    this.pos++;
    this.skipSpace();
    for (;;) {
      const c = this.peek();
      if (c !== "'" && c !== '"') return bad();
      values.push(this.readQuoted());
      if (++this.listValues > SEARCH_FILTER_LIMITS.maxListValues) {
        invalid(`A filter may hold at most ${SEARCH_FILTER_LIMITS.maxListValues} list values; split the search`);
      }
      this.skipSpace();
      const sep = this.peek();
      this.pos++;
      if (sep === ')') break;
      if (sep !== ',') return bad();
      this.skipSpace();
      // A trailing comma is allowed, as in a Python tuple (MLflow evaluates the list as one).
      if (this.peek() === ')') {
        this.pos++;
        break;
      }
    }
    return { kind: 'list', values, text: this.text.slice(start, this.pos) };
  }
}

/** Parses `clause (AND clause)*`, handing each clause's parts to `build` (the registry's grammars reuse it). */
export function parseClauses<T>(
  filter: string,
  build: (id: Identifier, comparator: string, value: RawValue) => T,
): T[] {
  const s = new Scanner(filter, 'The filter');
  const clauses: T[] = [];
  s.skipSpace();
  if (s.atEnd()) return clauses;
  for (;;) {
    const id = s.readIdentifier();
    s.skipSpace();
    const comparator = s.readComparator();
    s.skipSpace();
    const value = s.readValue();
    clauses.push(build(id, comparator, value));
    if (clauses.length > SEARCH_FILTER_LIMITS.maxClauses) {
      invalid(`A filter may hold at most ${SEARCH_FILTER_LIMITS.maxClauses} clauses; split the search`);
    }
    s.skipSpace();
    if (s.atEnd()) return clauses;
    const keywordAt = s.pos;
    const keyword = s.match(WORD)?.toUpperCase();
    if (keyword === 'AND') {
      s.skipSpace();
      if (s.atEnd()) invalid(`Invalid filter ${show(filter)}: it ends with AND; add a clause after it or remove the AND`);
      continue;
    }
    s.pos = keywordAt;
    if (keyword === 'OR') {
      invalid(
        `Invalid clause(s) in filter string: ${show(s.rest())}. OR is not supported: clauses can only be ` +
          "joined with AND. Use IN for alternatives of one field (e.g. attributes.status IN ('FINISHED', 'FAILED')) " +
          'or run one search per alternative',
      );
    }
    invalid(`Invalid clause(s) in filter string: ${show(s.rest())}. Join clauses with AND`);
  }
}

function checkComparator(comparator: string, valid: readonly string[]): void {
  if (!valid.includes(comparator)) {
    invalid(`Invalid comparator '${comparator}' not one of '${valid.join(', ')}'`);
  }
}

function numericValue(what: string, value: RawValue): number {
  if (value.kind !== 'number') invalid(`Expected numeric value type for ${what}. Found ${value.text}`);
  return value.value;
}

function stringCondition(what: string, comparator: string, value: RawValue, valid: readonly string[]): StringCondition {
  checkComparator(comparator, valid);
  if (comparator === 'IN' || comparator === 'NOT IN') {
    if (value.kind !== 'list') {
      invalid(`Expected a parenthesised list of quoted strings after ${comparator} for ${what}, e.g. ('a', 'b'). Got value ${value.text}`);
    }
    return { comparator, value: value.values };
  }
  if (value.kind !== 'string') {
    invalid(`Expected a quoted string value for ${what} (e.g. 'my-value'). Got value ${value.text}`);
  }
  return { comparator: comparator as StringComparator, value: value.value };
}

function buildRunClause(id: Identifier, comparator: string, value: RawValue): FilterClause {
  const entity = id.entity === undefined ? 'attribute' : RUN_ENTITIES.get(id.entity);
  if (entity === undefined) {
    invalid(`Invalid entity type '${id.entity}'. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']`);
  }
  const { key } = id;
  switch (entity) {
    case 'metric':
      checkComparator(comparator, NUMERIC_COMPARATORS);
      return { type: 'metric', key, comparator: comparator as NumericComparator, value: numericValue('metric', value) };
    case 'param':
    case 'tag':
      return { type: entity, key, ...stringCondition(entity === 'param' ? 'parameter' : 'tag', comparator, value, LIST_COMPARATORS) };
    case 'dataset':
      if (!DATASET_KEYS.has(key)) invalid(`Invalid dataset key '${key}' specified. Valid keys are 'name', 'digest', 'context'`);
      return { type: 'dataset', key: key as DatasetKey, ...stringCondition('dataset attributes', comparator, value, LIST_COMPARATORS) };
    case 'attribute': {
      const attribute = RUN_ATTRIBUTES.get(key) ?? invalidRunAttribute(key);
      if (NUMERIC_RUN_ATTRIBUTES.has(attribute)) {
        checkComparator(comparator, NUMERIC_COMPARATORS);
        const number = numericValue(`numeric attribute: ${attribute}`, value);
        return { type: 'attribute', key: attribute as NumericRunAttribute, comparator: comparator as NumericComparator, value: number };
      }
      return { type: 'attribute', key: attribute as StringRunAttribute, ...stringCondition('attributes', comparator, value, LIST_COMPARATORS) };
    }
  }
}

function invalidRunAttribute(key: string): never {
  return invalid(
    `Invalid attribute key '${key}' specified. Valid keys are 'run_id', 'run_name', 'user_id', 'status', ` +
      "'artifact_uri', 'start_time', 'end_time' (and the aliases 'created', 'Run name')",
  );
}

/**
 * Parses a search-runs filter, e.g. ``metrics.`acc` > 0.9 AND params.lr = '0.1'``.
 * An empty or blank filter gives no clauses. An unprefixed key is an attribute.
 * @throws InvalidArgumentError naming what to fix, for anything outside the grammar.
 */
export function parseRunFilter(filter: string): FilterClause[] {
  return parseClauses(filter, buildRunClause);
}

function buildLoggedModelClause(id: Identifier, comparator: string, value: RawValue): LoggedModelFilterClause {
  const entity = id.entity === undefined ? 'attribute' : RUN_ENTITIES.get(id.entity);
  if (entity === undefined || entity === 'dataset') {
    invalid(`Invalid entity type '${id.entity}'. Valid values are ['metric', 'parameter', 'tag', 'attribute']`);
  }
  if (entity !== 'attribute') return buildRunClause(id, comparator, value) as LoggedModelFilterClause;
  const attribute = LOGGED_MODEL_ATTRIBUTES.get(id.key);
  if (attribute === undefined) {
    invalid(
      `Invalid attribute key '${id.key}' specified. Valid keys are 'name', 'model_id', 'model_type', 'status', ` +
        "'source_run_id', 'creation_timestamp', 'last_updated_timestamp'",
    );
  }
  if (attribute === 'creation_timestamp' || attribute === 'last_updated_timestamp') {
    checkComparator(comparator, NUMERIC_COMPARATORS);
    return { type: 'attribute', key: attribute, comparator: comparator as NumericComparator, value: numericValue(`numeric attribute: ${attribute}`, value) };
  }
  return { type: 'attribute', key: attribute, ...stringCondition('attributes', comparator, value, LIST_COMPARATORS) };
}

/**
 * Parses a search-logged-models filter: `metrics.`, `params.`, `tags.` as for
 * runs, and the attributes `name`, `model_id`, `model_type`, `status`,
 * `source_run_id` (strings, IN allowed) and `creation_timestamp`,
 * `last_updated_timestamp` (numbers; aliases `creation_time`, `last_updated_time`).
 * @throws InvalidArgumentError naming what to fix.
 */
export function parseLoggedModelFilter(filter: string): LoggedModelFilterClause[] {
  return parseClauses(filter, buildLoggedModelClause);
}

/** Parses `identifier [ASC|DESC]`; the identifier is left for the caller to resolve. */
export function parseOrderByString(orderBy: string): { id: Identifier; ascending: boolean } {
  const s = new Scanner(orderBy, 'order_by');
  const unparsable = (): never => invalid(`Invalid order_by clause ${show(orderBy)}. Could not be parsed.`);
  s.skipSpace();
  if (s.atEnd()) unparsable();
  const id = s.readIdentifier();
  s.skipSpace();
  let ascending = true;
  if (!s.atEnd()) {
    const direction = s.match(WORD)?.toLowerCase();
    if (direction !== 'asc' && direction !== 'desc') {
      invalid(`Invalid ordering key in order_by clause ${show(orderBy)}. Use ASC or DESC.`);
    }
    ascending = direction === 'asc';
    s.skipSpace();
    if (!s.atEnd()) unparsable();
  }
  return { id, ascending };
}

/**
 * Parses one search-runs order_by entry: ``metrics.`acc` DESC``, `params.lr ASC`,
 * `attributes.start_time`, `tags.x`, `start_time`. The default direction is ASC.
 * @throws InvalidArgumentError for an unknown entity or attribute, or a bad direction.
 */
export function parseOrderBy(orderBy: string): RunOrderBy {
  const { id, ascending } = parseOrderByString(orderBy);
  const entity = id.entity === undefined ? 'attribute' : RUN_ENTITIES.get(id.entity);
  if (entity === undefined) {
    invalid(`Invalid entity type '${id.entity}'. Valid values are ['metric', 'parameter', 'tag', 'attribute']`);
  }
  if (entity === 'dataset') invalid(`Invalid order_by entity type 'dataset': order by a metric, parameter, tag or attribute`);
  if (entity === 'attribute') return { type: 'attribute', key: RUN_ATTRIBUTES.get(id.key) ?? invalidRunAttribute(id.key), ascending };
  return { type: entity, key: id.key, ascending };
}

function experimentEntity(id: Identifier): 'attribute' | 'tag' {
  if (id.entity === undefined) return 'attribute';
  return (
    EXPERIMENT_ENTITIES.get(id.entity) ??
    invalid(`Invalid entity type '${id.entity}'. Valid entity types are ('attribute', 'tag', 'tags')`)
  );
}

function buildExperimentClause(id: Identifier, comparator: string, value: RawValue): ExperimentFilterClause {
  const condition = (what: string) => stringCondition(what, comparator, value, STRING_COMPARATORS) as {
    comparator: StringComparator;
    value: string;
  };
  if (experimentEntity(id) === 'tag') return { type: 'tag', key: id.key, ...condition('tag') };
  if (!EXPERIMENT_FILTER_KEYS.has(id.key)) {
    invalid(`Invalid attribute key '${id.key}' specified. Valid keys are 'name', 'creation_time', 'last_update_time'`);
  }
  if (id.key === 'name') return { type: 'attribute', key: 'name', ...condition('attributes') };
  checkComparator(comparator, NUMERIC_COMPARATORS);
  return {
    type: 'attribute',
    key: id.key as NumericExperimentAttribute,
    comparator: comparator as NumericComparator,
    value: numericValue(`numeric attribute: ${id.key}`, value),
  };
}

/**
 * Parses a search-experiments filter: `name`/`attributes.name` (=, !=, LIKE, ILIKE),
 * `creation_time`/`last_update_time` (numeric comparisons) and `tags.<key>` (=, !=, LIKE, ILIKE).
 * @throws InvalidArgumentError naming what to fix.
 */
export function parseExperimentFilter(filter: string): ExperimentFilterClause[] {
  return parseClauses(filter, buildExperimentClause);
}

/**
 * Parses one search-experiments order_by entry over `name`, `experiment_id`,
 * `creation_time` or `last_update_time`, optionally followed by ASC or DESC.
 * @throws InvalidArgumentError for tags or an unknown key.
 */
export function parseExperimentOrderBy(orderBy: string): ExperimentOrderBy {
  const { id, ascending } = parseOrderByString(orderBy);
  if (experimentEntity(id) === 'tag') invalid('Invalid order_by entity: tag. Experiments can be ordered by attributes only');
  if (!EXPERIMENT_ORDER_KEYS.has(id.key)) {
    invalid(`Invalid attribute key '${id.key}' specified. Valid keys are 'name', 'experiment_id', 'creation_time', 'last_update_time'`);
  }
  return { key: id.key as ExperimentOrderBy['key'], ascending };
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Reads the offset from a page token: base64 of `{"offset": n}`, as MLflow
 * writes it. No token means offset 0.
 * @throws InvalidArgumentError for a token this module did not write.
 */
export function parsePageToken(pageToken: string | undefined): number {
  if (pageToken === undefined || pageToken === '') return 0;
  if (typeof pageToken !== 'string' || pageToken.length > 200 || !BASE64.test(pageToken) || pageToken.length % 4 !== 0) {
    invalid('Invalid page token, could not base64-decode');
  }
  const decoded = Buffer.from(pageToken, 'base64').toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded);
  } catch {
    invalid(`Invalid page token, decoded value=${show(decoded)}`);
  }
  const raw = typeof parsed === 'object' && parsed !== null ? (parsed as { offset?: unknown }).offset : undefined;
  const offset = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : raw;
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) {
    invalid(`Invalid page token, parsed value=${show(decoded)}`);
  }
  return offset;
}

/** Writes a page token for `offset`, byte for byte as MLflow's `create_page_token` does. */
export function createPageToken(offset: number): string {
  return Buffer.from(`{"offset": ${offset}}`, 'utf8').toString('base64');
}
