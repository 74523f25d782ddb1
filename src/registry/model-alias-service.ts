import type { Database } from '../backends/database/database.js';
import { InvalidArgumentError, NotFoundError } from '../errors.js';
import type { AuditLog } from './audit-log.js';
import type { ModelVersionStore } from './model-version-store.js';
import type { RegisteredModelStore } from './registered-model-store.js';
import { registryDb, type RegistryDb } from './registry-schema.js';
import type { ChangeContext, ModelVersion } from './registry-types.js';
import {
  isStorableVersion,
  modelNotFound,
  parseVersion,
  validateAliasName,
  validateAliasNotReserved,
  validateModelName,
  versionNotFound,
} from './registry-validation.js';

/**
 * Asked before an alias is set or deleted through this service; throws (a
 * FerryError) to refuse, e.g. when a promotion policy governs the alias.
 */
export type AliasGuard = (target: { name: string; alias: string; version?: number; action: 'set' | 'delete' }) => Promise<void>;

/**
 * Registered model aliases (`models:/name@alias`): set, move, delete, resolve.
 * A move is one upsert in the transaction that writes its audit row, so two
 * concurrent moves of one alias both commit, one after the other, and both are recorded.
 */
export class ModelAliasService {
  private readonly db: RegistryDb;

  constructor(
    database: Database,
    private readonly models: RegisteredModelStore,
    private readonly versions: ModelVersionStore,
    private readonly audit: AuditLog,
    private readonly guard: { current?: AliasGuard } = {},
  ) {
    this.db = registryDb(database);
  }

  /** Points `alias` at `version` (creating or moving it). The version must exist. */
  async set(name: unknown, alias: unknown, version: unknown, ctx: ChangeContext): Promise<void> {
    const n = validateModelName(name);
    const a = validateAliasNotReserved(validateAliasName(alias));
    const v = parseVersion(version);
    await this.guard.current?.({ name: n, alias: a, version: v, action: 'set' });
    await this.db.transaction().execute(async (trx) => {
      // Under the model's lock, so a concurrent delete cannot leave a dangling alias and `before` is exact.
      if (!(await this.models.lock(trx, n))) throw modelNotFound(n);
      if (!isStorableVersion(v) || !(await this.versions.getOne(trx, n, v))) throw versionNotFound(n, v);
      const before = await this.models.getAlias(trx, n, a);
      await this.models.setAlias(trx, n, a, v);
      await this.audit.append(trx, {
        actor: ctx.actor,
        entityType: 'registered_model_alias',
        entityName: n,
        entityVersion: v,
        action: 'set_alias',
        before: before === undefined ? null : { alias: a, version: before },
        after: { alias: a, version: v },
      });
    });
  }

  /** Removes `alias`; an alias that is not there is no error, as in MLflow. */
  async delete(name: unknown, alias: unknown, ctx: ChangeContext): Promise<void> {
    const n = validateModelName(name);
    const a = validateAliasName(alias);
    await this.guard.current?.({ name: n, alias: a, action: 'delete' });
    await this.db.transaction().execute(async (trx) => {
      if (!(await this.models.lock(trx, n))) throw modelNotFound(n);
      const before = await this.models.getAlias(trx, n, a);
      if (before === undefined) return;
      await this.models.deleteAlias(trx, n, a);
      await this.audit.append(trx, {
        actor: ctx.actor,
        entityType: 'registered_model_alias',
        entityName: n,
        entityVersion: before,
        action: 'delete_alias',
        before: { alias: a, version: before },
      });
    });
  }

  /**
   * The version `alias` points at. `latest` (any case) is the newest version.
   * @throws InvalidArgumentError when the model has no such alias (MLflow's code for it).
   */
  async get(name: unknown, alias: unknown): Promise<ModelVersion> {
    const n = validateModelName(name);
    const a = validateAliasName(alias);
    if (!(await this.models.exists(this.db, n))) throw modelNotFound(n);
    if (a.toLowerCase() === 'latest') {
      const latest = await this.versions.latestPerStage(this.db, [n]);
      const newest = latest.reduce<ModelVersion | undefined>((best, v) => (!best || v.version > best.version ? v : best), undefined);
      if (!newest) throw new NotFoundError(`Latest version not found for model ${n}.`);
      return newest;
    }
    const version = await this.models.getAlias(this.db, n, a);
    if (version === undefined) throw new InvalidArgumentError(`Registered model alias ${a} not found.`);
    const mv = await this.versions.getOne(this.db, n, version);
    if (!mv) throw versionNotFound(n, version);
    return mv;
  }
}
