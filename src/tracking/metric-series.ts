import { sql } from 'kysely';
import type { Database } from '../backends/database/database.js';
import { InvalidArgumentError, NotFoundError } from '../errors.js';
import { metricHistoryCache, type MetricHistory, type MetricHistoryCache } from './metric-history-cache.js';
import { metricSnapshots, type MetricSnapshots } from './metric-snapshots.js';

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
 * Raw (the range holds at most twice as many points as buckets): one entry per point and
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

/**
 * Server-side downsampling of metric histories for charts: per run, min, max
 * and last value in each of `buckets` equal-width x ranges, so a chart draws
 * every spike with a payload bounded by the bucket count, not the history
 * length. Histories come from the in-memory cache (metric-history-cache.ts)
 * and are read from the database, whole and columnar, only when it lacks them.
 */
export class MetricSeriesReader {
  private readonly cache: MetricHistoryCache;
  private readonly pending = new Set<string>();
  private readonly queue: Array<[string, string]> = [];
  private draining = false;

  private readonly snapshots: MetricSnapshots;

  constructor(private readonly database: Database) {
    this.cache = metricHistoryCache(database);
    this.snapshots = metricSnapshots(database);
  }

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
    const { held, missing } = await this.held(runIds, q.key);
    if ((q.x ?? 'step') !== 'step' || q.smoothing !== undefined) {
      // Smoothing and time axes need whole histories: read the missing ones and keep them.
      for (const id of missing) {
        const generation = this.cache.generation(id);
        const h = await this.load(id, q.key);
        this.cache.put(id, q.key, h, generation);
        this.snapshots.schedule(id, q.key);
        held.set(id, h);
      }
      return readSmoothedOrTimed(q, runIds, held);
    }
    return this.readSteps(q, runIds, held, missing);
  }

  /** The runs whose history of `key` the cache holds a current copy of, and the rest. */
  private async held(runIds: string[], key: string): Promise<{ held: Map<string, MetricHistory>; missing: string[] }> {
    const held = new Map<string, MetricHistory>();
    const missing: string[] = [];
    for (const id of runIds) {
      const h = this.cache.get(id, key);
      if (h) held.set(id, h);
      else missing.push(id);
    }
    if (!this.cache.selfValidating && held.size > 0) {
      // Another server may share this database: trust a copy only while its count and last step match.
      const stored = new Map(
        (
          await this.db
            .selectFrom('metrics')
            .select((eb) => ['run_uuid', eb.fn.countAll().as('n'), eb.fn.max('step').as('hi')])
            .where('run_uuid', 'in', [...held.keys()])
            .where('key', '=', key)
            .groupBy('run_uuid')
            .execute()
        ).map((r) => [r.run_uuid, { n: Number(r.n), hi: Number(r.hi) }]),
      );
      for (const [id, h] of held) {
        const s = stored.get(id) ?? { n: 0, hi: NaN };
        if (s.n !== h.n || (h.n > 0 && s.hi !== stepOf(h, h.n - 1))) {
          held.delete(id);
          missing.push(id);
        }
      }
    }
    if (missing.length === 0) return { held, missing };
    // Persisted snapshots next: one blob per run instead of a scan of its points.
    const generations = new Map(missing.map((id) => [id, this.cache.generation(id)]));
    const snapshots = await this.snapshots.read(missing, key);
    for (const [id, h] of snapshots) {
      this.cache.put(id, key, h, generations.get(id)!);
      held.set(id, h);
    }
    return { held, missing: missing.filter((id) => !snapshots.has(id)) };
  }

  /**
   * The step axis: runs held in memory are cut by binary search and bucketed
   * from their arrays; the others are grouped by the database, which for a
   * history read once costs less than reading it whole.
   */
  private async readSteps(q: SeriesQuery, runIds: string[], held: Map<string, MetricHistory>, missing: string[]): Promise<SeriesResult> {
    // Live refresh on the step axis is a range that starts after the last step the chart has.
    const minStep = q.afterStep === undefined ? q.minStep : Math.max(q.minStep ?? -Infinity, q.afterStep + 1);
    if (q.maxStep !== undefined && minStep !== undefined && minStep > q.maxStep) return emptyResult(q, runIds);
    const cuts = new Map<string, Cut>();
    for (const [id, h] of held) {
      const from = minStep === undefined ? 0 : indexOfStep(h, 0, h.n, minStep);
      const to = q.maxStep === undefined ? h.n : indexOfStep(h, 0, h.n, q.maxStep + 1);
      if (to > from) cuts.set(id, { h, from, to });
    }
    const extents = (await Promise.all(missing.map((id) => this.extent(id, q.key, minStep, q.maxStep)))).filter((e) => e.n > 0);
    const firsts = [...[...cuts.values()].map((c) => stepOf(c.h, c.from)), ...extents.map((e) => e.lo)];
    const lasts = [...[...cuts.values()].map((c) => stepOf(c.h, c.to - 1)), ...extents.map((e) => e.hi)];
    if (firsts.length === 0) return emptyResult(q, runIds);
    const lo = minStep ?? Math.min(...firsts);
    const hi = q.maxStep ?? Math.max(...lasts);
    const range = hi - lo + 1;
    const byRun = new Map<string, MetricSeries>();
    const grid = cuts.size > 0 ? bucketGrid(lo, q.buckets, range) : undefined;
    for (const [id, c] of cuts) byRun.set(id, seriesFromHistory(id, q.key, c, grid!));
    for (const e of extents) {
      const s = answersRaw(e.n, q.buckets) ? await this.rawPoints(e.runId, q.key, lo, hi) : await this.bucketPoints(e.runId, q.key, lo, hi, q.buckets, range);
      s.last_step = e.hi;
      byRun.set(e.runId, s);
    }
    this.prefetch(missing, q.key);
    return {
      x_axis: 'step',
      smoothing: null,
      min_step: lo,
      max_step: hi,
      bucket_width: range / q.buckets,
      series: runIds.map((id) => byRun.get(id) ?? emptySeries(id, q.key)),
    };
  }

  /**
   * After answering from SQL, reads the histories whole in the background,
   * one run per event-loop turn so other requests go in between: the next
   * view or zoom of the same chart is then drawn from memory.
   */
  private prefetch(runIds: string[], key: string): void {
    if (!this.cache.enabled) return;
    for (const id of runIds) {
      const k = `${id}\u0000${key}`;
      if (this.pending.has(k)) continue;
      this.pending.add(k);
      this.queue.push([id, key]);
    }
    if (!this.draining && this.queue.length > 0) {
      this.draining = true;
      setImmediate(() => void this.drainPrefetch());
    }
  }

  private async drainPrefetch(): Promise<void> {
    const next = this.queue.shift();
    if (!next) {
      this.draining = false;
      return;
    }
    const [id, key] = next;
    try {
      if (!this.cache.get(id, key)) {
        const generation = this.cache.generation(id);
        this.cache.put(id, key, await this.load(id, key), generation);
        this.snapshots.schedule(id, key);
      }
    } catch {
      // A failed background read only means the next view asks the database again.
    } finally {
      this.pending.delete(`${id}\u0000${key}`);
    }
    setImmediate(() => void this.drainPrefetch());
  }

  private async extent(runId: string, key: string, lo?: number, hi?: number): Promise<{ runId: string; n: number; lo: number; hi: number }> {
    let query = this.db
      .selectFrom('metrics')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('step').as('lo'), eb.fn.max('step').as('hi')])
      .where('run_uuid', '=', runId)
      .where('key', '=', key);
    if (lo !== undefined) query = query.where('step', '>=', lo);
    if (hi !== undefined) query = query.where('step', '<=', hi);
    const r = await query.executeTakeFirst();
    return { runId, n: Number(r?.n ?? 0), lo: Number(r?.lo), hi: Number(r?.hi) };
  }

  private async rawPoints(runId: string, key: string, lo: number, hi: number): Promise<MetricSeries> {
    const rows = await this.db
      .selectFrom('metrics')
      .select(['step', 'value', 'is_nan'])
      .where('run_uuid', '=', runId)
      .where('key', '=', key)
      .where('step', '>=', lo)
      .where('step', '<=', hi)
      .orderBy('step')
      .orderBy('timestamp')
      .orderBy('value')
      .orderBy('is_nan')
      .execute();
    const s: MetricSeries = { ...emptySeries(runId, key), bucketed: false };
    for (const r of rows) {
      const v = Number(r.is_nan) === 1 ? null : Number(r.value);
      s.x.push(Number(r.step));
      s.last.push(v);
      s.min.push(v);
      s.max.push(v);
    }
    return s;
  }

  private async bucketPoints(runId: string, key: string, lo: number, hi: number, buckets: number, range: number): Promise<MetricSeries> {
    // Integer division on both engines (bigint on Postgres); the top step lands in the last bucket.
    const index = sql`cast((step - cast(${lo} as bigint)) * cast(${buckets} as bigint) / cast(${range} as bigint) as bigint)`;
    // One grouping pass (no window sort over every point); the last value of each
    // bucket is then one primary-key probe at the bucket's highest step. Grouped by
    // position: Postgres cannot match the bucket expression's differently numbered parameters.
    const last = (col: ReturnType<typeof sql>) => sql`(select ${col} from metrics m
          where m.run_uuid = ${runId} and m.key = ${key} and m.step = agg.ms
          order by m.timestamp desc, m.value desc, m.is_nan desc limit 1)`;
    const result = await sql<{ b: number | string; mn: number | null; mx: number | null; last: number | null; last_nan: number | null }>`
      with agg as (
        select ${index} as b,
               min(case when is_nan = 1 then null else value end) as mn,
               max(case when is_nan = 1 then null else value end) as mx,
               max(step) as ms
        from metrics
        where run_uuid = ${runId} and key = ${key} and step >= ${lo} and step <= ${hi}
        group by 1
      )
      select b, mn, mx, ${last(sql`m.value`)} as last, ${last(sql`m.is_nan`)} as last_nan
      from agg
      order by b`.execute(this.db);
    const s = emptySeries(runId, key);
    const width = range / buckets;
    for (const r of result.rows) {
      s.x.push(lo + Number(r.b) * width);
      s.last.push(r.last === null || Number(r.last_nan) === 1 ? null : Number(r.last));
      s.min.push(r.mn === null ? null : Number(r.mn));
      s.max.push(r.mx === null ? null : Number(r.mx));
    }
    return s;
  }

  /**
   * One run's whole history as three JSON arrays built by the database: one
   * row instead of one per point, which is what reading 100,000 points costs.
   * Both engines print doubles so that they parse back exactly. The order
   * comes from the primary key; it is checked, not assumed.
   */
  private async load(runId: string, key: string): Promise<MetricHistory> {
    const value = sql`case when is_nan = 1 then null else value end`;
    const query =
      this.database.dialect === 'sqlite'
        ? sql<{ s: string; t: string; v: string }>`
            select json_group_array(step) as s, json_group_array(timestamp) as t, json_group_array(v) as v
            from (select step, timestamp, ${value} as v from metrics
                  where run_uuid = ${runId} and key = ${key} order by step, timestamp, value, is_nan)`
        : sql<{ s: number[] | null; t: number[] | null; v: Array<number | null> | null }>`
            select json_agg(step order by step, timestamp, value, is_nan) as s,
                   json_agg(timestamp order by step, timestamp, value, is_nan) as t,
                   json_agg(${value} order by step, timestamp, value, is_nan) as v
            from metrics where run_uuid = ${runId} and key = ${key}`;
    const row = (await query.execute(this.db)).rows[0];
    const parse = <T>(v: string | T[] | null | undefined): T[] => (v == null ? [] : typeof v === 'string' ? (JSON.parse(v) as T[]) : v);
    const steps = parse<number>(row?.s);
    const times = parse<number>(row?.t);
    const values = parse<number | null>(row?.v);
    const n = steps.length;
    const h = { n, step: new Float64Array(n), time: new Float64Array(n), value: new Float64Array(n) };
    let sorted = true;
    for (let i = 0; i < n; i++) {
      h.step[i] = Number(steps[i]);
      h.time[i] = Number(times[i]);
      const v = values[i];
      h.value[i] = v === null || v === undefined ? NaN : Number(v);
      if (i > 0 && (h.step[i]! < h.step[i - 1]! || (h.step[i] === h.step[i - 1] && h.time[i]! < h.time[i - 1]!))) sorted = false;
    }
    return sorted ? h : sortHistory(h);
  }
}

interface Cut {
  h: MetricHistory;
  from: number;
  to: number;
}

/** Primary-key order, for the rare engine that hands an aggregate its rows out of order. */
function sortHistory(h: MetricHistory): MetricHistory {
  const order = Array.from({ length: h.n }, (_, i) => i);
  const v = (i: number) => (Number.isNaN(h.value[i]) ? 0 : h.value[i]!);
  order.sort((a, b) => h.step[a]! - h.step[b]! || h.time[a]! - h.time[b]! || v(a) - v(b) || Number(Number.isNaN(h.value[a])) - Number(Number.isNaN(h.value[b])));
  return { n: h.n, step: Float64Array.from(order, (i) => h.step[i]!), time: Float64Array.from(order, (i) => h.time[i]!), value: Float64Array.from(order, (i) => h.value[i]!) };
}

/**
 * Up to two points per bucket are answered as they are: the payload stays
 * bounded, and a short history keeps its real steps instead of bucket starts
 * (500 points on 430 buckets would end the line at step 498.8, not 499).
 */
function answersRaw(points: number, buckets: number): boolean {
  return points <= 2 * buckets;
}

/** The step of point `i`, without building the step column of an evenly spaced history. */
function stepOf(h: MetricHistory, i: number): number {
  const even = h.evenSteps;
  return even ? even.first + i * even.stride : h.step[i]!;
}

/** First index in [from, to) whose step is ≥ `step`, or `to` (steps ascending). */
function indexOfStep(h: MetricHistory, from: number, to: number, step: number): number {
  const even = h.evenSteps;
  if (!even) return lowerBoundFrom(h.step, from, to, step);
  // Exact for integer steps; the loops only guard against a rounded quotient.
  let i = Math.min(to, Math.max(from, Math.ceil((step - even.first) / even.stride)));
  while (i > from && even.first + (i - 1) * even.stride >= step) i--;
  while (i < to && even.first + i * even.stride < step) i++;
  return i;
}

/** First index in [from, to) whose step is ≥ `step`, or `to`. */
function lowerBoundFrom(steps: Float64Array, from: number, to: number, step: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (steps[mid]! < step) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** floor((x - lo) * buckets / range), exact beyond 2^53 as the integer division it mirrors. */
function bucketOf(x: number, lo: number, buckets: number, range: number): number {
  const scaled = (x - lo) * buckets;
  if (Number.isSafeInteger(scaled) && Number.isSafeInteger(range)) return Math.floor(scaled / range);
  return Number((BigInt(x - lo) * BigInt(buckets)) / BigInt(range));
}

const valueOrNull = (v: number): number | null => (Number.isNaN(v) ? null : v);

/** The shared x grid of one request: bucket b covers steps [end[b - 1], end[b]) and is drawn at start[b]. */
interface BucketGrid {
  lo: number;
  buckets: number;
  range: number;
  /** First step past each bucket (integer steps; the last is past `lo + range - 1`). */
  end: Float64Array;
  start: Float64Array;
}

/**
 * Bucket b holds the steps with floor((step - lo) · buckets / range) = b, the
 * SQL path's integer division; its end is the first step of a higher bucket.
 * Computed once per request, for every run.
 */
function bucketGrid(lo: number, buckets: number, range: number): BucketGrid {
  const end = new Float64Array(buckets);
  const start = new Float64Array(buckets);
  const width = range / buckets;
  for (let b = 0; b < buckets; b++) {
    let boundary = lo + Math.ceil(((b + 1) * range) / buckets);
    // Guard the float division: the boundary must be the first step past bucket b.
    while (bucketOf(boundary, lo, buckets, range) <= b) boundary++;
    while (boundary - 1 > lo && bucketOf(boundary - 1, lo, buckets, range) > b) boundary--;
    end[b] = boundary;
    start[b] = lo + b * width;
  }
  return { lo, buckets, range, end, start };
}

/** One run's cut of the step axis, raw when it holds at most two points per bucket. */
function seriesFromHistory(runId: string, key: string, { h, from, to }: Cut, grid: BucketGrid): MetricSeries {
  const s = emptySeries(runId, key);
  s.last_step = stepOf(h, to - 1);
  if (answersRaw(to - from, grid.buckets)) {
    s.bucketed = false;
    for (let i = from; i < to; i++) {
      const v = valueOrNull(h.value[i]!);
      s.x.push(stepOf(h, i));
      s.last.push(v);
      s.min.push(v);
      s.max.push(v);
    }
    return s;
  }
  const { value, blocks } = h;
  const size = blocks?.size ?? 1;
  const blockCount = blocks?.min.length ?? 0;
  const ends = grid.end;
  // Per non-empty bucket: its end found from the grid, then one tight min/max
  // pass over its values (NaN fails both compares, so is skipped); whole blocks
  // inside the bucket are read from a snapshot's block extremes instead.
  let b = bucketOf(stepOf(h, from), grid.lo, grid.buckets, grid.range);
  for (let i = from; i < to; ) {
    const first = stepOf(h, i);
    while (ends[b]! <= first) b++;
    const end = indexOfStep(h, i + 1, to, ends[b]!);
    let mn = Infinity;
    let mx = -Infinity;
    let j = i;
    if (blocks) {
      let k = Math.ceil(i / size);
      const kEnd = Math.min(Math.floor(end / size), blockCount);
      if (k < kEnd) {
        for (const headEnd = k * size; j < headEnd; j++) {
          const v = value[j]!;
          if (v < mn) mn = v;
          if (v > mx) mx = v;
        }
        for (; k < kEnd; k++) {
          if (blocks.min[k]! < mn) mn = blocks.min[k]!;
          if (blocks.max[k]! > mx) mx = blocks.max[k]!;
        }
        j = kEnd * size;
      }
    }
    for (; j < end; j++) {
      const v = value[j]!;
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    s.x.push(grid.start[b]!);
    s.last.push(valueOrNull(value[end - 1]!));
    s.min.push(mn === Infinity ? null : mn);
    s.max.push(mx === -Infinity ? null : mx);
    i = end;
  }
  return s;
}

/**
 * Time axes and smoothing need every point of a run in order (an EMA at
 * step 9,000 depends on all 9,000 before it), so these smooth the whole
 * history, then cut the range and bucket on the same grid as the step path.
 */
function readSmoothedOrTimed(q: SeriesQuery, runIds: string[], histories: Map<string, MetricHistory>): SeriesResult {
  const axis = q.x ?? 'step';
  const smoothing = q.smoothing ? describeSmoothing(q) : null;
  const kept = new Map<string, Point[]>();
  for (const id of runIds) {
    const h = histories.get(id)!;
    if (h.n === 0) continue;
    const pts: Point[] = new Array(h.n);
    let first = Infinity;
    for (let i = 0; i < h.n; i++) {
      pts[i] = { step: h.step[i]!, time: h.time[i]!, x: 0, v: valueOrNull(h.value[i]!) };
      if (h.time[i]! < first) first = h.time[i]!;
    }
    if (smoothing) smoothValues(pts, smoothing);
    for (const p of pts) p.x = axis === 'step' ? p.step : axis === 'time' ? p.time : p.time - first;
    if (axis !== 'step') pts.sort((a, b) => a.x - b.x || a.step - b.step);
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
    const s = answersRaw(pts.length, q.buckets) ? rawSeries(id, q.key, pts) : bucketSeries(id, q.key, pts, lo, q.buckets, range);
    let last = -Infinity;
    for (const p of pts) if (p.step > last) last = p.step;
    s.last_step = last;
    return s;
  });
  return { x_axis: axis, smoothing, min_step: lo, max_step: hi, bucket_width: range / q.buckets, series };
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
