import { InvalidArgumentError } from '../errors.js';
import { parseRunFilter, type FilterClause } from './search-filter.js';
import type { LoggedModel } from './tracking-types.js';

/** MLflow's LIKE: % is any run of characters, _ is one; everything else is literal. */
export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let re = '';
  for (const ch of pattern) re += ch === '%' ? '[\\s\\S]*' : ch === '_' ? '[\\s\\S]' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${re}$`, caseInsensitive ? 'si' : 's');
}

function compare(actual: string | number | null | undefined, op: string, expected: unknown): boolean {
  if (actual === undefined || actual === null) return op === '!=' || op === 'NOT IN';
  switch (op) {
    case '=':
      return actual === expected || String(actual) === String(expected);
    case '!=':
      return String(actual) !== String(expected);
    case '>':
      return Number(actual) > Number(expected);
    case '>=':
      return Number(actual) >= Number(expected);
    case '<':
      return Number(actual) < Number(expected);
    case '<=':
      return Number(actual) <= Number(expected);
    case 'LIKE':
      return likeToRegExp(String(expected), false).test(String(actual));
    case 'ILIKE':
      return likeToRegExp(String(expected), true).test(String(actual));
    case 'IN':
      return (expected as unknown[]).map(String).includes(String(actual));
    case 'NOT IN':
      return !(expected as unknown[]).map(String).includes(String(actual));
    default:
      throw new InvalidArgumentError(`Unsupported comparator '${op}' in logged model filter.`);
  }
}

const ATTRIBUTES: Record<string, (m: LoggedModel) => string | number | null | undefined> = {
  name: (m) => m.name,
  model_id: (m) => m.modelId,
  model_type: (m) => m.modelType,
  status: (m) => m.status,
  source_run_id: (m) => m.sourceRunId,
  run_id: (m) => m.sourceRunId,
  creation_timestamp: (m) => m.creationTimestampMs,
  creation_time: (m) => m.creationTimestampMs,
  last_updated_timestamp: (m) => m.lastUpdatedTimestampMs,
  experiment_id: (m) => m.experimentId,
};

function actualValue(m: LoggedModel, c: FilterClause, datasets?: Array<{ name: string; digest?: string }>): string | number | null | undefined {
  switch (c.type) {
    case 'metric': {
      const ms = m.metrics.filter((x) => x.key === c.key && (!datasets?.length || datasets.some((d) => d.name === x.datasetName && (!d.digest || d.digest === x.datasetDigest))));
      return ms.at(-1)?.value;
    }
    case 'param':
      return m.params.find((p) => p.key === c.key)?.value;
    case 'tag':
      return m.tags.find((t) => t.key === c.key)?.value;
    case 'attribute': {
      const get = ATTRIBUTES[c.key as string];
      if (!get) throw new InvalidArgumentError(`Invalid attribute '${c.key}' in logged model filter. Use one of: ${Object.keys(ATTRIBUTES).join(', ')}.`);
      return get(m);
    }
    default:
      throw new InvalidArgumentError(`Logged model filters support metrics., params., tags. and attributes, not '${(c as { type: string }).type}'.`);
  }
}

/** Evaluates MLflow's filter grammar against one logged model (AND of clauses). */
export function matchesLoggedModelFilter(m: LoggedModel, filter: string | undefined, datasets?: Array<{ name: string; digest?: string }>): boolean {
  if (!filter || filter.trim() === '') return true;
  return parseRunFilter(filter).every((c) => compare(actualValue(m, c, datasets), c.comparator, c.value));
}
