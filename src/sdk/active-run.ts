import { FerryError, InvalidArgumentError, UnavailableError, errorFromCode } from '../errors.js';
import { LIMITS, validateMetric, validateParam, validateTag } from '../tracking/tracking-limits.js';
import type { LogBatchInput, Metric, Run, RunInfo, RunStatus, Tag } from '../tracking/tracking-types.js';

/** What an ActiveRun needs from the client: `RunsApi` provides it. */
export interface RunWriter {
  logBatch(input: LogBatchInput): Promise<void>;
  update(runId: string, patch: { status?: RunStatus; endTime?: number }): Promise<RunInfo>;
}

export interface ActiveRunOptions {
  /** Send what is buffered this often (default 1000 ms). */
  flushIntervalMs?: number;
  /** Send at once when this many metrics, params and tags are buffered (default 1000). */
  flushAt?: number;
  /** Longest wait between background attempts while the server keeps failing (default 30 s). */
  maxRetryDelayMs?: number;
  /** Told about background failures; `flush()` and `end()` still report them. */
  onError?: (err: FerryError) => void;
}

/** A param the server refused (it was logged before with another value), set aside so the rest can go. */
export interface RejectedParam {
  key: string;
  value: string;
  reason: string;
}

/** A FIFO that drops from the front in O(1), so sending a million points is not quadratic. */
class Queue<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }
  push(values: T[]): void {
    for (const v of values) this.items.push(v);
  }
  peek(n: number): T[] {
    return this.items.slice(this.head, this.head + n);
  }
  drop(n: number): void {
    this.head += n;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}

/** Runs holding unsent entries; the exit hook names them so nothing is lost without a word. */
const unsentRuns = new Set<ActiveRun>();
let exitHook = false;

function watch(run: ActiveRun): void {
  unsentRuns.add(run);
  if (exitHook) return;
  exitHook = true;
  process.on('exit', () => {
    for (const r of unsentRuns) {
      if (r.pending > 0) {
        process.stderr.write(`ferry: ${r.pending} logged entries of run ${r.id} were never sent to the server; await run.end() or run.flush() before exiting.\n`);
      }
    }
  });
}

/**
 * A run being logged to. `log`, `logParams` and `setTags` only buffer; the
 * buffer goes out as log-batch requests in the background every second, or
 * at once when 1000 entries are waiting, each request within MLflow's batch
 * limits. A failed send is retried with backoff and the entries stay
 * buffered until the server has them: `flush()` and `end()` reject, saying
 * how many are unsent, and a later call tries again. Nothing is dropped
 * silently: a param the server refuses (changed value) is set aside and
 * reported by the next `flush()` or `end()`.
 */
export class ActiveRun {
  readonly id: string;
  /** The run as last seen: as created, then as ended. */
  run: Run;
  /** The latest background failure, if the last background send failed. */
  lastError?: FerryError;

  private readonly metrics = new Queue<Metric>();
  private readonly params = new Queue<Tag>();
  private readonly tags = new Queue<Tag>();
  /** Params buffered or sent, to refuse a changed value before it reaches the server. */
  private readonly paramValues = new Map<string, string>();
  private rejected: RejectedParam[] = [];
  /** How many of `rejected` the background already told about. */
  private notified = 0;
  private chain: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private backgroundBusy = false;
  private failures = 0;
  private readonly flushIntervalMs: number;
  private readonly flushAt: number;
  private readonly maxRetryDelayMs: number;
  private readonly onError?: (err: FerryError) => void;

  constructor(
    private readonly writer: RunWriter,
    run: Run,
    options: ActiveRunOptions = {},
  ) {
    this.run = run;
    this.id = run.info.runId;
    this.flushIntervalMs = options.flushIntervalMs ?? 1000;
    this.flushAt = options.flushAt ?? LIMITS.maxEntitiesPerBatch;
    this.maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
    this.onError = options.onError;
    for (const p of run.data.params) this.paramValues.set(p.key, p.value);
  }

  get info(): RunInfo {
    return this.run.info;
  }

  /** Metrics, params and tags buffered and not yet acknowledged by the server. */
  get pending(): number {
    return this.metrics.length + this.params.length + this.tags.length;
  }

  /** Buffers one point per metric, all at the same step (default 0) and timestamp (default now). Throws at once for an invalid key or value. */
  log(metrics: Record<string, number>, options: { step?: number; timestamp?: number } = {}): void {
    const timestamp = options.timestamp ?? Date.now();
    const step = options.step ?? 0;
    const points = Object.entries(metrics).map(([key, value]) => validateMetric({ key, value, timestamp, step }));
    this.metrics.push(points);
    this.buffered();
  }

  /** Buffers params. Params are immutable: logging another value for a known key throws InvalidArgumentError. */
  logParams(params: Record<string, string | number | boolean>): void {
    const fresh: Tag[] = [];
    for (const [key, raw] of Object.entries(params)) {
      const p = validateParam({ key, value: String(raw) });
      const known = this.paramValues.get(p.key);
      if (known === undefined) fresh.push(p);
      else if (known !== p.value) {
        throw new InvalidArgumentError(
          `Param '${p.key}' of run ${this.id} was already logged with value '${known}'; params cannot change (tried '${p.value}'). Log it under another key.`,
        );
      }
    }
    for (const p of fresh) this.paramValues.set(p.key, p.value);
    this.params.push(fresh);
    this.buffered();
  }

  /** Buffers tags; the last value for a key wins. */
  setTags(tags: Record<string, string | number | boolean>): void {
    this.tags.push(Object.entries(tags).map(([key, value]) => validateTag({ key, value: String(value) })));
    this.buffered();
  }

  /** Sends everything buffered. Rejects if entries remain unsent (they stay buffered) or if params were refused. */
  async flush(): Promise<void> {
    this.disarm();
    await this.drain();
    this.failures = 0;
    this.reportRejected();
  }

  /** Flushes, then marks the run ended. If the flush fails the run stays RUNNING, so `end()` can be called again. */
  async end(status: RunStatus = 'FINISHED'): Promise<RunInfo> {
    this.disarm();
    await this.drain();
    this.failures = 0;
    const info = await this.writer.update(this.id, { status, endTime: Date.now() });
    this.run = { ...this.run, info };
    this.reportRejected();
    return info;
  }

  private buffered(): void {
    if (this.pending === 0) return;
    watch(this);
    if (this.pending >= this.flushAt && this.failures === 0) this.flushInBackground();
    else this.arm(this.flushIntervalMs, true);
  }

  /** `keepAlive` holds the process open until the buffer is sent; retry timers after failures do not. */
  private arm(delayMs: number, keepAlive: boolean): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flushInBackground();
    }, delayMs);
    if (!keepAlive) this.timer.unref();
  }

  private disarm(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flushInBackground(): void {
    if (this.backgroundBusy) return;
    this.backgroundBusy = true;
    this.disarm();
    this.drain()
      .then(
        () => {
          this.failures = 0;
          this.lastError = undefined;
        },
        (err: FerryError) => {
          this.failures++;
          this.lastError = err;
          this.notify(err);
        },
      )
      .then(() => {
        // Tell about newly refused params now; flush() and end() report them all again.
        const fresh = this.rejected.slice(this.notified);
        this.notified = this.rejected.length;
        if (fresh.length === 0) return;
        if (this.onError) this.notify(this.rejectedError(fresh));
        else process.emitWarning(this.rejectedError(fresh).message, 'FerryWarning');
      })
      .finally(() => {
        this.backgroundBusy = false;
        if (this.pending === 0) unsentRuns.delete(this);
        else if (this.failures > 0) this.arm(Math.min(this.flushIntervalMs * 2 ** this.failures, this.maxRetryDelayMs), false);
        else this.buffered();
      });
  }

  /** Calls onError; a throwing handler must not break the background loop. */
  private notify(err: FerryError): void {
    try {
      this.onError?.(err);
    } catch {
      // the handler's own failure is its business
    }
  }

  /** Sends until the buffer is empty; one drain at a time, in order. */
  private drain(): Promise<void> {
    const run = this.chain.then(() => this.sendAll());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async sendAll(): Promise<void> {
    while (this.pending > 0) {
      try {
        await this.sendNext();
      } catch (err) {
        throw this.unsentError(err);
      }
    }
    unsentRuns.delete(this);
  }

  private async sendNext(): Promise<void> {
    const np = Math.min(this.params.length, LIMITS.maxParamsTagsPerBatch);
    const nt = Math.min(this.tags.length, LIMITS.maxParamsTagsPerBatch);
    const nm = Math.min(this.metrics.length, LIMITS.maxMetricsPerBatch, LIMITS.maxEntitiesPerBatch - np - nt);
    const metrics = this.metrics.peek(nm);
    const tags = this.tags.peek(nt);
    try {
      await this.writer.logBatch({ runId: this.id, metrics, params: this.params.peek(np), tags });
    } catch (err) {
      // A batch is atomic, so one changed param refuses all of it: send the rest, then the params one by one.
      if (!(err instanceof InvalidArgumentError) || np === 0) throw err;
      if (nm + nt > 0) await this.writer.logBatch({ runId: this.id, metrics, tags });
      this.metrics.drop(nm);
      this.tags.drop(nt);
      for (let i = 0; i < np; i++) {
        const [p] = this.params.peek(1);
        try {
          await this.writer.logBatch({ runId: this.id, params: [p!] });
        } catch (e) {
          if (!(e instanceof InvalidArgumentError)) throw e;
          this.rejected.push({ key: p!.key, value: p!.value, reason: e.message });
          this.paramValues.delete(p!.key);
        }
        this.params.drop(1);
      }
      return;
    }
    this.metrics.drop(nm);
    this.params.drop(np);
    this.tags.drop(nt);
  }

  private unsentError(err: unknown): FerryError {
    const cause = err instanceof FerryError ? err : new UnavailableError(err instanceof Error ? err.message : String(err), { cause: err });
    const e = errorFromCode(
      cause.code,
      `${this.pending} logged entries of run ${this.id} are unsent (${this.metrics.length} metrics, ${this.params.length} params, ${this.tags.length} tags); ` +
        `they stay buffered and the next flush() or end() retries them. Cause: ${cause.message}`,
      { ...cause.details, unsent: this.pending },
    );
    e.cause = err;
    return e;
  }

  private rejectedError(rejected: RejectedParam[]): InvalidArgumentError {
    const keys = rejected.map((r) => `'${r.key}'`).join(', ');
    return new InvalidArgumentError(
      `${rejected.length} param(s) of run ${this.id} were refused by the server and not logged (${keys}): ${rejected[0]!.reason}`,
      { details: { rejected } },
    );
  }

  /** Throws the refused params once; they are then forgotten, so the next flush can succeed. */
  private reportRejected(): void {
    if (this.rejected.length === 0) return;
    const err = this.rejectedError(this.rejected);
    this.rejected = [];
    this.notified = 0;
    throw err;
  }
}
