/** Promotion governance in Ferry's words: policies, requests, the checks they record, model cards. */

export const COMPARISON_OPS = ['>=', '>', '<=', '<', '=='] as const;
export type ComparisonOp = (typeof COMPARISON_OPS)[number];

/** A required metric on the candidate's source run: `val_auc >= 0.85`. */
export interface MetricRule {
  metric: string;
  op: ComparisonOp;
  threshold: number;
}

/**
 * The candidate against the version holding the alias, on one metric of each
 * one's source run. Exactly one of `minImprovement` (must beat it by at least
 * this) or `maxRegression` (may be worse by at most this) is set.
 */
export interface BaselineRule {
  metric: string;
  /** Which way is better: `higher` (accuracy) or `lower` (loss, latency). */
  direction: 'higher' | 'lower';
  minImprovement?: number;
  maxRegression?: number;
}

/**
 * `same_inputs`: the candidate's signature inputs must equal the holder's,
 * unless the candidate carries the version tag `ferry.breaking_change=true`.
 * `none`: not checked.
 */
export type SignatureRule = 'same_inputs' | 'none';

/**
 * Whether a person must approve, and who may. Approvers are admins (token
 * role `admin`) and the users named here (token names). With auth off there
 * are no verified identities and every caller counts as an admin, as for
 * every other route.
 */
export interface ApprovalRule {
  required: boolean;
  approvers: string[];
}

/** What a promotion to one alias of one model must pass. Every rule is optional. */
export interface PolicyRules {
  metrics: MetricRule[];
  baseline?: BaselineRule;
  signature: SignatureRule;
  approval: ApprovalRule;
}

export interface PromotionPolicy {
  model: string;
  alias: string;
  rules: PolicyRules;
  updatedAt: number;
  updatedBy: string;
}

/** The version tag with which a candidate declares that its inputs changed on purpose. */
export const BREAKING_CHANGE_TAG = 'ferry.breaking_change';

/** One check of a promotion request, with what was observed; `message` says it in one line with the numbers. */
export type CheckResult = (
  | { check: 'metric'; metric: string; op: ComparisonOp; threshold: number; observed: number | null }
  | {
      check: 'baseline';
      metric: string;
      direction: 'higher' | 'lower';
      minImprovement?: number;
      maxRegression?: number;
      holderVersion: number | null;
      holderValue: number | null;
      observed: number | null;
      improvement: number | null;
    }
  | { check: 'signature'; holderVersion: number | null; breakingChangeDeclared: boolean; differences: string[] }
  | { check: 'alias_holder'; expectedVersion: number | null; observedVersion: number | null }
) & { passed: boolean; message: string };

export const PROMOTION_STATUSES = ['pending', 'approved', 'rejected', 'failed', 'promoted'] as const;
/**
 * `pending`: checks passed, waiting for an approver. `promoted`: the alias
 * moved. `failed`: a check failed (at request or approval time). `rejected`:
 * an approver said no. `approved` is reserved for an approval that does not
 * move the alias at once; Ferry moves it in the approving transaction.
 */
export type PromotionStatus = (typeof PROMOTION_STATUSES)[number];

export interface PromotionRequest {
  id: number;
  model: string;
  version: number;
  alias: string;
  requestedBy: string;
  requestedAt: number;
  status: PromotionStatus;
  /** The checks of the latest evaluation (at request time, then again at approval time). */
  checks: CheckResult[];
  decidedBy: string | null;
  decidedAt: number | null;
  comment: string | null;
}

/** The owner-written part of a model card; the rest is generated. */
export interface ModelCardFields {
  model: string;
  version: number;
  intendedUse: string | null;
  limitations: string | null;
  updatedBy: string | null;
  updatedAt: number | null;
}

/** Who acts on governance: the actor's name, and whether the caller is an admin (see ApprovalRule). */
export interface GovernanceActor {
  actor: string;
  admin: boolean;
}
