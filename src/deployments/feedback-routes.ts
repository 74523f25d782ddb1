import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidArgumentError } from '../errors.js';
import { DEPLOYMENTS_PREFIX } from './deployment-api-routes.js';
import type { FeedbackService, QualityQuery } from './feedback-service.js';

const QUERY_KEYS = ['metric', 'window', 'since', 'output', 'task', 'control', 'confidence'] as const;

function queryOf(request: FastifyRequest): QualityQuery {
  const q = request.query as Record<string, unknown>;
  const out: QualityQuery = {};
  for (const k of QUERY_KEYS) {
    const v = q[k];
    if (v === undefined) continue;
    if (typeof v !== 'string') throw new InvalidArgumentError(`${k} must be given once.`);
    out[k] = v;
  }
  return out;
}

/**
 * Feedback and quality under `/api/ferry/v1/deployments/:name`:
 * - `POST …/feedback`: `{request_id, label}` or `{feedback: [{request_id, label}, …]}`;
 *   answers `{accepted, unknown, unknown_request_ids}` (ids no logged prediction has are counted, not stored).
 * - `GET …/quality?metric=accuracy&window=1h&since=24h&task=&output=`: the metric per version per window.
 * - `GET …/ab-report?metric=accuracy&since=&control=&confidence=0.95`: per-variant traffic and quality with intervals, tests and a verdict.
 * - `GET …/predictions?since=1h&max_results=100`: the latest logged predictions.
 */
export function registerFeedbackRoutes(app: FastifyInstance, feedback: FeedbackService): void {
  const item = `${DEPLOYMENTS_PREFIX}/:name`;
  const name = (request: FastifyRequest) => (request.params as { name: string }).name;
  app.post(`${item}/feedback`, { config: { permission: 'write' } }, async (request) => {
    const r = await feedback.record(name(request), request.body);
    return { accepted: r.accepted, unknown: r.unknown, unknown_request_ids: r.unknownRequestIds };
  });
  app.get(`${item}/quality`, { config: { permission: 'read' } }, async (request) => feedback.quality(name(request), queryOf(request)));
  app.get(`${item}/ab-report`, { config: { permission: 'read' } }, async (request) => feedback.abReport(name(request), queryOf(request)));
  app.get(`${item}/predictions`, { config: { permission: 'read' } }, async (request) => {
    const q = request.query as Record<string, unknown>;
    const raw = q.max_results;
    const limit = raw === undefined ? 100 : Number(raw);
    if (raw !== undefined && (typeof raw !== 'string' || !/^\d+$/.test(raw))) throw new InvalidArgumentError(`max_results must be an integer from 1 to 10000, got '${String(raw)}'.`);
    const since = typeof q.since === 'string' ? q.since : undefined;
    return { predictions: await feedback.predictions(name(request), { ...(since ? { since } : {}), limit }) };
  });
}
