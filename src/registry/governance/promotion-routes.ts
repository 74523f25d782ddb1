import type { FastifyInstance } from 'fastify';
import { optInt, optString } from '../../tracking/mlflow-json.js';
import { GOVERNANCE_PREFIX, governanceActor, objectBody, params } from './governance-http.js';
import type { Governance } from './governance.js';

/**
 * Promotion requests. `POST /models/:name/versions/:version/promotions {alias}`
 * answers 201 with the request (`promoted` or `pending`), or 409 CONFLICT
 * naming each failed check and its numbers (the failed request is recorded,
 * its id in `details.request.id`). Approve and reject take `{comment?}`.
 */
export function registerPromotionRoutes(app: FastifyInstance, governance: Governance): void {
  const { promotions } = governance;
  app.post(`${GOVERNANCE_PREFIX}/models/:name/versions/:version/promotions`, { config: { permission: 'write' } }, async (request, reply) => {
    const p = params(request);
    const body = objectBody(request);
    const created = await promotions.request(p.name, p.version, body.alias, governanceActor(request, body));
    return reply.status(201).send({ request: created });
  });
  app.get(`${GOVERNANCE_PREFIX}/models/:name/promotions`, { config: { permission: 'read' } }, async (request) => {
    const q = (request.query ?? {}) as Record<string, unknown>;
    return {
      requests: await promotions.list({
        model: params(request).name,
        alias: optString(q, 'alias') || undefined,
        version: optString(q, 'version') || undefined,
        status: optString(q, 'status') || undefined,
        maxResults: optInt(q, 'max_results'),
      }),
    };
  });
  app.get(`${GOVERNANCE_PREFIX}/promotions/:id`, { config: { permission: 'read' } }, async (request) => ({ request: await promotions.get(params(request).id) }));
  app.post(`${GOVERNANCE_PREFIX}/promotions/:id/approve`, { config: { permission: 'write' } }, async (request) => {
    const body = objectBody(request);
    return { request: await promotions.approve(params(request).id, governanceActor(request, body), body.comment) };
  });
  app.post(`${GOVERNANCE_PREFIX}/promotions/:id/reject`, { config: { permission: 'write' } }, async (request) => {
    const body = objectBody(request);
    return { request: await promotions.reject(params(request).id, governanceActor(request, body), body.comment) };
  });
}
