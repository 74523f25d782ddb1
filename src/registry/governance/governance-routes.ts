import type { FastifyInstance } from 'fastify';
import type { Governance } from './governance.js';
import { registerModelCardRoutes } from './model-card-routes.js';
import { registerPolicyRoutes } from './policy-routes.js';
import { registerPromotionRoutes } from './promotion-routes.js';

export { GOVERNANCE_PREFIX } from './governance-http.js';

/** Every governance route: policies, promotion requests, model cards. Each declares its `config.permission`. */
export function registerGovernanceRoutes(app: FastifyInstance, governance: Governance): void {
  registerPolicyRoutes(app, governance);
  registerPromotionRoutes(app, governance);
  registerModelCardRoutes(app, governance);
}
