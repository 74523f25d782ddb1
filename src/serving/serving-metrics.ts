import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ServingObserver } from './model-stats.js';
import type { ServingService } from './serving-service.js';

/** The inference protocol a route speaks, for the request counter's `protocol` label. */
export type InferenceProtocol = 'oip' | 'mlflow';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set on inference routes: their requests are counted and timed in /metrics. */
    protocol?: InferenceProtocol;
  }
}

const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];
const STATES = ['LOADING', 'READY', 'UNLOADING', 'UNAVAILABLE'] as const;

/**
 * Prometheus metrics of one serving app, in a registry of its own (not
 * prom-client's global one), so several apps in one process do not clash.
 * Request counts and end-to-end latency come from HTTP responses; runtime
 * time and batch sizes from the serving service's observer; queue depth and
 * model counts are read at scrape time.
 */
export class ServingMetrics implements ServingObserver {
  readonly registry = new Registry();
  private readonly requests: Counter<'model' | 'version' | 'protocol' | 'code'>;
  private readonly latency: Histogram<'model' | 'protocol'>;
  private readonly runtime: Histogram<'model' | 'version'>;
  private readonly batchSize: Histogram<'model' | 'version'>;

  constructor(private readonly serving: ServingService) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: 'ferry_serving_requests_total',
      help: 'Inference requests answered, by model, version, protocol (oip, mlflow) and HTTP status code.',
      labelNames: ['model', 'version', 'protocol', 'code'],
      registers,
    });
    this.latency = new Histogram({
      name: 'ferry_serving_request_duration_seconds',
      help: 'End-to-end inference request latency, from arrival to the response being sent.',
      labelNames: ['model', 'protocol'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.runtime = new Histogram({
      name: 'ferry_serving_runtime_duration_seconds',
      help: 'Time of each runtime call (one batch), without queueing, decoding or encoding.',
      labelNames: ['model', 'version'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.batchSize = new Histogram({
      name: 'ferry_serving_batch_size',
      help: 'Rows per runtime call: requests combined by the dynamic batcher.',
      labelNames: ['model', 'version'],
      buckets: BATCH_BUCKETS,
      registers,
    });
    new Gauge({
      name: 'ferry_serving_queue_depth',
      help: 'Requests waiting for the runtime, by model and version.',
      labelNames: ['model', 'version'],
      registers,
      collect() {
        this.reset();
        for (const s of serving.statistics()) this.set({ model: s.name, version: s.version }, s.queueDepth);
      },
    });
    new Gauge({
      name: 'ferry_serving_models',
      help: 'Models in the serving repository, by state (READY: loaded and serving).',
      labelNames: ['state'],
      registers,
      collect() {
        const index = serving.index();
        for (const state of STATES) this.set({ state }, index.filter((e) => e.state === state).length);
      },
    });
    // ONNX Runtime allocates outside the JS heap, so the process's resident memory is the honest figure for loaded models.
    new Gauge({
      name: 'ferry_serving_process_resident_memory_bytes',
      help: 'Resident memory of the serving process (loaded model sessions included), in bytes.',
      registers,
      collect() {
        this.set(process.memoryUsage.rss());
      },
    });
  }

  onExecution(event: { model: string; version: string; batchSize: number; inferNs: number }): void {
    const labels = { model: event.model, version: event.version };
    this.runtime.observe(labels, event.inferNs / 1e9);
    this.batchSize.observe(labels, event.batchSize);
  }

  /** Counts and times one answered inference request. */
  recordResponse(protocol: InferenceProtocol, name: string | undefined, code: number, seconds: number): void {
    // Only names the repository holds become label values: a client probing random names must not grow the series without bound.
    let model = '';
    let version = '';
    const held = name === undefined ? undefined : this.serving.lookup(name);
    // Loading or failed: counted under its name, without a version. Unknown: counted under ''.
    if (held) model = name!;
    if (held?.state === 'ready') version = held.version;
    this.requests.inc({ model, version, protocol, code: String(code) });
    this.latency.observe({ model, protocol }, seconds);
  }

  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}

export interface ServingMetricsOptions {
  /** The model a single-model server serves at routes without a `:name` (`/invocations`). */
  singleModel?: string;
}

/**
 * Adds `GET /metrics` (Prometheus text format) and the hook that counts
 * inference requests. Call before the inference routes are registered.
 * The route needs `read` when auth is on: model names and traffic are not for
 * anonymous callers, and Prometheus can send a token (`authorization` in a scrape config).
 */
export function installServingMetrics(app: FastifyInstance, serving: ServingService, options: ServingMetricsOptions = {}): ServingMetrics {
  const metrics = new ServingMetrics(serving);
  const remove = serving.addObserver(metrics);
  app.addHook('onClose', async () => remove());
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const protocol = request.routeOptions.config?.protocol;
    if (protocol === undefined) return;
    const name = (request.params as { name?: string } | undefined)?.name ?? options.singleModel;
    metrics.recordResponse(protocol, name, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { config: { permission: 'read' } }, async (_req, reply) => {
    const body = await metrics.metrics();
    return reply.type(metrics.registry.contentType).send(body);
  });
  return metrics;
}
