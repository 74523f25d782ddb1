import { parseLoggedModelFilter, type LoggedModelFilterClause } from './search-filter.js';
import type { LoggedModel } from './tracking-types.js';

/** MLflow's LIKE: % is any run of characters, _ is one; everything else is literal. */
export function likeToRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  let re = '';
  for (const ch of pattern) re += ch === '%' ? '[\\s\\S]*' : ch === '_' ? '[\\s\\S]' : ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${re}$`, caseInsensitive ? 'si' : 's');
}

/** As MLflow's SearchLoggedModelsUtils: a model lacking the field matches no clause, `!=` included. */
function compare(actual: string | number | null | undefined, c: LoggedModelFilterClause): boolean {
  if (actual === undefined || actual === null) return false;
  const expected = c.value;
  switch (c.comparator) {
    case '=':
      return typeof expected === 'number' ? Number(actual) === expected : String(actual) === expected;
    case '!=':
      return typeof expected === 'number' ? Number(actual) !== expected : String(actual) !== expected;
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
      return (expected as string[]).includes(String(actual));
    case 'NOT IN':
      return !(expected as string[]).includes(String(actual));
  }
}

type Datasets = Array<{ name: string; digest?: string }>;

function actualValue(m: LoggedModel, c: LoggedModelFilterClause, datasets?: Datasets): string | number | null | undefined {
  switch (c.type) {
    case 'metric': {
      const ms = m.metrics.filter(
        (x) => x.key === c.key && (!datasets?.length || datasets.some((d) => d.name === x.datasetName && (!d.digest || d.digest === x.datasetDigest))),
      );
      return ms.at(-1)?.value;
    }
    case 'param':
      return m.params.find((p) => p.key === c.key)?.value;
    case 'tag':
      return m.tags.find((t) => t.key === c.key)?.value;
    case 'attribute':
      switch (c.key) {
        case 'name':
          return m.name;
        case 'model_id':
          return m.modelId;
        case 'model_type':
          return m.modelType;
        case 'status':
          return m.status;
        case 'source_run_id':
          return m.sourceRunId;
        case 'creation_timestamp':
          return m.creationTimestampMs;
        case 'last_updated_timestamp':
          return m.lastUpdatedTimestampMs;
      }
  }
}

/** Parses a logged-model filter once; throws InvalidArgumentError for anything outside MLflow's grammar. */
export function compileLoggedModelFilter(filter: string | undefined, datasets?: Datasets): (m: LoggedModel) => boolean {
  if (!filter || filter.trim() === '') return () => true;
  const clauses = parseLoggedModelFilter(filter);
  return (m) => clauses.every((c) => compare(actualValue(m, c, datasets), c));
}

/** Evaluates MLflow's logged-model filter grammar against one model (AND of clauses). */
export function matchesLoggedModelFilter(m: LoggedModel, filter: string | undefined, datasets?: Datasets): boolean {
  return compileLoggedModelFilter(filter, datasets)(m);
}
