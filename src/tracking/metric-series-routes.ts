import type { FastifyInstance } from 'fastify';
import type { Database } from '../backends/database/database.js';
import { InvalidArgumentError } from '../errors.js';
import { DEFAULT_BUCKETS, MetricSeriesReader, type SeriesQuery } from './metric-series.js';

export const SERIES_PATH = '/api/ferry/v1/runs/series';

function values(v: unknown): string[] {
  if (v === undefined) return [];
  return [v]
    .flat()
    .flatMap((s) => String(s).split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function one(q: Record<string, unknown>, name: string): string | undefined {
  const v = q[name];
  if (Array.isArray(v)) throw new InvalidArgumentError(`Give '${name}' once, got ${v.length} values.`);
  return v === undefined ? undefined : String(v);
}

function integer(q: Record<string, unknown>, name: string): number | undefined {
  const v = one(q, name);
  if (v === undefined || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw new InvalidArgumentError(`'${name}' must be an integer, got '${v}'.`);
  return Number(v);
}

/** Decodes the query string of a series request. */
export function parseSeriesQuery(q: Record<string, unknown>): SeriesQuery {
  const x = one(q, 'x') ?? 'step';
  if (x !== 'step') throw new InvalidArgumentError(`'x' must be 'step' (the only x-axis served so far), got '${x}'.`);
  return {
    runIds: values(q.run_id),
    key: one(q, 'key') ?? '',
    buckets: integer(q, 'buckets') ?? DEFAULT_BUCKETS,
    minStep: integer(q, 'min_step'),
    maxStep: integer(q, 'max_step'),
  };
}

/**
 * `GET /api/ferry/v1/runs/series?run_id=A&run_id=B&key=loss&buckets=1000&min_step=0&max_step=999`:
 * metric histories bucketed per pixel column for charts (docs/api/series.md).
 */
export function registerMetricSeriesRoutes(app: FastifyInstance, database: Database): void {
  const reader = new MetricSeriesReader(database);
  app.get(SERIES_PATH, { config: { permission: 'read' } }, async (request) =>
    reader.read(parseSeriesQuery((request.query ?? {}) as Record<string, unknown>)),
  );
}
