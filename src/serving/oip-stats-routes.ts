import type { FastifyInstance } from 'fastify';
import type { DurationStat, ModelStatsSnapshot } from './model-stats.js';
import type { ServingService } from './serving-service.js';

const duration = (d: DurationStat) => ({ count: d.count, ns: d.ns });

/** One `$model_stat` of Triton's statistics extension (plus Ferry's `queue_depth`). */
export function encodeModelStat(s: ModelStatsSnapshot): Record<string, unknown> {
  const i = s.inferenceStats;
  return {
    name: s.name,
    version: s.version,
    last_inference: s.lastInference,
    inference_count: s.inferenceCount,
    execution_count: s.executionCount,
    inference_stats: {
      success: duration(i.success),
      fail: duration(i.fail),
      queue: duration(i.queue),
      compute_input: duration(i.computeInput),
      compute_infer: duration(i.computeInfer),
      compute_output: duration(i.computeOutput),
      cache_hit: { count: 0, ns: 0 },
    },
    batch_stats: s.batchStats.map((b) => ({
      batch_size: b.batchSize,
      compute_input: duration(b.computeInput),
      compute_infer: duration(b.computeInfer),
      compute_output: duration(b.computeOutput),
    })),
    queue_depth: s.queueDepth,
  };
}

/** Triton's statistics extension: `GET /v2/models[/NAME[/versions/VERSION]]/stats`. */
export function registerOipStatsRoutes(app: FastifyInstance, serving: ServingService): void {
  app.get('/v2/models/stats', { config: { permission: 'read' } }, async () => ({ model_stats: serving.statistics().map(encodeModelStat) }));
  for (const url of ['/v2/models/:name/stats', '/v2/models/:name/versions/:version/stats']) {
    app.get(url, { config: { permission: 'read' } }, async (request) => {
      const { name, version } = request.params as { name: string; version?: string };
      return { model_stats: serving.statistics(name, version).map(encodeModelStat) };
    });
  }
}
