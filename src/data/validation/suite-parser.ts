/**
 * Reads expectation suites and checks every expectation's name and arguments
 * before any data is read.
 *
 * Accepted shapes, in YAML or JSON:
 * - a Great Expectations 1.x suite file as GE writes it:
 *   `{ "name", "id", "expectations": [{ "type", "kwargs", "meta", "id", "notes" }], "meta", "notes" }`;
 * - a GE 0.x suite (`expectation_suite_name`, `expectation_type`);
 * - Ferry's short form, one expectation per single-key map:
 *   ```yaml
 *   name: orders
 *   expectations:
 *     - expect_column_values_to_not_be_null: { column: id }
 *     - expect_column_values_to_be_between: { column: amount, min_value: 0, mostly: 0.99 }
 *   ```
 * Forms can be mixed within one list. GE class names (`ExpectColumnToExist`) are read as their snake_case type.
 */
import YAML from 'yaml';
import { InvalidArgumentError } from '../../errors.js';
import { argProblem, COMMON_KWARGS, type Kwargs } from './expectations/expectation-args.js';
import type { ExpectationDefinition } from './expectations/expectation-definition.js';
import { closestExpectation, EXPECTATIONS, expectationTypeOf } from './expectations/expectation-registry.js';
import { RESULT_FORMATS, type ExpectationConfiguration, type ExpectationSuite, type ResultFormat, type ResultFormatName } from './suite-types.js';

/** An expectation checked and ready to plan: its definition, arguments with defaults, and result format if it sets one. */
export interface ResolvedExpectation {
  config: ExpectationConfiguration;
  definition: ExpectationDefinition;
  kwargs: Kwargs;
  resultFormat?: ResultFormat;
}

// GE bookkeeping an expectation entry may carry besides type and kwargs.
const ENTRY_KEYS = new Set(['type', 'expectation_type', 'kwargs', 'meta', 'id', 'notes', 'description', 'rendered_content', 'expectation_context', 'ge_cloud_id', 'success_on_last_run']);

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Parses suite text (YAML or JSON).
 * @param label how messages name the suite (a file name).
 * @throws InvalidArgumentError for unparsable text and for any problem `parseSuite` finds.
 */
export function parseSuiteText(text: string, label = 'the suite'): ExpectationSuite {
  let doc: unknown;
  try {
    doc = /^\s*[{[]/.test(text) ? JSON.parse(text) : YAML.parse(text, { uniqueKeys: true });
  } catch (jsonErr) {
    try {
      doc = YAML.parse(text, { uniqueKeys: true });
    } catch (err) {
      throw new InvalidArgumentError(`Cannot read ${label} as YAML or JSON: ${((err ?? jsonErr) as Error).message.split('\n')[0]}`);
    }
  }
  return parseSuite(doc, label);
}

/**
 * Checks a suite object and returns it in GE 1.x shape (`type`/`kwargs`).
 * @throws InvalidArgumentError naming the expectation (index and type) and argument at fault.
 */
export function parseSuite(doc: unknown, label = 'the suite'): ExpectationSuite {
  if (!isObject(doc)) throw new InvalidArgumentError(`${capitalise(label)} must be a map with an 'expectations' list.`);
  if (!Array.isArray(doc.expectations)) {
    throw new InvalidArgumentError(`${capitalise(label)} has no 'expectations' list; write 'expectations:' followed by items such as '- expect_column_values_to_not_be_null: {column: id}'.`);
  }
  const rawName = doc.name ?? doc.expectation_suite_name;
  if (rawName !== undefined && rawName !== null && typeof rawName !== 'string') throw new InvalidArgumentError(`The suite's 'name' must be a string.`);
  if (doc.meta !== undefined && doc.meta !== null && !isObject(doc.meta)) throw new InvalidArgumentError(`The suite's 'meta' must be a map.`);
  const expectations = doc.expectations.map((entry, i) => resolveExpectation(entryConfig(entry, i), i).config);
  const suite: ExpectationSuite = { name: typeof rawName === 'string' && rawName !== '' ? rawName : 'default', expectations };
  if (isObject(doc.meta)) suite.meta = doc.meta;
  if (typeof doc.id === 'string') suite.id = doc.id;
  if (doc.notes !== undefined && doc.notes !== null) suite.notes = doc.notes as string | string[];
  return suite;
}

/**
 * Checks every expectation of a suite built in code (or read earlier).
 * @throws InvalidArgumentError as `parseSuite` does.
 */
export function resolveSuite(suite: ExpectationSuite): ResolvedExpectation[] {
  if (!isObject(suite) || !Array.isArray(suite.expectations)) throw new InvalidArgumentError("A suite must be a map with an 'expectations' list.");
  return suite.expectations.map((config, i) => resolveExpectation(entryConfig(config, i), i));
}

/** One list entry in GE 1.x shape, whichever form it was written in. */
function entryConfig(entry: unknown, index: number): ExpectationConfiguration {
  const where = `expectations[${index}]`;
  if (!isObject(entry)) throw new InvalidArgumentError(`${where} must be a map such as {type: expect_column_to_exist, kwargs: {column: id}}; got ${JSON.stringify(entry)}.`);
  const typeKey = 'type' in entry ? 'type' : 'expectation_type' in entry ? 'expectation_type' : undefined;
  if (typeKey === undefined) {
    const keys = Object.keys(entry);
    if (keys.length === 1 && /^(expect_|Expect)/.test(keys[0]!)) {
      const kwargs = entry[keys[0]!] ?? {};
      if (!isObject(kwargs)) throw new InvalidArgumentError(`${where} ${keys[0]}: its arguments must be a map such as {column: id}.`);
      return { type: expectationTypeOf(keys[0]!), kwargs, meta: {} };
    }
    throw new InvalidArgumentError(`${where} names no expectation: give 'type' (with 'kwargs') or write it as '- expect_…: {arguments}'.`);
  }
  const type = entry[typeKey];
  if (typeof type !== 'string' || type === '') throw new InvalidArgumentError(`${where}: '${typeKey}' must be an expectation name.`);
  const unknown = Object.keys(entry).filter((k) => !ENTRY_KEYS.has(k));
  if (unknown.length > 0) {
    throw new InvalidArgumentError(`${where} ${type}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}; arguments go under 'kwargs'.`);
  }
  const kwargs = entry.kwargs ?? {};
  if (!isObject(kwargs)) throw new InvalidArgumentError(`${where} ${type}: 'kwargs' must be a map.`);
  if (entry.meta !== undefined && entry.meta !== null && !isObject(entry.meta)) throw new InvalidArgumentError(`${where} ${type}: 'meta' must be a map.`);
  const config: ExpectationConfiguration = { type: expectationTypeOf(type), kwargs, meta: isObject(entry.meta) ? entry.meta : {} };
  if (typeof entry.id === 'string') config.id = entry.id;
  if (entry.notes !== undefined && entry.notes !== null) config.notes = entry.notes as string | string[];
  if (typeof entry.description === 'string') config.description = entry.description;
  return config;
}

/** Checks one expectation's name and arguments against its definition. */
function resolveExpectation(config: ExpectationConfiguration, index: number): ResolvedExpectation {
  const definition = EXPECTATIONS.get(config.type);
  if (!definition) {
    const near = closestExpectation(config.type);
    throw new InvalidArgumentError(
      `expectations[${index}]: unknown expectation '${config.type}'${near ? `; did you mean '${near}'?` : '.'} Ferry supports ${EXPECTATIONS.size} of Great Expectations' expectations; \`ferry data validate --help\` lists them.`,
    );
  }
  const where = `expectations[${index}] ${config.type}`;
  const kwargs: Kwargs = {};
  const own = Object.keys(definition.args);
  for (const [key, value] of Object.entries(config.kwargs)) {
    const spec = definition.args[key];
    if (spec) {
      const problem = argProblem(spec, value);
      if (problem) throw new InvalidArgumentError(`${where}: '${key}' ${problem}.`);
      kwargs[key] = value;
    } else if (!(COMMON_KWARGS as readonly string[]).includes(key)) {
      throw new InvalidArgumentError(`${where}: unknown argument '${key}'; it takes ${own.map((k) => `'${k}'`).join(', ')} (and result_format, meta, catch_exceptions).`);
    }
  }
  for (const [key, spec] of Object.entries(definition.args)) {
    if (key in kwargs) continue;
    if (spec.required) throw new InvalidArgumentError(`${where}: missing required argument '${key}'.`);
    kwargs[key] = spec.default ?? null;
  }
  const rowCondition = config.kwargs.row_condition;
  if (rowCondition !== undefined && rowCondition !== null && rowCondition !== '') {
    throw new InvalidArgumentError(`${where}: 'row_condition' is not supported; Ferry evaluates expectations over every row.`);
  }
  const problem = definition.check?.(kwargs);
  if (problem) throw new InvalidArgumentError(`${where}: ${problem}.`);
  const resultFormat = config.kwargs.result_format === undefined || config.kwargs.result_format === null ? undefined : parseResultFormat(config.kwargs.result_format, where);
  return { config, definition, kwargs, resultFormat };
}

/**
 * GE's `result_format`: a name, or `{ result_format, partial_unexpected_count }`.
 * @throws InvalidArgumentError naming the accepted values.
 */
export function parseResultFormat(value: unknown, where = 'result_format'): ResultFormat {
  const names = RESULT_FORMATS.join(', ');
  if (typeof value === 'string') {
    const name = value.toUpperCase();
    if (!(RESULT_FORMATS as readonly string[]).includes(name)) throw new InvalidArgumentError(`${where}: 'result_format' must be one of ${names}; got '${value}'.`);
    return { result_format: name as ResultFormatName, partial_unexpected_count: 20 };
  }
  if (isObject(value) && typeof value.result_format === 'string') {
    const base = parseResultFormat(value.result_format, where);
    const count = value.partial_unexpected_count;
    if (count === undefined) return base;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) {
      throw new InvalidArgumentError(`${where}: 'partial_unexpected_count' must be a non-negative integer.`);
    }
    return { ...base, partial_unexpected_count: count };
  }
  throw new InvalidArgumentError(`${where}: 'result_format' must be one of ${names}, or {result_format: NAME, partial_unexpected_count: N}.`);
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
