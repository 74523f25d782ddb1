import type { FastifyInstance } from 'fastify';
import { InvalidArgumentError } from '../../errors.js';
import { optString } from '../../tracking/mlflow-json.js';
import { GOVERNANCE_PREFIX, governanceActor, objectBody, params } from './governance-http.js';
import type { Governance } from './governance.js';
import { renderModelCard } from './model-card-markdown.js';

/**
 * `GET /models/:name/versions/:version/card`: the generated card as
 * `text/markdown`, or with `?format=json` its data and the Markdown.
 * `PUT` sets `{intendedUse?, limitations?}`.
 */
export function registerModelCardRoutes(app: FastifyInstance, governance: Governance): void {
  const path = `${GOVERNANCE_PREFIX}/models/:name/versions/:version/card`;
  app.get(path, { config: { permission: 'read' } }, async (request, reply) => {
    const format = optString((request.query ?? {}) as Record<string, unknown>, 'format') ?? 'markdown';
    if (format !== 'markdown' && format !== 'json') throw new InvalidArgumentError(`format must be 'markdown' or 'json', got '${format.slice(0, 50)}'.`);
    const p = params(request);
    const card = await governance.cards.get(p.name, p.version);
    const markdown = renderModelCard(card);
    if (format === 'json') return { card, markdown };
    return reply.type('text/markdown; charset=utf-8').send(markdown);
  });
  app.put(path, { config: { permission: 'write' } }, async (request) => {
    const p = params(request);
    const body = objectBody(request);
    const { user_id: _userId, ...fields } = body;
    return { card: await governance.cards.update(p.name, p.version, fields, governanceActor(request, body)) };
  });
}
