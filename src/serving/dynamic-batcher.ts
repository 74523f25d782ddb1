import { FerryError, UnavailableError } from '../errors.js';
import type { ModelStats } from './model-stats.js';
import type { BatchingOptions } from './serving-types.js';
import { allocate, elementCount, type Tensor, type TensorData } from './tensor.js';

/** Runs the model once on (possibly stacked) inputs. */
export type Execute = (inputs: Record<string, Tensor>, outputs: string[]) => Promise<Record<string, Tensor>>;

interface Pending {
  inputs: Record<string, Tensor>;
  rows: number;
  outputs: string[];
  /** Requests stack only with others of the same key: equal sizes beyond the batch dimension. */
  key: string;
  enqueuedAt: bigint;
  resolve(out: Record<string, Tensor>): void;
  reject(err: unknown): void;
}

const now = () => process.hrtime.bigint();
const elapsed = (from: bigint, to: bigint = now()) => Number(to - from);

function keyOf(inputs: Record<string, Tensor>): string {
  return Object.entries(inputs)
    .map(([name, t]) => `${name}:${t.shape.slice(1).join('x')}`)
    .join('|');
}

function stack(batch: Pending[]): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, first] of Object.entries(batch[0]!.inputs)) {
    const rows = batch.reduce((n, p) => n + p.rows, 0);
    const shape = [rows, ...first.shape.slice(1)];
    const data = allocate(first.datatype, elementCount(shape));
    let offset = 0;
    for (const p of batch) {
      const part = p.inputs[name]!.data;
      if (Array.isArray(data)) for (let i = 0; i < part.length; i++) data[offset + i] = (part as string[])[i]!;
      else (data as Float32Array).set(part as Float32Array, offset);
      offset += part.length;
    }
    out[name] = { datatype: first.datatype, shape, data };
  }
  return out;
}

/** Each request's rows of every output, or undefined when an output is not one row per input row (a model that cannot batch). */
function split(batch: Pending[], rows: number, result: Record<string, Tensor>): Array<Record<string, Tensor>> | undefined {
  if (Object.values(result).some((t) => t.shape[0] !== rows)) return undefined;
  let row = 0;
  return batch.map((p) => {
    const mine: Record<string, Tensor> = {};
    for (const name of p.outputs) {
      const t = result[name]!;
      const per = elementCount(t.shape.slice(1));
      const data = t.data.slice(row * per, (row + p.rows) * per) as TensorData;
      mine[name] = { datatype: t.datatype, shape: [p.rows, ...t.shape.slice(1)], data };
    }
    row += p.rows;
    return mine;
  });
}

/**
 * One model's request queue, with Triton's dynamic batching: while the
 * runtime is busy, requests queue; when it frees up, queued requests whose
 * sizes beyond the batch dimension match are stacked along dimension 0 into
 * one runtime call of at most `maxBatchSize` rows, and the results are split
 * back. Requests that cannot stack run in a later call; nothing is padded.
 *
 * With `maxQueueDelayMs` 0 a request on an idle model starts in the same
 * event-loop turn (requests parsed in that turn join it). A batch that fails
 * is retried one request at a time, so a request the model rejects fails alone.
 */
export class DynamicBatcher {
  private readonly queue: Pending[] = [];
  private busy = false;
  private scheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];
  private closed: FerryError | undefined;

  constructor(
    private readonly execute: Execute,
    private readonly options: BatchingOptions,
    private readonly stats: ModelStats,
    /** False for a model whose inputs have no batch dimension: every request runs alone. */
    private batchable: boolean,
  ) {}

  get queueDepth(): number {
    return this.queue.length;
  }

  /**
   * Queues one request. Resolves with its own outputs.
   * @throws UnavailableError when the queue is full (with `details.retryAfterSeconds`) or the batcher is closed.
   */
  submit(inputs: Record<string, Tensor>, rows: number, outputs: string[]): Promise<Record<string, Tensor>> {
    if (this.closed) return Promise.reject(this.closed);
    if (this.queue.length >= this.options.maxQueueSize) {
      return Promise.reject(
        new UnavailableError(`The model is overloaded: ${this.queue.length} requests are waiting (maxQueueSize ${this.options.maxQueueSize}). Retry shortly.`, {
          details: { reason: 'queue_full', retryAfterSeconds: 1 },
        }),
      );
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ inputs, rows, outputs, key: keyOf(inputs), enqueuedAt: now(), resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once nothing is queued or running. */
  idle(): Promise<void> {
    if (!this.busy && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Fails queued requests with `error` and refuses new ones; a running call finishes. */
  close(error: FerryError): void {
    this.closed = error;
    clearTimeout(this.timer);
    for (const p of this.queue.splice(0)) p.reject(error);
    if (!this.busy) this.notifyIdle();
  }

  private schedule(): void {
    if (this.busy || this.queue.length === 0) return;
    const delayNs = this.options.maxQueueDelayMs * 1e6;
    if (delayNs > 0 && this.batchable && this.fillableRows() < this.options.maxBatchSize) {
      const waitMs = Math.max(0, (delayNs - elapsed(this.queue[0]!.enqueuedAt)) / 1e6);
      if (waitMs > 0) {
        if (!this.timer) this.timer = setTimeout(() => this.dispatch(), waitMs);
        return;
      }
    }
    if (this.scheduled) return;
    this.scheduled = true;
    // setImmediate, not a microtask: requests whose bodies arrived in this I/O turn are queued by then and join.
    setImmediate(() => this.dispatch());
  }

  /** Rows of queued requests that could join the oldest one. */
  private fillableRows(): number {
    const key = this.queue[0]!.key;
    return this.queue.reduce((n, p) => (p.key === key ? n + p.rows : n), 0);
  }

  private take(): Pending[] {
    const head = this.queue.shift()!;
    const batch = [head];
    if (!this.batchable || this.options.maxBatchSize <= 1) return batch;
    let rows = head.rows;
    for (let i = 0; i < this.queue.length && rows < this.options.maxBatchSize; ) {
      const p = this.queue[i]!;
      if (p.key === head.key && rows + p.rows <= this.options.maxBatchSize) {
        batch.push(p);
        rows += p.rows;
        this.queue.splice(i, 1);
      } else {
        i++;
      }
    }
    return batch;
  }

  private dispatch(): void {
    this.scheduled = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.busy || this.queue.length === 0) return;
    this.busy = true;
    const batch = this.take();
    const start = now();
    for (const p of batch) this.stats.queued(elapsed(p.enqueuedAt, start));
    void this.run(batch).finally(() => {
      this.busy = false;
      if (this.queue.length > 0) this.schedule();
      else this.notifyIdle();
    });
  }

  private async run(batch: Pending[]): Promise<void> {
    const t0 = now();
    const rows = batch.reduce((n, p) => n + p.rows, 0);
    const inputs = batch.length === 1 ? batch[0]!.inputs : stack(batch);
    const outputs = [...new Set(batch.flatMap((p) => p.outputs))];
    const t1 = now();
    let result: Record<string, Tensor>;
    try {
      result = await this.execute(inputs, outputs);
    } catch (err) {
      if (batch.length === 1) batch[0]!.reject(err);
      else await this.runAlone(batch);
      return;
    }
    const t2 = now();
    const parts = batch.length === 1 ? [result] : split(batch, rows, result);
    if (!parts) {
      // The outputs are not per row, so this model cannot batch after all.
      this.batchable = false;
      await this.runAlone(batch);
      return;
    }
    this.stats.execution(rows, batch.length, elapsed(t0, t1), elapsed(t1, t2), elapsed(t2));
    batch.forEach((p, i) => p.resolve(parts[i]!));
  }

  /** Runs each request of a failed batch by itself, so only the requests the model rejects fail. */
  private async runAlone(batch: Pending[]): Promise<void> {
    for (const p of batch) await this.run([p]);
  }

  private notifyIdle(): void {
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
