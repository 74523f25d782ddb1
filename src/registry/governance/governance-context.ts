import type { ArtifactStore } from '../../backends/artifacts/artifact-store.js';
import type { Database } from '../../backends/database/database.js';
import { PermissionDeniedError } from '../../errors.js';
import type { RunService } from '../../tracking/run-service.js';
import type { ModelRegistry } from '../model-registry.js';
import { ModelVersionStore } from '../model-version-store.js';
import { RegisteredModelStore } from '../registered-model-store.js';
import { modelNotFound } from '../registry-validation.js';
import { asRegistryExecutor, type GovernanceTrx } from './governance-schema.js';
import { GovernanceStore } from './governance-store.js';
import type { GovernanceActor, PolicyRules } from './governance-types.js';

export interface GovernanceOptions {
  database: Database;
  registry: ModelRegistry;
  runs: RunService;
  /** Where model packages live, to read signatures; without it the signature rule cannot compare. */
  artifacts?: ArtifactStore;
  clock?: () => number;
}

/** What the governance services share: the stores, the registry and a clock. */
export class GovernanceContext {
  readonly store: GovernanceStore;
  readonly models: RegisteredModelStore;
  readonly versions: ModelVersionStore;
  readonly clock: () => number;

  constructor(readonly options: GovernanceOptions) {
    this.store = new GovernanceStore(options.database);
    this.versions = new ModelVersionStore(options.database);
    this.models = new RegisteredModelStore(options.database, this.versions);
    this.clock = options.clock ?? Date.now;
  }

  get registry(): ModelRegistry {
    return this.options.registry;
  }

  /**
   * Takes the model's write lock first in the transaction, as the registry's
   * own writers do (one lock order, no deadlocks; SQLite takes its write lock
   * at once instead of upgrading a read lock later).
   */
  async lockModel(trx: GovernanceTrx, name: string): Promise<void> {
    if (!(await this.models.lock(asRegistryExecutor(trx), name))) throw modelNotFound(name);
  }
}

/** Whether `who` may approve under `rules`: an admin, or a user the policy names. */
export function isApprover(who: GovernanceActor, rules: PolicyRules): boolean {
  return who.admin || rules.approval.approvers.includes(who.actor);
}

/** @throws PermissionDeniedError saying who may `what` instead. */
export function requireApprover(who: GovernanceActor, rules: PolicyRules, what: string): void {
  if (isApprover(who, rules)) return;
  const named = rules.approval.approvers;
  const allowed = named.length > 0 ? `admins and ${named.map((n) => `'${n}'`).join(', ')}` : 'admins (the policy names no approvers)';
  throw new PermissionDeniedError(`Only approvers may ${what}: ${allowed}; '${who.actor}' is not one.`, { details: { approvers: named } });
}
