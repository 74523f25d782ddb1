import { sql, type Transaction } from 'kysely';
import type { Database, DialectName } from '../backends/database/database.js';
import type { DatabaseSchema } from '../backends/database/database-schema.js';
import { metricHistoryCache, type EvenSteps, type MetricHistory, type MetricHistoryCache, type ValueBlocks } from './metric-history-cache.js';

/**
 * Shorter histories are not worth a snapshot: the metrics table gives 10,000
 * points in a few milliseconds, and a snapshot costs a write.
 */
export const MIN_SNAPSHOT_POINTS = 10_000;

/** Header: flags, first step, step stride, first timestamp; float64 each, so the columns after it stay aligned. */
const HEADER = 4;
const STEPS_ARITHMETIC = 1;
const TIMES_AS_DELTAS = 2;
const VALUE_BLOCKS = 4;
const ALL_FLAGS = STEPS_ARITHMETIC | TIMES_AS_DELTAS | VALUE_BLOCKS;
/**
 * Points per stored min/max block. A chart bucket holds ~50–200 points of a
 * 100,000-step history, so it reads a few blocks and at most ~30 points
 * instead of all of them; the blocks cost one byte per point.
 */
export const BLOCK_SIZE = 16;
function arithmetic(step: Float64Array, n: number): boolean {
  if (n < 2) return false;
  const first = step[0]!;
  const stride = step[1]! - first;
  if (!(stride > 0)) return false;
  for (let i = 2; i < n; i++) if (step[i] !== first + i * stride) return false;
  return true;
}

function smallDeltas(time: Float64Array, n: number): boolean {
  if (n === 0 || !Number.isSafeInteger(time[0])) return false;
  for (let i = 1; i < n; i++) {
    const d = time[i]! - time[i - 1]!;
    if (!Number.isInteger(d) || d < -0x80000000 || d > 0x7fffffff) return false;
  }
  return true;
}

/** Fills `min`/`max` with the extremes of each full block of `value`, NaN skipped (see ValueBlocks). */
export function blockExtremes(value: Float64Array, size: number, min: Float64Array, max: Float64Array): void {
  for (let k = 0; k < min.length; k++) {
    let mn = Infinity;
    let mx = -Infinity;
    for (let j = k * size, end = j + size; j < end; j++) {
      const v = value[j]!;
      if (v < mn) mn = v;
      if (v > mx) mx = v;
    }
    min[k] = mn;
    max[k] = mx;
  }
}

/**
 * Packs a history as little-endian float64 words: the header; values (NaN
 * kept); steps, or nothing when they are evenly spaced (the usual 0, 1, 2, …);
 * the min and max of each block of BLOCK_SIZE values; then timestamps, as
 * int32 differences from the previous point when they fit (milliseconds
 * between points) or as float64. A 100,000-point history of a training loop
 * is ~1.3 MB instead of 2.4.
 */
export function encodeHistory(h: MetricHistory): Uint8Array {
  const { n } = h;
  const evenSteps = arithmetic(h.step, n);
  const deltas = smallDeltas(h.time, n);
  const blocks = Math.floor(n / BLOCK_SIZE);
  const words = HEADER + n + (evenSteps ? 0 : n) + 2 * blocks + (deltas ? n / 2 : n);
  const out = new Float64Array(Math.ceil(words));
  out[0] = (evenSteps ? STEPS_ARITHMETIC : 0) | (deltas ? TIMES_AS_DELTAS : 0) | VALUE_BLOCKS;
  out[1] = n > 0 ? h.step[0]! : 0;
  out[2] = n > 1 ? h.step[1]! - h.step[0]! : 0;
  out[3] = n > 0 ? h.time[0]! : 0;
  let at = HEADER;
  out.set(h.value.subarray(0, n), at);
  at += n;
  if (!evenSteps) {
    out.set(h.step.subarray(0, n), at);
    at += n;
  }
  blockExtremes(h.value, BLOCK_SIZE, out.subarray(at, at + blocks), out.subarray(at + blocks, at + 2 * blocks));
  at += 2 * blocks;
  if (deltas) {
    const d = new Int32Array(out.buffer, at * 8, n);
    for (let i = 1; i < n; i++) d[i] = h.time[i]! - h.time[i - 1]!;
  } else out.set(h.time.subarray(0, n), at);
  return new Uint8Array(out.buffer, 0, (at + (deltas ? n / 2 : n)) * 8);
}

/**
 * A history read from a snapshot. Values and block extremes are views of the
 * blob; evenly spaced steps and delta-packed timestamps are built only when
 * something reads them (a chart on the step axis reads neither).
 */
class PackedHistory implements MetricHistory {
  readonly evenSteps: EvenSteps | undefined;
  private stepColumn: Float64Array | undefined;
  private timeColumn: Float64Array | undefined;

  constructor(
    readonly n: number,
    readonly value: Float64Array,
    step: Float64Array | EvenSteps,
    private readonly times: Float64Array | { first: number; deltas: Int32Array },
    readonly blocks: ValueBlocks | undefined,
  ) {
    if (step instanceof Float64Array) this.stepColumn = step;
    else this.evenSteps = step;
    if (times instanceof Float64Array) this.timeColumn = times;
  }

  get step(): Float64Array {
    if (!this.stepColumn) {
      const { first, stride } = this.evenSteps!;
      const step = new Float64Array(this.n);
      for (let i = 0; i < this.n; i++) step[i] = first + i * stride;
      this.stepColumn = step;
    }
    return this.stepColumn;
  }

  get time(): Float64Array {
    if (!this.timeColumn) {
      const { first, deltas } = this.times as { first: number; deltas: Int32Array };
      const time = new Float64Array(this.n);
      let t = first;
      for (let i = 0; i < this.n; i++) time[i] = t += i === 0 ? 0 : deltas[i]!;
      this.timeColumn = time;
    }
    return this.timeColumn;
  }
}

/** The inverse of `encodeHistory`; undefined when the blob does not hold `n` points. */
export function decodeHistory(data: Uint8Array, n: number): MetricHistory | undefined {
  if (data.byteLength < HEADER * 8) return undefined;
  let words: Float64Array;
  if (data.byteOffset % 8 === 0) words = new Float64Array(data.buffer, data.byteOffset, Math.floor(data.byteLength / 8));
  else {
    // A driver's buffer may sit unaligned in a shared pool, and a Float64Array view needs 8-byte alignment.
    words = new Float64Array(Math.ceil(data.byteLength / 8));
    new Uint8Array(words.buffer).set(data);
  }
  const flags = words[0]!;
  if (!Number.isInteger(flags) || flags < 0 || (flags & ~ALL_FLAGS) !== 0) return undefined;
  const evenSteps = (flags & STEPS_ARITHMETIC) !== 0;
  const deltas = (flags & TIMES_AS_DELTAS) !== 0;
  const blocks = flags & VALUE_BLOCKS ? Math.floor(n / BLOCK_SIZE) : 0;
  const bytes = (HEADER + n + (evenSteps ? 0 : n) + 2 * blocks) * 8 + (deltas ? 4 * n : 8 * n);
  if (data.byteLength !== bytes) return undefined;
  let at = HEADER;
  const value = words.subarray(at, at + n);
  at += n;
  let step: Float64Array | EvenSteps;
  if (evenSteps) {
    // Snapshots written before strides had to be positive may hold one step repeated.
    step = words[2]! > 0 ? { first: words[1]!, stride: words[2]! } : new Float64Array(n).fill(words[1]!);
  } else {
    step = words.subarray(at, at + n);
    at += n;
  }
  const extremes = flags & VALUE_BLOCKS ? { size: BLOCK_SIZE, min: words.subarray(at, at + blocks), max: words.subarray(at + blocks, at + 2 * blocks) } : undefined;
  at += 2 * blocks;
  const time = deltas ? { first: words[3]!, deltas: new Int32Array(words.buffer, words.byteOffset + at * 8, n) } : words.subarray(at, at + n);
  return new PackedHistory(n, value, step, time, extremes);
}

/**
 * Deletes the snapshots of every (run, key) a metric write touches, in that
 * write's transaction: a snapshot that exists is therefore current. Called by
 * the run store after its latest-metrics upsert (on PostgreSQL that upsert
 * locks each (run, key)'s latest row, the lock a snapshot write waits on).
 */
export async function invalidateSnapshots(trx: Transaction<DatabaseSchema>, dialect: DialectName, pairs: Array<[string, string]>): Promise<void> {
  if (pairs.length === 0) return;
  const json = JSON.stringify(pairs);
  await (dialect === 'sqlite'
    ? sql`delete from metric_snapshots where (run_uuid, key) in (select e.value ->> 0, e.value ->> 1 from json_each(${json}) as e)`
    : sql`delete from metric_snapshots s using jsonb_array_elements(${json}::jsonb) as e where s.run_uuid = e ->> 0 and s.key = e ->> 1`
  ).execute(trx);
}

/**
 * Persisted copies of long metric histories, so that charts read after a
 * server restart come from one blob per run instead of a scan of the metrics
 * table (20 runs × 100,000 points: ~1.3 s bucketed by SQLite, tens of ms as
 * blobs). Snapshots are derived data: any metric write deletes the ones it
 * touches (`invalidateSnapshots`), and one is written only after checking,
 * under the lock a writer takes, that the history it packs is the stored one.
 * Written in the background, one history per event-loop turn, when a history
 * is read whole from the database and when a run ends (its histories then
 * stop changing).
 */
export class MetricSnapshots {
  private readonly cache: MetricHistoryCache;
  private readonly queue: Array<[string, string]> = [];
  private readonly queued = new Set<string>();
  private draining: Promise<void> | undefined;

  constructor(private readonly database: Database) {
    this.cache = metricHistoryCache(database);
  }

  /** Snapshots of `key` for these runs, where one exists. */
  async read(runIds: string[], key: string): Promise<Map<string, MetricHistory>> {
    const out = new Map<string, MetricHistory>();
    if (runIds.length === 0) return out;
    const rows = await this.database.db
      .selectFrom('metric_snapshots')
      .select(['run_uuid', 'n', 'data'])
      .where('key', '=', key)
      .where('run_uuid', 'in', runIds)
      .execute();
    for (const r of rows) {
      const h = decodeHistory(r.data, Number(r.n));
      if (h) out.set(r.run_uuid, h);
    }
    return out;
  }

  /** Queues a snapshot of the cached history of (run, key), if it is long enough to be worth one. */
  schedule(runId: string, key: string): void {
    const id = `${runId}\u0000${key}`;
    if (this.queued.has(id)) return;
    this.queued.add(id);
    this.queue.push([runId, key]);
    this.draining ??= new Promise<void>((resolve) => setImmediate(() => void this.drain().finally(resolve))).finally(() => (this.draining = undefined));
  }

  /** A run has ended: its long histories held in memory will not change, so persist them. */
  runEnded(runId: string): void {
    for (const key of this.cache.keysOf(runId, MIN_SNAPSHOT_POINTS)) this.schedule(runId, key);
  }

  /** Resolves once every queued snapshot has been written or given up, or after `timeoutMs` (for shutdown and tests). */
  async idle(timeoutMs = Infinity): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.draining && Date.now() < deadline) {
      const left = deadline - Date.now();
      await Promise.race([this.draining, ...(Number.isFinite(left) ? [new Promise((r) => setTimeout(r, left).unref())] : [])]);
    }
    if (Date.now() >= deadline) this.queue.length = 0;
  }

  private async drain(): Promise<void> {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      const [runId, key] = next;
      this.queued.delete(`${runId}\u0000${key}`);
      try {
        await this.write(runId, key);
      } catch {
        // A snapshot is only an optimisation: a failed write (a concurrent writer, a full disk) leaves charts to read the metrics table.
      }
      await new Promise((r) => setImmediate(r));
    }
  }

  /**
   * Writes the snapshot of (run, key) from the cache, inside a transaction that
   * first waits for the (run, key)'s writers and checks the stored count and
   * last step against the copy. False when there was nothing to write.
   */
  async write(runId: string, key: string): Promise<boolean> {
    const h = this.cache.get(runId, key);
    if (!h || h.n < MIN_SNAPSHOT_POINTS) return false;
    const { db, dialect } = this.database;
    const existing = await db.selectFrom('metric_snapshots').select('n').where('run_uuid', '=', runId).where('key', '=', key).executeTakeFirst();
    if (existing && Number(existing.n) === h.n) return false;
    const n = h.n;
    const maxStep = h.step[n - 1]!;
    const data = encodeHistory(h);
    return db.transaction().execute(async (trx) => {
      if (dialect === 'postgres') {
        // A metric write holds this row's lock until it commits (its latest-metrics upsert); later writers wait for ours.
        await sql`select 1 from latest_metrics where run_uuid = ${runId} and key = ${key} for share`.execute(trx);
      }
      const stored = await trx
        .selectFrom('metrics')
        .select((eb) => [eb.fn.countAll().as('n'), eb.fn.max('step').as('hi')])
        .where('run_uuid', '=', runId)
        .where('key', '=', key)
        .executeTakeFirst();
      if (Number(stored?.n ?? 0) !== n || Number(stored?.hi) !== maxStep) return false;
      await trx
        .insertInto('metric_snapshots')
        .values({ run_uuid: runId, key, n, max_step: maxStep, data })
        .onConflict((oc) => oc.columns(['run_uuid', 'key']).doUpdateSet((eb) => ({ n: eb.ref('excluded.n'), max_step: eb.ref('excluded.max_step'), data: eb.ref('excluded.data') })))
        .execute();
      return true;
    });
  }
}

// One per open database, like the history cache it persists.
const snapshots = new WeakMap<Database, MetricSnapshots>();

export function metricSnapshots(database: Database): MetricSnapshots {
  let s = snapshots.get(database);
  if (!s) snapshots.set(database, (s = new MetricSnapshots(database)));
  return s;
}
