import type { LiveVariant, WindowSummary } from './deployment-types.js';

/** Latency buckets grow by 10 % from 10 µs, so a percentile read from them is within about 5 %. */
const FIRST_MS = 0.01;
const GROWTH = 1.1;
const BUCKETS = Math.ceil(Math.log(1e8) / Math.log(GROWTH));
/** Predictions kept per variant for the drift check. */
const SAMPLE_CAPACITY = 2048;

function bucketOf(ms: number): number {
  if (!(ms > FIRST_MS)) return 0;
  return Math.min(BUCKETS - 1, Math.floor(Math.log(ms / FIRST_MS) / Math.log(GROWTH)));
}

/** The middle of bucket `i` on a log scale. */
const bucketMs = (i: number) => FIRST_MS * GROWTH ** (i + 0.5);

/** Cumulative counters of one variant at one moment; windows are differences of two. */
export interface CounterSnapshot {
  requests: number;
  errors: number;
  latency: readonly number[];
  /** Predictions recorded so far (the sample ring's write position). */
  predictionSeq: number;
}

/** What one variant did between a snapshot and now. */
export interface WindowCounters {
  requests: number;
  errors: number;
  /** Request counts per latency bucket. */
  latency: number[];
  /** Sampled predictions (first output, first element) of successful requests. */
  predictions: number[];
}

/** The `q` quantile (0–1) of a bucketed latency histogram, in ms; 0 for an empty one. */
export function percentile(latency: readonly number[], q: number): number {
  const total = latency.reduce((s, n) => s + n, 0);
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let i = 0; i < latency.length; i++) {
    seen += latency[i]!;
    if (seen >= rank) return bucketMs(i);
  }
  return bucketMs(latency.length - 1);
}

export function summarize(w: WindowCounters): WindowSummary {
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return {
    requests: w.requests,
    errors: w.errors,
    errorRate: w.requests === 0 ? 0 : w.errors / w.requests,
    p50Ms: round(percentile(w.latency, 0.5)),
    p99Ms: round(percentile(w.latency, 0.99)),
  };
}

/** Counters of one variant since it went live: requests, errors, a latency histogram and a ring of recent predictions. */
export class VariantCounters {
  requests = 0;
  errors = 0;
  /** Failed requests since the last success. */
  consecutiveErrors = 0;
  private readonly latency: number[] = new Array<number>(BUCKETS).fill(0);
  private readonly samples = new Float64Array(SAMPLE_CAPACITY);
  private seq = 0;

  record(ok: boolean, latencyMs: number, prediction?: number): void {
    this.requests++;
    this.latency[bucketOf(latencyMs)]!++;
    if (ok) {
      this.consecutiveErrors = 0;
      if (prediction !== undefined && Number.isFinite(prediction)) this.samples[this.seq++ % SAMPLE_CAPACITY] = prediction;
    } else {
      this.errors++;
      this.consecutiveErrors++;
    }
  }

  snapshot(): CounterSnapshot {
    return { requests: this.requests, errors: this.errors, latency: [...this.latency], predictionSeq: this.seq };
  }

  /** What happened since `from` (everything, without one). Predictions older than the ring are gone. */
  since(from?: CounterSnapshot): WindowCounters {
    const first = Math.max(from?.predictionSeq ?? 0, this.seq - SAMPLE_CAPACITY);
    const predictions: number[] = [];
    for (let i = first; i < this.seq; i++) predictions.push(this.samples[i % SAMPLE_CAPACITY]!);
    return {
      requests: this.requests - (from?.requests ?? 0),
      errors: this.errors - (from?.errors ?? 0),
      latency: this.latency.map((n, i) => n - (from?.latency[i] ?? 0)),
      predictions,
    };
  }
}

/** Counters are kept per variant name and version, so a promoted canary starts afresh as the stable version. */
export const variantKey = (v: Pick<LiveVariant, 'name' | 'model' | 'version'>): string => `${v.name}@${v.model}/${v.version}`;

/** The counters of one deployment's variants. */
export class VariantStats {
  private readonly counters = new Map<string, VariantCounters>();

  of(v: Pick<LiveVariant, 'name' | 'model' | 'version'>): VariantCounters {
    const key = variantKey(v);
    let c = this.counters.get(key);
    if (!c) {
      c = new VariantCounters();
      this.counters.set(key, c);
    }
    return c;
  }

  /** Drops counters of variants no longer live. */
  retain(live: ReadonlyArray<Pick<LiveVariant, 'name' | 'model' | 'version'>>): void {
    const keep = new Set(live.map(variantKey));
    for (const key of this.counters.keys()) if (!keep.has(key)) this.counters.delete(key);
  }
}
