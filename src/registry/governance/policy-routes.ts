import type { FastifyInstance } from 'fastify';
import { GOVERNANCE_PREFIX, governanceActor, objectBody, params } from './governance-http.js';
import type { Governance } from './governance.js';

/**
 * `GET /models/:name/policies`, and `GET|PUT|DELETE /models/:name/policies/:alias`:
 * a PUT body is the rules, `{metrics?, baseline?, signature?, approval?}`.
 * Changing or removing an existing policy needs one of its approvers (checked in the service).
 */
export function registerPolicyRoutes(app: FastifyInstance, governance: Governance): void {
  const base = `${GOVERNANCE_PREFIX}/models/:name/policies`;
  app.get(base, { config: { permission: 'read' } }, async (request) => ({ policies: await governance.policies.list(params(request).name) }));
  app.get(`${base}/:alias`, { config: { permission: 'read' } }, async (request) => {
    const p = params(request);
    return { policy: await governance.policies.get(p.name, p.alias) };
  });
  app.put(`${base}/:alias`, { config: { permission: 'write' } }, async (request) => {
    const p = params(request);
    const body = objectBody(request);
    // `user_id` names the actor when auth is off; it is not a rule.
    const { user_id: _userId, ...rules } = body;
    return { policy: await governance.policies.set(p.name, p.alias, rules, governanceActor(request, body)) };
  });
  app.delete(`${base}/:alias`, { config: { permission: 'write' } }, async (request) => {
    const p = params(request);
    await governance.policies.delete(p.name, p.alias, governanceActor(request, objectBody(request)));
    return {};
  });
}
