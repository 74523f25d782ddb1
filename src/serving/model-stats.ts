/** A count and a total duration, as Triton's statistics extension reports them. */
export interface DurationStat {
  count: number;
  ns: number;
}

export interface BatchStat {
  batchSize: number;
  computeInput: DurationStat;
  computeInfer: DurationStat;
  computeOutput: DurationStat;
}

/** Everything one served model version has done since it was loaded (Triton's `$model_stat`). */
export interface ModelStatsSnapshot {
  name: string;
  version: string;
  /** Milliseconds since the epoch of the last request; 0 before the first. */
  lastInference: number;
  /** Rows inferred successfully: a request of 8 rows counts 8. */
  inferenceCount: number;
  /** Successful runtime calls: 64 single-row requests batched into one call count 1. */
  executionCount: number;
  inferenceStats: {
    success: DurationStat;
    fail: DurationStat;
    queue: DurationStat;
    computeInput: DurationStat;
    computeInfer: DurationStat;
    computeOutput: DurationStat;
  };
  /** By batch size (rows per runtime call), smallest first. */
  batchStats: BatchStat[];
  /** Requests waiting for the runtime right now. */
  queueDepth: number;
}

/**
 * Told about every request and runtime call as they finish, e.g. to feed
 * Prometheus histograms. Must not throw; called on the request path.
 */
export interface ServingObserver {
  onRequest?(event: { model: string; version: string; ok: boolean; rows: number; ns: number }): void;
  onExecution?(event: { model: string; version: string; batchSize: number; requests: number; inferNs: number }): void;
}

const zero = (): DurationStat => ({ count: 0, ns: 0 });

function add(stat: DurationStat, ns: number): void {
  stat.count += 1;
  stat.ns += ns;
}

/** Accumulates one model version's statistics. */
export class ModelStats {
  private lastInference = 0;
  private inferenceCount = 0;
  private executionCount = 0;
  private readonly inference = { success: zero(), fail: zero(), queue: zero(), computeInput: zero(), computeInfer: zero(), computeOutput: zero() };
  private readonly batches = new Map<number, BatchStat>();

  constructor(
    readonly name: string,
    readonly version: string,
    private readonly observer: ServingObserver = {},
  ) {}

  /** A request finished: `ns` from its arrival at the model to its answer. */
  request(ok: boolean, rows: number, ns: number): void {
    this.lastInference = Date.now();
    if (ok) {
      this.inferenceCount += rows;
      add(this.inference.success, ns);
    } else {
      add(this.inference.fail, ns);
    }
    this.observer.onRequest?.({ model: this.name, version: this.version, ok, rows, ns });
  }

  /** A request waited `ns` in the batcher's queue. */
  queued(ns: number): void {
    add(this.inference.queue, ns);
  }

  /** One runtime call of `batchSize` rows made of `requests` requests succeeded. */
  execution(batchSize: number, requests: number, inputNs: number, inferNs: number, outputNs: number): void {
    this.executionCount += 1;
    // Triton counts compute times per request that took part in the execution.
    for (let i = 0; i < requests; i++) {
      add(this.inference.computeInput, inputNs);
      add(this.inference.computeInfer, inferNs);
      add(this.inference.computeOutput, outputNs);
    }
    let b = this.batches.get(batchSize);
    if (!b) {
      b = { batchSize, computeInput: zero(), computeInfer: zero(), computeOutput: zero() };
      this.batches.set(batchSize, b);
    }
    add(b.computeInput, inputNs);
    add(b.computeInfer, inferNs);
    add(b.computeOutput, outputNs);
    this.observer.onExecution?.({ model: this.name, version: this.version, batchSize, requests, inferNs });
  }

  snapshot(queueDepth: number): ModelStatsSnapshot {
    const copy = (s: DurationStat) => ({ ...s });
    const i = this.inference;
    return {
      name: this.name,
      version: this.version,
      lastInference: this.lastInference,
      inferenceCount: this.inferenceCount,
      executionCount: this.executionCount,
      inferenceStats: {
        success: copy(i.success),
        fail: copy(i.fail),
        queue: copy(i.queue),
        computeInput: copy(i.computeInput),
        computeInfer: copy(i.computeInfer),
        computeOutput: copy(i.computeOutput),
      },
      batchStats: [...this.batches.values()]
        .sort((a, b) => a.batchSize - b.batchSize)
        .map((b) => ({ batchSize: b.batchSize, computeInput: copy(b.computeInput), computeInfer: copy(b.computeInfer), computeOutput: copy(b.computeOutput) })),
      queueDepth,
    };
  }
}
