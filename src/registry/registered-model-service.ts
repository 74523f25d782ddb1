import type { Database } from '../backends/database/database.js';
import { AlreadyExistsError, ConflictError, InvalidArgumentError } from '../errors.js';
import { validateMaxResults } from '../tracking/tracking-limits.js';
import type { AuditLog } from './audit-log.js';
import type { ModelVersionStore } from './model-version-store.js';
import type { RegisteredModelStore } from './registered-model-store.js';
import { registryDb, type RegistryDb } from './registry-schema.js';
import { searchRegisteredModelNames } from './registry-search.js';
import { modelSnapshot } from './registry-snapshots.js';
import { DELETED_STAGE, IS_PROMPT_TAG, type ChangeContext, type DeletionGuard, type ModelVersion, type Page, type RegisteredModel, type Tag } from './registry-types.js';
import { canonicalStage, modelNotFound, validateDescription, validateModelName, validateRegistryTag, validateRegistryTags, validateTagKey } from './registry-validation.js';

/** Where the registry keeps its deletion guard, shared by the services that delete. */
export interface GuardRef {
  current: DeletionGuard;
}

export const NO_DELETION_GUARD: DeletionGuard = async () => [];

const isPrompt = (tags: Tag[]) => tags.some((t) => t.key === IS_PROMPT_TAG && t.value === 'true');

/** MLflow's `handle_resource_already_exist_error`: models and prompts share one namespace. */
function duplicateName(name: string, existingIsPrompt: boolean, newIsPrompt: boolean): AlreadyExistsError {
  const existing = existingIsPrompt ? 'Prompt' : 'Registered Model';
  const created = newIsPrompt ? 'Prompt' : 'Registered Model';
  if (existing !== created) {
    return new AlreadyExistsError(
      `Tried to create a ${created.toLowerCase()} with name '${name}', but the name is already taken by a ${existing.toLowerCase()}. ` +
        'MLflow does not allow creating a model and a prompt with the same name.',
    );
  }
  return new AlreadyExistsError(`${created} (name=${name}) already exists.`);
}

/**
 * Registered models: create, read, rename, describe, delete, tags, search and
 * latest versions per stage. Every change and its audit row commit together.
 */
export class RegisteredModelService {
  private readonly db: RegistryDb;

  constructor(
    private readonly database: Database,
    private readonly store: RegisteredModelStore,
    private readonly versions: ModelVersionStore,
    private readonly audit: AuditLog,
    private readonly guard: GuardRef = { current: NO_DELETION_GUARD },
    private readonly clock: () => number = Date.now,
  ) {
    this.db = registryDb(database);
  }

  async create(input: { name: unknown; tags?: Tag[]; description?: string }, ctx: ChangeContext): Promise<RegisteredModel> {
    const name = validateModelName(input.name);
    const tags = validateRegistryTags(input.tags);
    const description = validateDescription(input.description) ?? null;
    const existing = await this.store.getOne(this.db, name);
    if (existing) throw duplicateName(name, isPrompt(existing.tags), isPrompt(tags));
    try {
      await this.db.transaction().execute(async (trx) => {
        await this.store.insert(trx, { name, now: this.clock(), description, tags });
        const created = await this.store.getOne(trx, name);
        await this.audit.append(trx, { actor: ctx.actor, entityType: 'registered_model', entityName: name, action: 'create', after: modelSnapshot(created!) });
      });
    } catch (err) {
      // Another request created it between our read and our write.
      const raced = await this.store.getOne(this.db, name);
      if (raced) throw duplicateName(name, isPrompt(raced.tags), isPrompt(tags));
      throw err;
    }
    return this.get(name);
  }

  async get(name: unknown): Promise<RegisteredModel> {
    const n = validateModelName(name);
    const m = await this.store.getOne(this.db, n);
    if (!m) throw modelNotFound(n);
    return m;
  }

  async rename(name: unknown, newName: unknown, ctx: ChangeContext): Promise<RegisteredModel> {
    if (typeof newName !== 'string' || newName.trim() === '') throw new InvalidArgumentError("Missing value for required parameter 'new_name'.");
    const target = validateModelName(newName, 'new_name');
    const current = await this.get(name);
    if (target !== current.name && (await this.store.exists(this.db, target))) {
      throw new AlreadyExistsError(`Registered Model (name=${target}) already exists.`);
    }
    try {
      await this.db.transaction().execute(async (trx) => {
        const now = this.clock();
        if (!(await this.store.rename(trx, current.name, target, now))) throw modelNotFound(current.name);
        await this.versions.touchAll(trx, target, now);
        await this.audit.append(trx, {
          actor: ctx.actor,
          entityType: 'registered_model',
          entityName: target,
          action: 'rename',
          before: { name: current.name },
          after: { name: target },
        });
      });
    } catch (err) {
      if (target !== current.name && (await this.store.exists(this.db, target))) {
        throw new AlreadyExistsError(`Registered Model (name=${target}) already exists.`);
      }
      throw err;
    }
    return this.get(target);
  }

  /** Sets the description; MLflow's update clears it when none is given. */
  async update(name: unknown, description: string | undefined, ctx: ChangeContext): Promise<RegisteredModel> {
    const current = await this.get(name);
    const next = validateDescription(description) ?? '';
    await this.db.transaction().execute(async (trx) => {
      if (!(await this.store.setDescription(trx, current.name, next, this.clock()))) throw modelNotFound(current.name);
      await this.audit.append(trx, {
        actor: ctx.actor,
        entityType: 'registered_model',
        entityName: current.name,
        action: 'update',
        before: { description: current.description },
        after: { description: next },
      });
    });
    return this.get(current.name);
  }

  /**
   * Deletes the model with its versions, tags and aliases.
   * @throws ConflictError when the deletion guard names something that still uses it (a deployment).
   */
  async delete(name: unknown, ctx: ChangeContext): Promise<void> {
    const current = await this.get(name);
    const blockers = await this.guard.current({ name: current.name });
    if (blockers.length > 0) {
      throw new ConflictError(
        `Cannot delete registered model '${current.name}': it is in use by ${blockers.join(', ')}. Remove or repoint those first.`,
        { details: { blockers } },
      );
    }
    await this.db.transaction().execute(async (trx) => {
      if (!(await this.store.lock(trx, current.name))) throw modelNotFound(current.name);
      const live = await trx
        .selectFrom('model_versions')
        .select(['version', 'current_stage'])
        .where('name', '=', current.name)
        .where('current_stage', '<>', DELETED_STAGE)
        .orderBy('version')
        .execute();
      await this.store.delete(trx, current.name);
      await this.audit.append(trx, {
        actor: ctx.actor,
        entityType: 'registered_model',
        entityName: current.name,
        action: 'delete',
        before: { ...modelSnapshot(current), versions: live.map((v) => ({ version: Number(v.version), currentStage: v.current_stage })) },
      });
    });
  }

  async setTag(name: unknown, key: unknown, value: unknown, ctx: ChangeContext): Promise<void> {
    const n = validateModelName(name);
    const tag = validateRegistryTag({ key, value });
    const current = await this.get(n);
    await this.db.transaction().execute(async (trx) => {
      if (!(await this.store.lock(trx, current.name))) throw modelNotFound(current.name);
      const before = await this.store.getTag(trx, current.name, tag.key);
      await this.store.setTag(trx, current.name, tag);
      await this.audit.append(trx, {
        actor: ctx.actor,
        entityType: 'registered_model',
        entityName: current.name,
        action: 'set_tag',
        before: before === undefined ? null : { key: tag.key, value: before },
        after: tag,
      });
    });
  }

  /** Deletes a tag; a tag that is not there is no error, as in MLflow. */
  async deleteTag(name: unknown, key: unknown, ctx: ChangeContext): Promise<void> {
    const n = validateModelName(name);
    const k = validateTagKey(key);
    const current = await this.get(n);
    await this.db.transaction().execute(async (trx) => {
      if (!(await this.store.lock(trx, current.name))) throw modelNotFound(current.name);
      const before = await this.store.getTag(trx, current.name, k);
      if (before === undefined) return;
      await this.store.deleteTag(trx, current.name, k);
      await this.audit.append(trx, {
        actor: ctx.actor,
        entityType: 'registered_model',
        entityName: current.name,
        action: 'delete_tag',
        before: { key: k, value: before },
      });
    });
  }

  async search(input: { filter?: string; maxResults?: number; orderBy?: string[]; pageToken?: string }): Promise<Page<RegisteredModel>> {
    const maxResults = validateMaxResults(input.maxResults, 100, 1000);
    const { names, nextPageToken } = await searchRegisteredModelNames(this.db, this.database.dialect, {
      filter: input.filter,
      orderBy: input.orderBy,
      maxResults,
      pageToken: input.pageToken,
    });
    return { items: await this.store.getMany(this.db, names), nextPageToken };
  }

  /** The newest version in each of `stages` (every stage when none is given), ordered by version, with aliases. */
  async getLatestVersions(name: unknown, stages: string[] = []): Promise<ModelVersion[]> {
    const current = await this.get(name);
    const wanted = new Set<string>(stages.map(canonicalStage));
    const latest = current.latestVersions.filter((v) => wanted.size === 0 || wanted.has(v.currentStage));
    return this.versions.getMany(this.db, latest.map((v) => ({ name: v.name, version: v.version })));
  }
}
