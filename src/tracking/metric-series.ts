import { sql } from 'kysely';
import type { Database } from '../backends/database/database.js';
import { InvalidArgumentError, NotFoundError } from '../errors.js';

/** Most runs one series request may name: a chart overlays a few dozen, not thousands. */
export const MAX_SERIES_RUNS = 100;
/** Most buckets per series: more than any screen has pixel columns. */
export const MAX_BUCKETS = 10_000;
export const DEFAULT_BUCKETS = 1000;

export interface SeriesQuery {
  runIds: string[];
  key: string;
  /** Buckets over [minStep, maxStep]; one per pixel column is the intent. */
  buckets: number;
  /** Inclusive step range; either end defaults to the smallest/largest step among the runs. */
  minStep?: number;
  maxStep?: number;
}

/**
 * One run's metric, either bucketed or raw. Bucketed: `x` holds the start of
 * each non-empty bucket on the grid shared by every run of the request,
 * `last` the value at the bucket's highest step, `min`/`max` its extremes.
 * Raw (the range holds no more points than buckets): one entry per point and
 * `last`, `min`, `max` are the point's value. NaN values are `null`.
 */
export interface MetricSeries {
  run_id: string;
  key: string;
  bucketed: boolean;
  x: number[];
  last: Array<number | null>;
  min: Array<number | null>;
  max: Array<number | null>;
}

export interface SeriesResult {
  min_step: number | null;
  max_step: number | null;
  bucket_width: number | null;
  series: MetricSeries[];
}

interface RunExtent {
  run_uuid: string;
  n: number | string;
  lo: number | string;
  hi: number | string;
}

/** Validates a series request; every problem names the parameter to fix. */
export function checkSeriesQuery(q: SeriesQuery): void {
  if (q.runIds.length === 0) throw new InvalidArgumentError("Missing 'run_id': name at least one run, e.g. ?run_id=RUN&key=loss.");
  if (q.runIds.length > MAX_SERIES_RUNS) throw new InvalidArgumentError(`Too many runs: ${q.runIds.length} 'run_id' values, at most ${MAX_SERIES_RUNS}.`);
  if (q.key === '') throw new InvalidArgumentError("Missing 'key': name the metric, e.g. &key=loss.");
  if (!Number.isInteger(q.buckets) || q.buckets < 1 || q.buckets > MAX_BUCKETS) {
    throw new InvalidArgumentError(`'buckets' must be an integer from 1 to ${MAX_BUCKETS}, got ${q.buckets}.`);
  }
  for (const [name, v] of [['min_step', q.minStep], ['max_step', q.maxStep]] as const) {
    if (v !== undefined && !Number.isSafeInteger(v)) throw new InvalidArgumentError(`'${name}' must be an integer step, got ${v}.`);
  }
  if (q.minStep !== undefined && q.maxStep !== undefined && q.minStep > q.maxStep) {
    throw new InvalidArgumentError(`'min_step' (${q.minStep}) is greater than 'max_step' (${q.maxStep}).`);
  }
}

function nanToNull(value: number | string | null, isNan: number | string | null): number | null {
  if (value === null || Number(isNan) === 1) return null;
  return Number(value);
}

/**
 * Server-side downsampling of metric histories for charts: per run, min, max
 * and last value in each of `buckets` equal-width step ranges, so a chart
 * draws every spike with a payload bounded by the bucket count, not the
 * history length. Both engines do the grouping; no history is read into JS.
 */
export class MetricSeriesReader {
  constructor(private readonly database: Database) {}

  private get db() {
    return this.database.db;
  }

  async read(q: SeriesQuery): Promise<SeriesResult> {
    checkSeriesQuery(q);
    const runIds = [...new Set(q.runIds)];
    const found = await this.db.selectFrom('runs').select('run_uuid').where('run_uuid', 'in', runIds).execute();
    if (found.length !== runIds.length) {
      const have = new Set(found.map((r) => r.run_uuid));
      throw new NotFoundError(`Run '${runIds.find((id) => !have.has(id))}' not found.`);
    }

    let extents = await this.extents(runIds, q.key, q.minStep, q.maxStep);
    const lo = q.minStep ?? (extents.length ? Math.min(...extents.map((e) => Number(e.lo))) : null);
    const hi = q.maxStep ?? (extents.length ? Math.max(...extents.map((e) => Number(e.hi))) : null);
    if (lo === null || hi === null) {
      return { min_step: null, max_step: null, bucket_width: null, series: runIds.map((id) => emptySeries(id, q.key)) };
    }
    extents = extents.filter((e) => Number(e.n) > 0);
    const range = hi - lo + 1;
    const width = range / q.buckets;
    const byRun = new Map<string, MetricSeries>();
    const raw = extents.filter((e) => Number(e.n) <= q.buckets).map((e) => e.run_uuid);
    const bucketed = extents.filter((e) => Number(e.n) > q.buckets).map((e) => e.run_uuid);
    if (raw.length) for (const s of await this.rawPoints(raw, q.key, lo, hi)) byRun.set(s.run_id, s);
    if (bucketed.length) for (const s of await this.bucketPoints(bucketed, q.key, lo, hi, q.buckets, range)) byRun.set(s.run_id, s);
    return {
      min_step: lo,
      max_step: hi,
      bucket_width: width,
      series: runIds.map((id) => byRun.get(id) ?? emptySeries(id, q.key)),
    };
  }

  private async extents(runIds: string[], key: string, lo?: number, hi?: number): Promise<RunExtent[]> {
    let query = this.db
      .selectFrom('metrics')
      .select((eb) => ['run_uuid', eb.fn.countAll().as('n'), eb.fn.min('step').as('lo'), eb.fn.max('step').as('hi')])
      .where('run_uuid', 'in', runIds)
      .where('key', '=', key);
    if (lo !== undefined) query = query.where('step', '>=', lo);
    if (hi !== undefined) query = query.where('step', '<=', hi);
    return (await query.groupBy('run_uuid').execute()) as RunExtent[];
  }

  private async rawPoints(runIds: string[], key: string, lo: number, hi: number): Promise<MetricSeries[]> {
    const rows = await this.db
      .selectFrom('metrics')
      .select(['run_uuid', 'step', 'value', 'is_nan'])
      .where('run_uuid', 'in', runIds)
      .where('key', '=', key)
      .where('step', '>=', lo)
      .where('step', '<=', hi)
      .orderBy('run_uuid')
      .orderBy('step')
      .orderBy('timestamp')
      .orderBy('value')
      .execute();
    const out = new Map<string, MetricSeries>();
    for (const r of rows) {
      let s = out.get(r.run_uuid);
      if (!s) out.set(r.run_uuid, (s = { ...emptySeries(r.run_uuid, key), bucketed: false }));
      const v = nanToNull(r.value, r.is_nan);
      s.x.push(Number(r.step));
      s.last.push(v);
      s.min.push(v);
      s.max.push(v);
    }
    return [...out.values()];
  }

  private async bucketPoints(runIds: string[], key: string, lo: number, hi: number, buckets: number, range: number): Promise<MetricSeries[]> {
    // Integer division on both engines (bigint on Postgres); the top step lands in the last bucket.
    const index = sql`cast((step - cast(${lo} as bigint)) * cast(${buckets} as bigint) / cast(${range} as bigint) as bigint)`;
    const ids = sql.join(runIds.map((id) => sql`${id}`));
    const result = await sql<{ run_uuid: string; b: number | string; mn: number | null; mx: number | null; last: number | null; last_nan: number | null }>`
      with pts as (
        select run_uuid, step, timestamp, is_nan,
               case when is_nan = 1 then null else value end as v, value,
               ${index} as b
        from metrics
        where run_uuid in (${ids}) and key = ${key} and step >= ${lo} and step <= ${hi}
      ),
      ranked as (
        select pts.*, row_number() over (partition by run_uuid, b order by step desc, timestamp desc, value desc) as rn
        from pts
      )
      select run_uuid, b, min(v) as mn, max(v) as mx,
             max(case when rn = 1 then v end) as last,
             max(case when rn = 1 then is_nan end) as last_nan
      from ranked
      group by run_uuid, b
      order by run_uuid, b`.execute(this.db);
    const out = new Map<string, MetricSeries>();
    const width = range / buckets;
    for (const r of result.rows) {
      let s = out.get(r.run_uuid);
      if (!s) out.set(r.run_uuid, (s = emptySeries(r.run_uuid, key)));
      s.x.push(lo + Number(r.b) * width);
      s.last.push(nanToNull(r.last, r.last_nan));
      s.min.push(r.mn === null ? null : Number(r.mn));
      s.max.push(r.mx === null ? null : Number(r.mx));
    }
    return [...out.values()];
  }
}

function emptySeries(runId: string, key: string): MetricSeries {
  return { run_id: runId, key, bucketed: true, x: [], last: [], min: [], max: [] };
}
