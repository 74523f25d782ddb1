import type { Database } from '../backends/database/database.js';
import type { MetricGroup } from './run-store.js';

/**
 * One metric's full history for one run, columnar and in the metrics table's
 * primary-key order (step, timestamp, value). A NaN value is NaN.
 */
export interface MetricHistory {
  readonly n: number;
  readonly step: Float64Array;
  readonly time: Float64Array;
  readonly value: Float64Array;
  /**
   * Set when the steps are evenly spaced (step i is `first + i * stride`,
   * stride > 0): readers can then find a step's index without `step`, which a
   * history unpacked from a snapshot builds only when it is read.
   */
  readonly evenSteps?: EvenSteps;
  /** Extremes of `value` per block of points, where a snapshot stored them (metric-snapshots.ts). */
  readonly blocks?: ValueBlocks;
}

export interface EvenSteps {
  readonly first: number;
  readonly stride: number;
}

/**
 * Min and max of `value` over each full block of `size` points (block k holds
 * points k·size … (k+1)·size − 1), NaN skipped: a block of only NaN has min
 * +Infinity and max −Infinity. Bucketing reads a bucket's whole blocks from
 * here instead of their points.
 */
export interface ValueBlocks {
  readonly size: number;
  readonly min: Float64Array;
  readonly max: Float64Array;
}

/**
 * A held history. Columns a snapshot packed are taken from it only when first
 * read (a chart on the step axis never reads timestamps); any change drops the
 * snapshot's extras, which describe the points as they were.
 */
class Entry implements MetricHistory {
  value: Float64Array;
  evenSteps: EvenSteps | undefined;
  blocks: ValueBlocks | undefined;
  private stepColumn: Float64Array | undefined;
  private timeColumn: Float64Array | undefined;

  constructor(
    public n: number,
    private source: MetricHistory | undefined,
    public bytes: number,
  ) {
    this.value = source?.value ?? new Float64Array(MIN_CAPACITY);
    this.evenSteps = source?.evenSteps;
    this.blocks = source?.blocks;
    if (!source) {
      this.stepColumn = new Float64Array(MIN_CAPACITY);
      this.timeColumn = new Float64Array(MIN_CAPACITY);
    }
  }

  get step(): Float64Array {
    return this.stepColumn ?? this.take((this.stepColumn = this.source!.step));
  }

  set step(v: Float64Array) {
    this.stepColumn = v;
  }

  get time(): Float64Array {
    return this.timeColumn ?? this.take((this.timeColumn = this.source!.time));
  }

  set time(v: Float64Array) {
    this.timeColumn = v;
  }

  /** Once both columns are built the snapshot is no longer needed: let its buffer go with the columns that replace it. */
  private take(column: Float64Array): Float64Array {
    if (this.stepColumn && this.timeColumn) this.source = undefined;
    return column;
  }

  /** Points are about to be added or moved. */
  changing(): void {
    this.evenSteps = undefined;
    this.blocks = undefined;
  }
}

const BYTES_PER_POINT = 24;
const ENTRY_OVERHEAD = 256;
const MIN_CAPACITY = 4;
/**
 * Most histories held, whatever their size: each is four objects to the
 * garbage collector, and a million single-point keys (10,000 runs × 100
 * final scores) would slow every request of the server, for charts that read
 * one point from SQL in microseconds anyway.
 */
const MAX_ENTRIES = 20_000;
/** Histories shorter than this are the first to go when there are too many. */
const SHORT_HISTORY = 1024;
/** Runs remembered as created here; beyond this the oldest are forgotten. */
const MAX_COMPLETE_RUNS = 100_000;

/** `FERRY_SERIES_CACHE_MB`: memory for cached metric histories (default 256 MiB; 0 turns the cache off). */
export function seriesCacheBudget(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.FERRY_SERIES_CACHE_MB;
  const mb = raw === undefined || raw === '' ? 256 : Number(raw);
  if (!Number.isFinite(mb) || mb < 0) throw new Error(`FERRY_SERIES_CACHE_MB must be a number of MiB ≥ 0, got '${raw}'.`);
  return Math.floor(mb * 1024 * 1024);
}

function id(runId: string, key: string): string {
  return `${runId}\u0000${key}`;
}

/** -1, 0, 1 in primary-key order; NaN is stored as value 0 with is_nan = 1, so it sorts as 0 and after a real 0. */
function compare(aStep: number, aTime: number, aValue: number, bStep: number, bTime: number, bValue: number): number {
  if (aStep !== bStep) return aStep < bStep ? -1 : 1;
  if (aTime !== bTime) return aTime < bTime ? -1 : 1;
  const av = Number.isNaN(aValue) ? 0 : aValue;
  const bv = Number.isNaN(bValue) ? 0 : bValue;
  if (av !== bv) return av < bv ? -1 : 1;
  const an = Number.isNaN(aValue) ? 1 : 0;
  const bn = Number.isNaN(bValue) ? 1 : 0;
  return an - bn;
}

/**
 * Metric histories kept in memory for charts, least recently used first out.
 * Reading a 100,000-point history from SQL costs ~45 ms however it is
 * grouped; bucketing it from typed arrays costs well under 1 ms, so a chart
 * of 20 such runs is drawn from memory after its first read.
 *
 * Freshness: every metric write of this process passes through
 * `committed()` after its commit and is appended here (late or out-of-order
 * points are merged into place). Runs created by this
 * process are known empty, so their histories are built from the writes
 * alone and a chart of a run logged to this server never reads SQL. Writes
 * from other processes are noticed by the database's change token (SQLite's
 * data_version), which empties the cache; a database without one (PostgreSQL,
 * where several servers may share it) has every entry checked against the
 * stored count and last step before use.
 */
export class MetricHistoryCache {
  private readonly entries = new Map<string, Entry>();
  /** Runs created here whose every point this cache has seen; a missing key of theirs is empty, not unknown. */
  private readonly complete = new Set<string>();
  private readonly generations = new Map<string, number>();
  private bytes = 0;
  private token: number | undefined;

  constructor(
    private readonly budget: number,
    private readonly changeToken?: () => number,
  ) {}

  get enabled(): boolean {
    return this.budget > 0;
  }

  /** Whether entries can be trusted without asking the database (no other writer can have changed it unseen). */
  get selfValidating(): boolean {
    return this.changeToken !== undefined;
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  /** Drops everything if another connection has written since the last look. */
  private checkExternalWrites(): void {
    if (!this.changeToken) return;
    const now = this.changeToken();
    if (this.token !== undefined && now !== this.token) this.clear();
    this.token = now;
  }

  clear(): void {
    this.entries.clear();
    this.complete.clear();
    this.bytes = 0;
  }

  /** A counter that moves with every write to the run; a load that saw it move must not be cached. */
  generation(runId: string): number {
    this.checkExternalWrites();
    return this.generations.get(runId) ?? 0;
  }

  get(runId: string, key: string): MetricHistory | undefined {
    if (!this.enabled) return undefined;
    this.checkExternalWrites();
    const k = id(runId, key);
    const e = this.entries.get(k);
    if (e) {
      this.entries.delete(k);
      this.entries.set(k, e);
      return e;
    }
    if (this.complete.has(runId)) return { n: 0, step: new Float64Array(0), time: new Float64Array(0), value: new Float64Array(0) };
    return undefined;
  }

  /** Keys of `runId` whose held history has at least `minPoints` points. */
  keysOf(runId: string, minPoints = 0): string[] {
    const prefix = id(runId, '');
    const out: string[] = [];
    for (const [k, e] of this.entries) if (e.n >= minPoints && k.startsWith(prefix)) out.push(k.slice(prefix.length));
    return out;
  }

  /** Stores a history read from the database, unless the run was written to while it was read. */
  put(runId: string, key: string, h: MetricHistory, generationAtRead: number): void {
    if (!this.enabled || (this.generations.get(runId) ?? 0) !== generationAtRead) return;
    const bytes = h.n * BYTES_PER_POINT + ENTRY_OVERHEAD;
    if (bytes > this.budget / 4) return;
    this.drop(id(runId, key));
    const e = new Entry(h.n, h, bytes);
    this.entries.set(id(runId, key), e);
    this.bytes += bytes;
    this.evict();
  }

  /** A run created by this process: it has no points yet, so its histories can be built from writes alone. */
  runCreated(runId: string): void {
    if (!this.enabled) return;
    this.checkExternalWrites();
    this.complete.add(runId);
    // Forgetting the oldest only means their next new key is read from the database once.
    if (this.complete.size > MAX_COMPLETE_RUNS) this.complete.delete(this.complete.values().next().value as string);
  }

  /** Points a transaction of this process has committed. */
  committed(groups: readonly MetricGroup[]): void {
    this.checkExternalWrites();
    for (const g of groups) {
      this.generations.set(g.runId, (this.generations.get(g.runId) ?? 0) + 1);
      if (this.enabled) this.appendGroup(g);
    }
    this.evict();
  }

  /**
   * Appends one run's points straight from the request, in one pass: this runs
   * on every metric write, so no per-point allocations. A key whose points come
   * out of order is rolled back to where the batch began and merged in sorted.
   */
  private appendGroup(g: MetricGroup): void {
    const slots = new Map<string, { e: Entry | undefined; startN: number; k: string }>();
    let redo: Set<string> | undefined;
    for (const m of g.metrics) {
      let slot = slots.get(m.key);
      if (!slot) {
        const k = id(g.runId, m.key);
        let e = this.entries.get(k);
        if (!e && this.complete.has(g.runId)) {
          e = new Entry(0, undefined, MIN_CAPACITY * BYTES_PER_POINT + ENTRY_OVERHEAD);
          this.entries.set(k, e);
          this.bytes += e.bytes;
        }
        slots.set(m.key, (slot = { e, startN: e?.n ?? 0, k }));
      }
      const e = slot.e;
      if (!e || redo?.has(m.key)) continue;
      if (e.n > 0) {
        const c = compare(m.step, m.timestamp, m.value, e.step[e.n - 1]!, e.time[e.n - 1]!, e.value[e.n - 1]!);
        if (c === 0) continue; // the database ignored the identical point too
        if (c < 0) {
          (redo ??= new Set()).add(m.key);
          e.n = slot.startN;
          continue;
        }
      }
      e.changing();
      if (e.n === e.step.length) this.grow(e);
      e.step[e.n] = m.step;
      e.time[e.n] = m.timestamp;
      e.value[e.n] = m.value;
      e.n++;
    }
    for (const key of redo ?? []) {
      const slot = slots.get(key)!;
      this.merge(slot.e!, g.metrics.filter((m) => m.key === key).map((m): [number, number, number] => [m.step, m.timestamp, m.value]));
    }
  }

  /**
   * Adds points that came out of order (a late batch, concurrent writers):
   * sorted, then merged into the history, identical points kept once as the
   * database keeps them. O(history) per such batch; in-order writes never get here.
   */
  private merge(e: Entry, points: Array<[number, number, number]>): void {
    points.sort((x, y) => compare(x[0], x[1], x[2], y[0], y[1], y[2]));
    e.changing();
    const total = e.n + points.length;
    const capacity = Math.max(MIN_CAPACITY, e.step.length >= total ? e.step.length : 2 ** Math.ceil(Math.log2(total)));
    const step = new Float64Array(capacity);
    const time = new Float64Array(capacity);
    const value = new Float64Array(capacity);
    let i = 0;
    let j = 0;
    let n = 0;
    const push = (s: number, t: number, v: number) => {
      if (n > 0 && compare(s, t, v, step[n - 1]!, time[n - 1]!, value[n - 1]!) === 0) return;
      step[n] = s;
      time[n] = t;
      value[n] = v;
      n++;
    };
    while (i < e.n || j < points.length) {
      const p = points[j];
      if (p === undefined || (i < e.n && compare(e.step[i]!, e.time[i]!, e.value[i]!, p[0], p[1], p[2]) <= 0)) {
        push(e.step[i]!, e.time[i]!, e.value[i]!);
        i++;
      } else {
        push(p[0], p[1], p[2]);
        j++;
      }
    }
    e.step = step;
    e.time = time;
    e.value = value;
    e.n = n;
    const bytes = capacity * BYTES_PER_POINT + ENTRY_OVERHEAD;
    this.bytes += bytes - e.bytes;
    e.bytes = bytes;
  }

  private grow(e: Entry): void {
    const capacity = e.step.length * 2;
    for (const col of ['step', 'time', 'value'] as const) {
      const next = new Float64Array(capacity);
      next.set(e[col]);
      e[col] = next;
    }
    const bytes = capacity * BYTES_PER_POINT + ENTRY_OVERHEAD;
    this.bytes += bytes - e.bytes;
    e.bytes = bytes;
  }

  private drop(k: string): void {
    const e = this.entries.get(k);
    if (!e) return;
    this.entries.delete(k);
    this.bytes -= e.bytes;
  }

  private evict(): void {
    for (const [k] of this.entries) {
      if (this.bytes <= this.budget) break;
      this.forget(k);
    }
    if (this.entries.size <= MAX_ENTRIES) return;
    // Over the count: short histories go first, being the cheapest to read again, then the oldest.
    let looked = 0;
    // Bounded: with a large budget every history may be long, and a write must not walk them all.
    const limit = 2 * (this.entries.size - MAX_ENTRIES) + 1000;
    for (const [k, e] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES || ++looked > limit) break;
      if (e.n < SHORT_HISTORY) this.forget(k);
    }
    for (const [k] of this.entries) {
      if (this.entries.size <= MAX_ENTRIES) return;
      this.forget(k);
    }
  }

  private forget(k: string): void {
    this.drop(k);
    this.complete.delete(k.slice(0, k.indexOf('\u0000')));
  }

}

// One cache per open database, found by the writers (run store) and the
// reader (series endpoint) without threading it through every constructor.
const caches = new WeakMap<Database, MetricHistoryCache>();

export function metricHistoryCache(database: Database): MetricHistoryCache {
  let cache = caches.get(database);
  if (!cache) caches.set(database, (cache = new MetricHistoryCache(seriesCacheBudget(), database.changeToken)));
  return cache;
}
