import type { FastifyInstance } from 'fastify';
import { InvalidArgumentError } from '../errors.js';
import type { RuntimeOptions } from './model-runtime.js';
import type { ServingService } from './serving-service.js';
import type { BatchingOptions, ModelIndexEntry, ServedModelSpec } from './serving-types.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Load parameters (scalar, as the protocol's parameters are) and the setting each one fills. */
const RUNTIME_PARAMS: Record<string, keyof RuntimeOptions> = {
  intra_op_num_threads: 'intraOpNumThreads',
  inter_op_num_threads: 'interOpNumThreads',
  execution_mode: 'executionMode',
  graph_optimization_level: 'graphOptimizationLevel',
  thread: 'thread',
};
const BATCHING_PARAMS: Record<string, keyof BatchingOptions> = {
  max_batch_size: 'maxBatchSize',
  max_queue_delay_ms: 'maxQueueDelayMs',
  max_queue_size: 'maxQueueSize',
};
const ENUMS: Record<string, readonly string[]> = {
  execution_mode: ['sequential', 'parallel'],
  graph_optimization_level: ['disabled', 'basic', 'extended', 'all'],
  thread: ['worker', 'main'],
};

/**
 * The load request's parameters: `uri` (`models:/NAME/VERSION` or
 * `models:/NAME@alias`), batching (`max_batch_size`, `max_queue_delay_ms`,
 * `max_queue_size`) and session options (`intra_op_num_threads`,
 * `inter_op_num_threads`, `execution_mode`, `graph_optimization_level`, `thread`).
 */
export function loadSpecOf(body: unknown): Partial<ServedModelSpec> {
  const params = isRecord(body) ? body.parameters : undefined;
  if (params === undefined || params === null) return {};
  if (!isRecord(params)) throw new InvalidArgumentError('"parameters" must be an object of name/value pairs.');
  const spec: Partial<ServedModelSpec> = {};
  const runtime: Record<string, unknown> = {};
  const batching: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (key === 'uri') {
      if (typeof value !== 'string') throw new InvalidArgumentError('parameters.uri must be a string such as models:/NAME@alias.');
      spec.uri = value;
    } else if (key in ENUMS) {
      if (!ENUMS[key]!.includes(value as string)) throw new InvalidArgumentError(`parameters.${key} must be one of ${ENUMS[key]!.join(', ')}.`);
      runtime[RUNTIME_PARAMS[key]!] = value;
    } else if (key in RUNTIME_PARAMS || key in BATCHING_PARAMS) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new InvalidArgumentError(`parameters.${key} must be a non-negative number.`);
      if (key in RUNTIME_PARAMS) runtime[RUNTIME_PARAMS[key]!] = value;
      else batching[BATCHING_PARAMS[key]!] = value;
    } else {
      const known = ['uri', ...Object.keys(RUNTIME_PARAMS), ...Object.keys(BATCHING_PARAMS)];
      throw new InvalidArgumentError(`Unknown load parameter '${key}'; Ferry reads ${known.join(', ')}.`);
    }
  }
  if (Object.keys(runtime).length > 0) spec.runtime = runtime as RuntimeOptions;
  if (Object.keys(batching).length > 0) spec.batching = batching as Partial<BatchingOptions>;
  return spec;
}

const indexRow = (e: ModelIndexEntry) => ({ name: e.name, ...(e.version === undefined ? {} : { version: e.version }), state: e.state, reason: e.reason });

/**
 * Triton's model repository extension: list, load (or reload) and unload
 * models by API, without a restart. Models load from the registry only;
 * local package directories are configured at startup (FERRY_SERVE_MODELS).
 */
export function registerOipRepositoryRoutes(app: FastifyInstance, serving: ServingService): void {
  const index = async (ready: unknown) => serving.index(ready === true || ready === 'true').map(indexRow);
  // Triton lists with POST; KServe's docs and Ferry's issue say GET; both read.
  app.post('/v2/repository/index', { config: { permission: 'read' } }, async (request) => index(isRecord(request.body) ? request.body.ready : undefined));
  app.get('/v2/repository/index', { config: { permission: 'read' } }, async (request) => index((request.query as Record<string, unknown>).ready));

  app.post('/v2/repository/models/:name/load', { config: { permission: 'write' } }, async (request) => {
    const { name } = request.params as { name: string };
    return indexRow(await serving.load(name, loadSpecOf(request.body)));
  });
  app.post('/v2/repository/models/:name/unload', { config: { permission: 'write' } }, async (request) => {
    const { name } = request.params as { name: string };
    await serving.unload(name);
    return indexRow(serving.index().find((e) => e.name === name)!);
  });
}
