import { ConflictError, NotFoundError } from '../../errors.js';
import type { AliasGuard } from '../model-alias-service.js';
import { validateAliasName, validateAliasNotReserved, validateModelName } from '../registry-validation.js';
import { requireApprover, type GovernanceContext } from './governance-context.js';
import { asRegistryExecutor } from './governance-schema.js';
import type { GovernanceActor, PromotionPolicy } from './governance-types.js';
import { parsePolicyRules } from './promotion-policy.js';

/**
 * Promotion policies, one per registered model and alias. Anyone who may
 * write may create the first policy of an alias; after that only its
 * approvers (admins, or the users it names) may change or remove it, so the
 * people a policy answers to cannot be swapped out by those it governs.
 */
export class PolicyService {
  constructor(private readonly ctx: GovernanceContext) {}

  /** @throws NotFoundError when the model or the policy does not exist. */
  async get(name: unknown, alias: unknown): Promise<PromotionPolicy> {
    const n = validateModelName(name);
    const a = validateAliasName(alias);
    await this.ctx.registry.models.get(n);
    const policy = await this.ctx.store.getPolicy(this.ctx.store.db, n, a);
    if (!policy) throw new NotFoundError(`Registered model '${n}' has no promotion policy for alias '${a}'.`);
    return policy;
  }

  async list(name: unknown): Promise<PromotionPolicy[]> {
    const n = validateModelName(name);
    await this.ctx.registry.models.get(n);
    return this.ctx.store.listPolicies(this.ctx.store.db, n);
  }

  /**
   * Creates or replaces the policy of `alias`, with an audit row.
   * @throws InvalidArgumentError for rules that do not parse.
   * @throws PermissionDeniedError when a policy exists and `who` is not one of its approvers.
   */
  async set(name: unknown, alias: unknown, rulesInput: unknown, who: GovernanceActor): Promise<PromotionPolicy> {
    const n = validateModelName(name);
    const a = validateAliasNotReserved(validateAliasName(alias));
    const rules = parsePolicyRules(rulesInput);
    const policy: PromotionPolicy = { model: n, alias: a, rules, updatedAt: this.ctx.clock(), updatedBy: who.actor };
    await this.ctx.store.db.transaction().execute(async (trx) => {
      await this.ctx.lockModel(trx, n);
      const before = await this.ctx.store.getPolicy(trx, n, a);
      if (before) requireApprover(who, before.rules, `change the promotion policy of '${n}@${a}'`);
      await this.ctx.store.putPolicy(trx, policy);
      await this.ctx.registry.audit.append(asRegistryExecutor(trx), {
        actor: who.actor,
        entityType: 'registered_model',
        entityName: n,
        action: 'set_promotion_policy',
        before: before ? { alias: a, rules: before.rules } : null,
        after: { alias: a, rules },
      });
    });
    return policy;
  }

  /** Removes the policy of `alias` (the alias is then ungoverned). @throws PermissionDeniedError for a non-approver. */
  async delete(name: unknown, alias: unknown, who: GovernanceActor): Promise<void> {
    const n = validateModelName(name);
    const a = validateAliasName(alias);
    await this.ctx.store.db.transaction().execute(async (trx) => {
      await this.ctx.lockModel(trx, n);
      const before = await this.ctx.store.getPolicy(trx, n, a);
      if (!before) throw new NotFoundError(`Registered model '${n}' has no promotion policy for alias '${a}'.`);
      requireApprover(who, before.rules, `remove the promotion policy of '${n}@${a}'`);
      await this.ctx.store.deletePolicy(trx, n, a);
      await this.ctx.registry.audit.append(asRegistryExecutor(trx), {
        actor: who.actor,
        entityType: 'registered_model',
        entityName: n,
        action: 'delete_promotion_policy',
        before: { alias: a, rules: before.rules },
      });
    });
  }

  /**
   * The registry's alias guard: a governed alias moves only through a
   * promotion request, never by a direct set or delete (MLflow's
   * set_registered_model_alias included), or the policy would be moot.
   */
  aliasGuard(): AliasGuard {
    return async ({ name, alias, action }) => {
      const policy = await this.ctx.store.getPolicy(this.ctx.store.db, name, alias);
      if (!policy) return;
      if (action === 'delete' && (await this.ctx.models.getAlias(asRegistryExecutor(this.ctx.store.db), name, alias)) === undefined) return;
      throw new ConflictError(
        `Alias '${alias}' of registered model '${name}' is governed by a promotion policy: it moves only through a promotion request ` +
          `(POST /api/ferry/v1/models/${name}/versions/<version>/promotions, or \`ferry models promote ${name} <version> --to ${alias}\`).`,
        { details: { model: name, alias } },
      );
    };
  }
}
