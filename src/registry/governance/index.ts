/** Promotion governance: what the server, CLI and other modules may import. */
export { Governance, createGovernance } from './governance.js';
export type { GovernanceOptions } from './governance-context.js';
export { registerGovernanceRoutes, GOVERNANCE_PREFIX } from './governance-routes.js';
export { parsePolicyRules, parseMetricRule } from './promotion-policy.js';
export { renderModelCard } from './model-card-markdown.js';
export type { ModelCard } from './model-card-service.js';
export { BREAKING_CHANGE_TAG, COMPARISON_OPS, PROMOTION_STATUSES } from './governance-types.js';
export type {
  ApprovalRule,
  BaselineRule,
  CheckResult,
  ComparisonOp,
  GovernanceActor,
  MetricRule,
  ModelCardFields,
  PolicyRules,
  PromotionPolicy,
  PromotionRequest,
  PromotionStatus,
  SignatureRule,
} from './governance-types.js';
