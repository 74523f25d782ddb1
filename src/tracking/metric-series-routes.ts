import type { FastifyInstance } from 'fastify';
import type { Database } from '../backends/database/database.js';
import { InvalidArgumentError } from '../errors.js';
import { DEFAULT_BUCKETS, MetricSeriesReader, SMOOTHINGS, X_AXES, type SeriesQuery, type Smoothing, type XAxis } from './metric-series.js';

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

function decimal(q: Record<string, unknown>, name: string): number | undefined {
  const v = one(q, name);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new InvalidArgumentError(`'${name}' must be a number, got '${v}'.`);
  return n;
}

/** Decodes the query string of a series request. */
export function parseSeriesQuery(q: Record<string, unknown>): SeriesQuery {
  const x = one(q, 'x') || 'step';
  if (!(X_AXES as readonly string[]).includes(x)) throw new InvalidArgumentError(`'x' must be one of ${X_AXES.join(', ')}, got '${x}'.`);
  const smoothing = one(q, 'smoothing') || undefined;
  if (smoothing !== undefined && smoothing !== 'none' && !(SMOOTHINGS as readonly string[]).includes(smoothing)) {
    throw new InvalidArgumentError(`'smoothing' must be one of none, ${SMOOTHINGS.join(', ')}, got '${smoothing}'.`);
  }
  const weight = decimal(q, 'smoothing_weight');
  const window = integer(q, 'window');
  if (smoothing === undefined || smoothing === 'none') {
    if (weight !== undefined || window !== undefined) throw new InvalidArgumentError("'smoothing_weight' and 'window' need 'smoothing' (ema, running or gaussian).");
  } else if (smoothing === 'ema' && window !== undefined) {
    throw new InvalidArgumentError("'window' is for smoothing=running or gaussian; ema takes 'smoothing_weight'.");
  } else if (smoothing !== 'ema' && weight !== undefined) {
    throw new InvalidArgumentError("'smoothing_weight' is for smoothing=ema; running and gaussian take 'window'.");
  }
  return {
    x: x as XAxis,
    smoothing: smoothing === 'none' ? undefined : (smoothing as Smoothing | undefined),
    smoothingWeight: weight,
    window,
    afterStep: integer(q, 'after_step'),
    runIds: values(q.run_id),
    key: one(q, 'key') ?? '',
    buckets: integer(q, 'buckets') ?? DEFAULT_BUCKETS,
    minStep: integer(q, 'min_step'),
    maxStep: integer(q, 'max_step'),
  };
}

/**
 * `GET /api/ferry/v1/runs/series?run_id=A&run_id=B&key=loss&buckets=1000&min_step=0&max_step=999&x=step&smoothing=ema&smoothing_weight=0.6&after_step=N`:
 * metric histories bucketed per pixel column for charts (docs/api/series.md).
 */
export function registerMetricSeriesRoutes(app: FastifyInstance, database: Database): void {
  const reader = new MetricSeriesReader(database);
  app.get(SERIES_PATH, { config: { permission: 'read' } }, async (request) =>
    reader.read(parseSeriesQuery((request.query ?? {}) as Record<string, unknown>)),
  );
}
