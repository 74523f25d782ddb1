import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDbEngine } from '../data/table/duckdb-engine.js';
import { DEFAULT_LOGGING, parseDuration } from './deployment-spec.js';
import type { DeploymentLogger } from './deployment-state.js';
import type { DeploymentObserver, LoggingSpec, PredictionEvent } from './deployment-types.js';

/** The columns of a prediction part file, in order (`deployment` and `hour` come from the partition folders). */
export const PREDICTION_COLUMNS = ['request_id', 'ts', 'variant', 'role', 'model', 'version', 'inputs', 'outputs', 'latency_ms', 'status', 'error'] as const;

const JSON_COLUMNS = "{request_id: 'VARCHAR', at_ms: 'BIGINT', variant: 'VARCHAR', role: 'VARCHAR', model: 'VARCHAR', version: 'INTEGER', inputs: 'JSON', outputs: 'JSON', latency_ms: 'DOUBLE', status: 'VARCHAR', error: 'VARCHAR'}";
const SELECT_COLUMNS =
  'request_id, make_timestamp(at_ms * 1000) AS ts, variant, role, model, version, CAST(inputs AS VARCHAR) AS inputs, CAST(outputs AS VARCHAR) AS outputs, latency_ms, status, error';

/** Rows serialised between yields to the event loop, so a large flush never stalls requests for long. */
const CHUNK = 500;

export interface PredictionLogOptions {
  /** Root folder: parts go to `DIR/deployment=NAME/hour=YYYY-MM-DDTHH/part-….parquet`. */
  dir: string;
  /** The logging settings of a deployment now (its spec's `logging`); undefined means the defaults. */
  settings: (deployment: string) => LoggingSpec | undefined;
  random?: () => number;
  /** Predictions a deployment may have queued; more are dropped (and counted) rather than grow memory without bound. Default 200 000. */
  maxQueued?: number;
  logger?: DeploymentLogger;
  /** Runs before each part is written (tests slow flushes down with it). */
  beforeWrite?: () => Promise<void>;
}

interface Queue {
  events: PredictionEvent[];
  timer?: NodeJS.Timeout;
}

/** What the log has done since it opened. */
export interface PredictionLogStats {
  queued: number;
  written: number;
  /** Not sampled. */
  skipped: number;
  /** Dropped because the queue was full or a write failed. */
  dropped: number;
  files: number;
}

/** `2026-11-25T23` for an epoch-ms time, in UTC. */
export const hourOf = (ms: number): string => new Date(ms).toISOString().slice(0, 13);

/** The glob of every part file of `deployment` under `dir` (DuckDB-readable with `hive_partitioning`). */
export const predictionGlob = (dir: string, deployment: string): string => join(dir, `deployment=${deployment}`, 'hour=*', '*.parquet');

/** JSON of an OIP tensor's data: typed arrays (which JSON.stringify writes as objects) as lists, non-finite numbers as null. */
function dataJson(data: unknown): string {
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) {
    if (data instanceof BigInt64Array || data instanceof BigUint64Array) return `[${Array.prototype.join.call(data, ',')}]`;
    const text = `[${Array.prototype.join.call(data, ',')}]`;
    // NaN and ±Infinity are not JSON.
    return /[NI]/.test(text) ? JSON.stringify(Array.from(data as unknown as ArrayLike<number>)) : text;
  }
  return JSON.stringify(data) ?? 'null';
}

/** JSON of OIP tensors, written by hand: this runs for every logged request, and building objects to stringify costs twice as much. */
function tensorsJson(tensors: PredictionEvent['inputs'] | PredictionEvent['outputs']): string {
  if (!tensors) return 'null';
  let out = '[';
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i]!;
    if (i > 0) out += ',';
    out += `{"name":${JSON.stringify(t.name)}`;
    if (t.datatype !== undefined) out += `,"datatype":${JSON.stringify(t.datatype)}`;
    if (t.shape !== undefined) out += `,"shape":${JSON.stringify(t.shape)}`;
    out += `,"data":${dataJson(t.data)}}`;
  }
  return `${out}]`;
}

/**
 * Records answered deployment requests as Parquet, off the request path:
 * `onPrediction` only samples and queues; a timer per deployment writes its
 * queue every `flushInterval` as one part file per hour, through DuckDB on
 * its own threads. A part is written under a temporary name and renamed, so
 * readers see whole files only.
 *
 * Durability: a crash loses what was queued since the last flush, at most
 * `flushInterval` (default 5 s) of predictions; `close()` writes everything out.
 */
export class PredictionLog implements DeploymentObserver {
  private readonly queues = new Map<string, Queue>();
  private engine?: Promise<DuckDbEngine>;
  private writing: Promise<void> = Promise.resolve();
  private seq = 0;
  private closed = false;
  readonly stats: PredictionLogStats = { queued: 0, written: 0, skipped: 0, dropped: 0, files: 0 };
  private readonly random: () => number;
  private readonly maxQueued: number;

  constructor(private readonly options: PredictionLogOptions) {
    this.random = options.random ?? Math.random;
    this.maxQueued = options.maxQueued ?? 200_000;
  }

  get dir(): string {
    return this.options.dir;
  }

  onPrediction(event: PredictionEvent): void {
    if (this.closed) return;
    const settings = this.options.settings(event.deployment) ?? DEFAULT_LOGGING;
    if (settings.sampleRate < 1 && this.random() >= settings.sampleRate) {
      this.stats.skipped++;
      return;
    }
    let q = this.queues.get(event.deployment);
    if (!q) this.queues.set(event.deployment, (q = { events: [] }));
    if (q.events.length >= this.maxQueued) {
      this.stats.dropped++;
      return;
    }
    q.events.push(event);
    this.stats.queued++;
    if (!q.timer) {
      q.timer = setTimeout(() => void this.flush(event.deployment).catch(() => undefined), parseDuration(settings.flushInterval));
      q.timer.unref();
    }
  }

  /**
   * Writes out what is queued (of `deployment`, or of all), and waits for
   * writes already under way. Failed writes are logged and their rows dropped (and counted).
   */
  flush(deployment?: string): Promise<void> {
    const names = deployment === undefined ? [...this.queues.keys()] : [deployment];
    const batches: Array<[string, PredictionEvent[]]> = [];
    for (const name of names) {
      const q = this.queues.get(name);
      if (!q) continue;
      clearTimeout(q.timer);
      q.timer = undefined;
      if (q.events.length > 0) batches.push([name, q.events]);
      q.events = [];
    }
    // One write at a time: DuckDB's connection runs one statement at a time anyway.
    this.writing = this.writing.then(async () => {
      for (const [name, events] of batches) {
        try {
          await this.write(name, events);
        } catch (err) {
          this.stats.dropped += events.length;
          this.options.logger?.warn('prediction log write failed', { deployment: name, rows: events.length, err: (err as Error).message });
        }
      }
    });
    return this.writing;
  }

  private async write(deployment: string, events: PredictionEvent[]): Promise<void> {
    const byHour = new Map<string, PredictionEvent[]>();
    for (const e of events) {
      const h = hourOf(e.at);
      const list = byHour.get(h);
      if (list) list.push(e);
      else byHour.set(h, [e]);
    }
    for (const [hour, rows] of byHour) {
      await this.options.beforeWrite?.();
      const folder = join(this.options.dir, `deployment=${deployment}`, `hour=${hour}`);
      await mkdir(folder, { recursive: true });
      const base = `part-${Date.now()}-${process.pid}-${this.seq++}`;
      const ndjson = join(folder, `.${base}.ndjson`);
      const tmp = join(folder, `.${base}.parquet.tmp`);
      try {
        await writeFile(ndjson, await serialise(rows));
        const engine = await this.openEngine();
        await engine.run(`COPY (SELECT ${SELECT_COLUMNS} FROM read_json($1, format = 'newline_delimited', columns = ${JSON_COLUMNS})) TO $2 (FORMAT parquet, COMPRESSION zstd)`, [ndjson, tmp]);
        await rename(tmp, join(folder, `${base}.parquet`));
      } finally {
        await rm(ndjson, { force: true });
        await rm(tmp, { force: true });
      }
      this.stats.written += rows.length;
      this.stats.files++;
    }
  }

  private openEngine(): Promise<DuckDbEngine> {
    // One thread: writing Parquet is background work and must not compete with inference for every core.
    this.engine ??= DuckDbEngine.open({ threads: 1, memoryLimit: '256MB' });
    return this.engine;
  }

  /** Whether `deployment` has any part file yet. */
  async hasParts(deployment: string): Promise<boolean> {
    const root = join(this.options.dir, `deployment=${deployment}`);
    try {
      if (!(await stat(root)).isDirectory()) return false;
      for (const hour of await readdir(root)) {
        if ((await readdir(join(root, hour))).some((f) => f.endsWith('.parquet'))) return true;
      }
    } catch {
      return false;
    }
    return false;
  }

  /** Writes out everything queued and stops; later predictions are ignored. Idempotent. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    await this.writing;
    const engine = this.engine;
    this.engine = undefined;
    if (engine) (await engine).close();
  }
}

/** One JSON object per line, yielding to the event loop between chunks. */
async function serialise(rows: PredictionEvent[]): Promise<string> {
  const lines: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (i > 0 && i % CHUNK === 0) await new Promise((r) => setImmediate(r));
    const e = rows[i]!;
    lines.push(
      `{"request_id":${JSON.stringify(e.requestId)},"at_ms":${e.at},"variant":${JSON.stringify(e.variant)},"role":${JSON.stringify(e.role)},` +
        `"model":${JSON.stringify(e.model)},"version":${e.version},"inputs":${tensorsJson(e.inputs)},"outputs":${tensorsJson(e.outputs)},` +
        `"latency_ms":${Number.isFinite(e.latencyMs) ? e.latencyMs : 'null'},"status":${JSON.stringify(e.status)},"error":${e.error === undefined ? 'null' : JSON.stringify(e.error)}}`,
    );
  }
  return lines.join('\n') + '\n';
}
