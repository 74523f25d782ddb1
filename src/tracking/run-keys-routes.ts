import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Database } from '../backends/database/database.js';
import { InvalidArgumentError, NotFoundError } from '../errors.js';

export const RUN_KEYS_PATH = '/api/ferry/v1/experiments/:experimentId/keys';
export const RUN_KEY_KINDS = ['metrics', 'params', 'tags'] as const;
export type RunKeyKind = (typeof RUN_KEY_KINDS)[number];
export const DEFAULT_KEYS = 1000;
/** Enough for a column picker over every key of a wide experiment, still one bounded answer. */
export const MAX_KEYS = 50_000;

export interface RunKeysQuery {
  experimentId: string;
  kind: RunKeyKind;
  /** Case-insensitive substring; `%` and `_` are literal. */
  contains?: string;
  maxResults: number;
}

export interface RunKeysAnswer {
  kind: RunKeyKind;
  keys: string[];
  /** More keys match than `max_results`. */
  truncated: boolean;
}

function one(q: Record<string, unknown>, name: string): string | undefined {
  const v = q[name];
  if (Array.isArray(v)) throw new InvalidArgumentError(`Give '${name}' once, got ${v.length} values.`);
  return v === undefined ? undefined : String(v);
}

/** Decodes `?kind=&contains=&max_results=`; every problem names the parameter to fix. */
export function parseRunKeysQuery(experimentId: string, q: Record<string, unknown>): RunKeysQuery {
  if (!/^\d+$/.test(experimentId)) throw new InvalidArgumentError(`Experiment id must be an integer, got '${experimentId}'.`);
  const kind = one(q, 'kind') || 'metrics';
  if (!(RUN_KEY_KINDS as readonly string[]).includes(kind)) throw new InvalidArgumentError(`'kind' must be one of ${RUN_KEY_KINDS.join(', ')}, got '${kind}'.`);
  const max = one(q, 'max_results');
  let maxResults = DEFAULT_KEYS;
  if (max !== undefined && max !== '') {
    if (!/^\d+$/.test(max) || Number(max) < 1 || Number(max) > MAX_KEYS) throw new InvalidArgumentError(`'max_results' must be an integer from 1 to ${MAX_KEYS}, got '${max}'.`);
    maxResults = Number(max);
  }
  const contains = one(q, 'contains');
  return { experimentId, kind: kind as RunKeyKind, contains: contains === '' ? undefined : contains, maxResults };
}

/**
 * Distinct metric, param or tag keys over an experiment's active runs, in key
 * order: what a column picker lists without loading any run. Metrics come from
 * `latest_metrics`, one row per run and key, not from the full histories.
 */
export async function listRunKeys(database: Database, q: RunKeysQuery): Promise<RunKeysAnswer> {
  const db = database.db;
  const id = Number(q.experimentId);
  // Past Postgres's integer range no experiment can exist, and binding it there would fail.
  if (id > 2_147_483_647) throw new NotFoundError(`Experiment '${q.experimentId}' not found.`);
  const exp = await db.selectFrom('experiments').select('experiment_id').where('experiment_id', '=', id).executeTakeFirst();
  if (!exp) throw new NotFoundError(`Experiment '${q.experimentId}' not found.`);
  const table = sql.table(q.kind === 'metrics' ? 'latest_metrics' : q.kind);
  // LIKE is case-sensitive on Postgres and not on SQLite: lower() both sides; the user's % and _ match themselves.
  const contains =
    q.contains === undefined ? sql`` : sql`and lower(k.key) like ${`%${q.contains.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`} escape '\\'`;
  // A loose index scan: walk the distinct keys through the (key, value) index one
  // seek each, keeping those some active run of the experiment has. A plain
  // DISTINCT over the join reads every run's every key (10M rows at 100,000 runs × 100 keys).
  const rows = (
    await sql<{ key: string }>`
      with recursive k(key) as (
        select min(key) from ${table}
        union all
        select (select min(t.key) from ${table} t where t.key > k.key) from k where k.key is not null
      )
      select k.key from k
      where k.key is not null ${contains}
        and exists (select 1 from ${table} t join runs r on r.run_uuid = t.run_uuid
                    where t.key = k.key and r.experiment_id = ${id} and r.lifecycle_stage = 'active')
      order by k.key
      limit ${q.maxResults + 1}`.execute(db)
  ).rows;
  const keys = rows.map((r) => r.key);
  const truncated = keys.length > q.maxResults;
  return { kind: q.kind, keys: truncated ? keys.slice(0, q.maxResults) : keys, truncated };
}

/** `GET /api/ferry/v1/experiments/{id}/keys?kind=metrics|params|tags&contains=…&max_results=…` (docs/api/series.md). */
export function registerRunKeysRoutes(app: FastifyInstance, database: Database): void {
  app.get(RUN_KEYS_PATH, { config: { permission: 'read' } }, async (request) => {
    const { experimentId } = request.params as { experimentId: string };
    return listRunKeys(database, parseRunKeysQuery(experimentId, (request.query ?? {}) as Record<string, unknown>));
  });
}
