import { GovernanceContext, type GovernanceOptions } from './governance-context.js';
import { ModelCardService } from './model-card-service.js';
import { PolicyService } from './policy-service.js';
import { PromotionService } from './promotion-service.js';

/**
 * Promotion governance over the model registry: policies per model and
 * alias, promotion requests judged against them, and model cards.
 */
export class Governance {
  readonly policies: PolicyService;
  readonly promotions: PromotionService;
  readonly cards: ModelCardService;

  constructor(options: GovernanceOptions) {
    const ctx = new GovernanceContext(options);
    this.policies = new PolicyService(ctx);
    this.promotions = new PromotionService(ctx);
    this.cards = new ModelCardService(ctx);
  }
}

/**
 * Creates the governance services and installs the registry's alias guard,
 * so an alias under a policy moves only through a promotion request.
 */
export function createGovernance(options: GovernanceOptions): Governance {
  const governance = new Governance(options);
  options.registry.setAliasGuard(governance.policies.aliasGuard());
  return governance;
}
