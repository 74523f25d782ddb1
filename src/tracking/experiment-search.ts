/**
 * Compiles a parsed experiment filter and order_by into one parameterised
 * query, with MLflow's SqlAlchemyStore semantics for SearchExperiments.
 */
import { sql, type Expression, type ExpressionBuilder, type SelectQueryBuilder, type SqlBool } from 'kysely';
import type { DatabaseSchema } from '../backends/database/database-schema.js';
import type { Database, DialectName } from '../backends/database/database.js';
import { InvalidArgumentError } from '../errors.js';
import { compileNumericCondition, compileStringCondition, lifecycleStages, textOrder } from './run-search.js';
import {
  createPageToken,
  parseExperimentFilter,
  parseExperimentOrderBy,
  parsePageToken,
  type ExperimentFilterClause,
  type ExperimentOrderBy,
} from './search-filter.js';
import { validateMaxResults } from './tracking-limits.js';
import type { ViewType } from './tracking-types.js';

export interface SearchExperimentIdsInput {
  filter?: string;
  viewType: ViewType;
  orderBy?: string[];
  maxResults: number;
  pageToken?: string;
}

type ExperimentsScope = DatabaseSchema & { e: DatabaseSchema['experiments'] };
type ExperimentSearchQuery = SelectQueryBuilder<ExperimentsScope, 'e', { experiment_id: number }>;

/** MLflow's order when the request names none. */
const DEFAULT_ORDER: ExperimentOrderBy[] = [
  { key: 'creation_time', ascending: false },
  { key: 'experiment_id', ascending: true },
];

function compileClause(eb: ExpressionBuilder<ExperimentsScope, 'e'>, clause: ExperimentFilterClause, dialect: DialectName): Expression<SqlBool> {
  if (clause.type === 'tag') {
    // As in MLflow, the tag must exist: an experiment without it matches neither = nor !=.
    return eb.exists(
      eb
        .selectFrom('experiment_tags as t')
        .select(sql.lit(1).as('one'))
        .whereRef('t.experiment_id', '=', 'e.experiment_id')
        .where('t.key', '=', clause.key)
        .where(compileStringCondition(dialect, sql.ref('t.value'), clause)),
    );
  }
  if (clause.key === 'name') return compileStringCondition(dialect, sql.ref('e.name'), clause);
  return compileNumericCondition(dialect, sql.ref(`e.${clause.key}`), clause, 'bigint');
}

function parseOrderByList(orderBy: string[] | undefined): ExperimentOrderBy[] {
  if (orderBy === undefined || orderBy.length === 0) return DEFAULT_ORDER;
  const parsed = orderBy.map(parseExperimentOrderBy);
  const keys = parsed.map((o) => o.key);
  if (new Set(keys).size !== keys.length) {
    throw new InvalidArgumentError(`\`order_by\` contains duplicate fields: ${JSON.stringify(orderBy)}; name each field once`);
  }
  // MLflow's tie-breaker for an explicit order is experiment_id DESC.
  return keys.includes('experiment_id') ? parsed : [...parsed, { key: 'experiment_id', ascending: false }];
}

/**
 * Builds, without running, the query behind `searchExperimentIds` (one row
 * past the page, to tell whether another page follows). Exposed for tests.
 * @throws InvalidArgumentError for a bad filter, order_by, page token, max_results or view type.
 */
export function buildExperimentSearchQuery(
  database: Database,
  input: SearchExperimentIdsInput,
): { query: ExperimentSearchQuery; offset: number; maxResults: number } {
  const maxResults = validateMaxResults(input.maxResults, input.maxResults);
  const clauses = parseExperimentFilter(input.filter ?? '');
  const orderBy = parseOrderByList(input.orderBy);
  const offset = parsePageToken(input.pageToken);
  const { dialect } = database;

  let query: ExperimentSearchQuery = database.db
    .selectFrom('experiments as e')
    .select('e.experiment_id')
    .where('e.lifecycle_stage', 'in', lifecycleStages(input.viewType));
  for (const clause of clauses) query = query.where((eb) => compileClause(eb, clause, dialect));
  for (const o of orderBy) {
    const ref = sql.ref(`e.${o.key}`);
    query = query.orderBy(o.key === 'name' ? textOrder(dialect, ref) : ref, o.ascending ? 'asc' : 'desc');
  }
  return { query: query.limit(maxResults + 1).offset(offset), offset, maxResults };
}

/**
 * Searches experiments as MLflow's SearchExperiments does and returns one page
 * of experiment IDs in order; by default newest first (`creation_time DESC`,
 * then `experiment_id ASC`). `nextPageToken` is set only when another
 * non-empty page follows.
 *
 * @example
 * await searchExperimentIds(database, { filter: "name LIKE 'fraud-%'", viewType: 'ACTIVE_ONLY', maxResults: 100 });
 * @throws InvalidArgumentError for a bad filter, order_by, page token, max_results or view type.
 */
export async function searchExperimentIds(
  database: Database,
  input: SearchExperimentIdsInput,
): Promise<{ experimentIds: string[]; nextPageToken?: string }> {
  const { query, offset, maxResults } = buildExperimentSearchQuery(database, input);
  const rows = await query.execute();
  const experimentIds = rows.slice(0, maxResults).map((row) => String(row.experiment_id));
  return rows.length > maxResults ? { experimentIds, nextPageToken: createPageToken(offset + maxResults) } : { experimentIds };
}
