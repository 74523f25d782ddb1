import { sql } from 'kysely';
import type { Database } from '../backends/database/database.js';
import { InvalidArgumentError, NotFoundError } from '../errors.js';

/** Most runs one series request may name: a chart overlays a few dozen, not thousands. */
export const MAX_SERIES_RUNS = 100;
/** Most buckets per series: more than any screen has pixel columns. */
export const MAX_BUCKETS = 10_000;
export const DEFAULT_BUCKETS = 1000;
/** TensorBoard's default EMA weight. */
export const DEFAULT_SMOOTHING_WEIGHT = 0.6;
export const DEFAULT_SMOOTHING_WINDOW = 10;
/** Widest running-average or Gaussian window, in points. */
export const MAX_SMOOTHING_WINDOW = 10_000;

export const X_AXES = ['step', 'time', 'relative'] as const;
/** What the series is drawn against: the step, the wall-clock time (ms since epoch), or ms since the run's first point of the metric. */
export type XAxis = (typeof X_AXES)[number];
export const SMOOTHINGS = ['ema', 'running', 'gaussian'] as const;
export type Smoothing = (typeof SMOOTHINGS)[number];

export interface SeriesQuery {
  runIds: string[];
  key: string;
  /** Buckets over [minStep, maxStep]; one per pixel column is the intent. */
  buckets: number;
  /** Inclusive step range; either end defaults to the smallest/largest step among the runs. */
  minStep?: number;
  maxStep?: number;
  /** The x-axis; the range and `x` of the answer are in its units. Default `step`. */
  x?: XAxis;
  /** Smoothing applied to each run's full-resolution history before the range is cut and bucketed. */
  smoothing?: Smoothing;
  /** EMA weight in [0, 1). */
  smoothingWeight?: number;
  /** Running-average window / Gaussian radius, in points. */
  window?: number;
  /** Only points with a step greater than this: what a live chart appends. */
  afterStep?: number;
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
  /** Highest step among the points answered (null when none): the `after_step` of the next live fetch. */
  last_step: number | null;
}

export interface SeriesResult {
  x_axis: XAxis;
  smoothing: { method: Smoothing; weight?: number; window?: number } | null;
  /** The range in x-axis units (steps, or ms for `time`/`relative`). */
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
  if (q.afterStep !== undefined && !Number.isSafeInteger(q.afterStep)) throw new InvalidArgumentError(`'after_step' must be an integer step, got ${q.afterStep}.`);
  if (q.x !== undefined && !X_AXES.includes(q.x)) throw new InvalidArgumentError(`'x' must be one of ${X_AXES.join(', ')}, got '${q.x}'.`);
  if (q.smoothing !== undefined && !SMOOTHINGS.includes(q.smoothing)) {
    throw new InvalidArgumentError(`'smoothing' must be one of ${SMOOTHINGS.join(', ')}, got '${q.smoothing}'.`);
  }
  const w = q.smoothingWeight;
  if (w !== undefined && (!Number.isFinite(w) || w < 0 || w >= 1)) throw new InvalidArgumentError(`'smoothing_weight' must be a number from 0 up to (not including) 1, got ${w}.`);
  if (q.window !== undefined && (!Number.isInteger(q.window) || q.window < 1 || q.window > MAX_SMOOTHING_WINDOW)) {
    throw new InvalidArgumentError(`'window' must be an integer from 1 to ${MAX_SMOOTHING_WINDOW}, got ${q.window}.`);
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

    if ((q.x ?? 'step') !== 'step' || q.smoothing !== undefined) return this.readInMemory(q, runIds);
    // Live refresh on the step axis is a range that starts after the last step the chart has.
    const minStep = q.afterStep === undefined ? q.minStep : Math.max(q.minStep ?? -Infinity, q.afterStep + 1);
    if (q.maxStep !== undefined && minStep !== undefined && minStep > q.maxStep) return emptyResult(q, runIds);
    let extents = await this.extents(runIds, q.key, minStep, q.maxStep);
    const lo = minStep ?? (extents.length ? Math.min(...extents.map((e) => Number(e.lo))) : null);
    const hi = q.maxStep ?? (extents.length ? Math.max(...extents.map((e) => Number(e.hi))) : null);
    if (lo === null || hi === null) {
      return emptyResult(q, runIds);
    }
    extents = extents.filter((e) => Number(e.n) > 0);
    const range = hi - lo + 1;
    const width = range / q.buckets;
    const byRun = new Map<string, MetricSeries>();
    const raw = extents.filter((e) => Number(e.n) <= q.buckets).map((e) => e.run_uuid);
    const bucketed = extents.filter((e) => Number(e.n) > q.buckets).map((e) => e.run_uuid);
    if (raw.length) for (const s of await this.rawPoints(raw, q.key, lo, hi)) byRun.set(s.run_id, s);
    if (bucketed.length) for (const s of await this.bucketPoints(bucketed, q.key, lo, hi, q.buckets, range)) byRun.set(s.run_id, s);
    for (const e of extents) {
      const s = byRun.get(e.run_uuid);
      if (s) s.last_step = Number(e.hi);
    }
    return {
      x_axis: 'step',
      smoothing: null,
      min_step: lo,
      max_step: hi,
      bucket_width: width,
      series: runIds.map((id) => byRun.get(id) ?? emptySeries(id, q.key)),
    };
  }

  /**
   * Time axes and smoothing need every point of a run in order (an EMA at
   * step 9,000 depends on all 9,000 before it), so these read the full history
   * once, smooth it, then cut the range and bucket on the same grid as SQL does.
   */
  private async readInMemory(q: SeriesQuery, runIds: string[]): Promise<SeriesResult> {
    const axis = q.x ?? 'step';
    const rows = await this.db
      .selectFrom('metrics')
      .select(['run_uuid', 'step', 'timestamp', 'value', 'is_nan'])
      .where('run_uuid', 'in', runIds)
      .where('key', '=', q.key)
      .orderBy('run_uuid')
      .orderBy('step')
      .orderBy('timestamp')
      .orderBy('value')
      .execute();
    const runs = new Map<string, Point[]>();
    for (const r of rows) {
      let pts = runs.get(r.run_uuid);
      if (!pts) runs.set(r.run_uuid, (pts = []));
      pts.push({ step: Number(r.step), time: Number(r.timestamp), x: 0, v: nanToNull(r.value, r.is_nan) });
    }
    const smoothing = q.smoothing ? describeSmoothing(q) : null;
    for (const pts of runs.values()) {
      if (smoothing) smoothValues(pts, smoothing);
      const first = Math.min(...pts.map((p) => p.time));
      for (const p of pts) p.x = axis === 'step' ? p.step : axis === 'time' ? p.time : p.time - first;
      if (axis !== 'step') pts.sort((a, b) => a.x - b.x || a.step - b.step);
    }
    const kept = new Map<string, Point[]>();
    for (const [id, pts] of runs) {
      const inRange = pts.filter(
        (p) => (q.afterStep === undefined || p.step > q.afterStep) && (q.minStep === undefined || p.x >= q.minStep) && (q.maxStep === undefined || p.x <= q.maxStep),
      );
      if (inRange.length) kept.set(id, inRange);
    }
    const all = [...kept.values()];
    if (all.length === 0) return { ...emptyResult(q, runIds), smoothing };
    const lo = q.minStep ?? Math.min(...all.map((p) => p[0]!.x));
    const hi = q.maxStep ?? Math.max(...all.map((p) => p.at(-1)!.x));
    const range = hi - lo + 1;
    const series = runIds.map((id) => {
      const pts = kept.get(id);
      if (!pts) return emptySeries(id, q.key);
      const s = pts.length <= q.buckets ? rawSeries(id, q.key, pts) : bucketSeries(id, q.key, pts, lo, q.buckets, range);
      s.last_step = Math.max(...pts.map((p) => p.step));
      return s;
    });
    return { x_axis: axis, smoothing, min_step: lo, max_step: hi, bucket_width: range / q.buckets, series };
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
    // One grouping pass (no window sort over every point); the last value of each
    // bucket is then one primary-key probe at the bucket's highest step. Grouped by
    // position: Postgres cannot match the bucket expression's differently numbered parameters.
    const last = (col: ReturnType<typeof sql>) => sql`(select ${col} from metrics m
          where m.run_uuid = agg.run_uuid and m.key = ${key} and m.step = agg.ms
          order by m.timestamp desc, m.value desc limit 1)`;
    const result = await sql<{ run_uuid: string; b: number | string; mn: number | null; mx: number | null; last: number | null; last_nan: number | null }>`
      with agg as (
        select run_uuid, ${index} as b,
               min(case when is_nan = 1 then null else value end) as mn,
               max(case when is_nan = 1 then null else value end) as mx,
               max(step) as ms
        from metrics
        where run_uuid in (${ids}) and key = ${key} and step >= ${lo} and step <= ${hi}
        group by 1, 2
      )
      select run_uuid, b, mn, mx, ${last(sql`m.value`)} as last, ${last(sql`m.is_nan`)} as last_nan
      from agg
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

interface Point {
  step: number;
  time: number;
  x: number;
  v: number | null;
}

function describeSmoothing(q: SeriesQuery): NonNullable<SeriesResult['smoothing']> {
  if (q.smoothing === 'ema') return { method: 'ema', weight: q.smoothingWeight ?? DEFAULT_SMOOTHING_WEIGHT };
  return { method: q.smoothing!, window: q.window ?? DEFAULT_SMOOTHING_WINDOW };
}

/**
 * Smooths in step order, in place. NaN points (null) stay null and are
 * skipped by every method, as TensorBoard does.
 */
export function smoothValues(pts: Array<{ v: number | null }>, s: NonNullable<SeriesResult['smoothing']>): void {
  if (s.method === 'ema') {
    // TensorBoard's debiased EMA: the zero start is divided out by 1 - w^n.
    const w = s.weight!;
    let last = 0;
    let n = 0;
    for (const p of pts) {
      if (p.v === null) continue;
      last = last * w + (1 - w) * p.v;
      n++;
      p.v = w === 0 ? last : last / (1 - w ** n);
    }
    return;
  }
  const idx = pts.flatMap((p, i) => (p.v === null ? [] : [i]));
  const vals = idx.map((i) => pts[i]!.v!);
  const win = s.window!;
  if (s.method === 'running') {
    let sum = 0;
    for (let j = 0; j < vals.length; j++) {
      sum += vals[j]!;
      if (j >= win) sum -= vals[j - win]!;
      pts[idx[j]!]!.v = sum / Math.min(j + 1, win);
    }
    return;
  }
  // Gaussian: radius `window` points, sigma = window / 2, weights renormalised at the edges.
  const sigma = win / 2;
  const kernel = Array.from({ length: win + 1 }, (_, d) => Math.exp(-(d * d) / (2 * sigma * sigma)));
  const out = vals.map((_, j) => {
    let num = 0;
    let den = 0;
    for (let k = Math.max(0, j - win); k <= Math.min(vals.length - 1, j + win); k++) {
      const wk = kernel[Math.abs(k - j)]!;
      num += wk * vals[k]!;
      den += wk;
    }
    return num / den;
  });
  out.forEach((v, j) => (pts[idx[j]!]!.v = v));
}

function rawSeries(runId: string, key: string, pts: Point[]): MetricSeries {
  const v = pts.map((p) => p.v);
  return { run_id: runId, key, bucketed: false, x: pts.map((p) => p.x), last: v, min: [...v], max: [...v], last_step: null };
}

/** The grid of the SQL path: bucket = floor((x - lo) * buckets / range), `x` the bucket's start. */
function bucketSeries(runId: string, key: string, pts: Point[], lo: number, buckets: number, range: number): MetricSeries {
  const s = emptySeries(runId, key);
  const width = range / buckets;
  let current = -1;
  for (const p of pts) {
    const b = Math.floor(((p.x - lo) * buckets) / range);
    if (b !== current) {
      current = b;
      s.x.push(lo + b * width);
      s.last.push(p.v);
      s.min.push(p.v);
      s.max.push(p.v);
      continue;
    }
    const i = s.x.length - 1;
    s.last[i] = p.v;
    if (p.v !== null) {
      s.min[i] = s.min[i] === null ? p.v : Math.min(s.min[i]!, p.v);
      s.max[i] = s.max[i] === null ? p.v : Math.max(s.max[i]!, p.v);
    }
  }
  return s;
}

function emptyResult(q: SeriesQuery, runIds: string[]): SeriesResult {
  return { x_axis: q.x ?? 'step', smoothing: null, min_step: null, max_step: null, bucket_width: null, series: runIds.map((id) => emptySeries(id, q.key)) };
}

function emptySeries(runId: string, key: string): MetricSeries {
  return { run_id: runId, key, bucketed: true, x: [], last: [], min: [], max: [], last_step: null };
}
