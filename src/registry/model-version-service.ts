import type { ArtifactStore } from '../backends/artifacts/artifact-store.js';
import type { Database } from '../backends/database/database.js';
import { joinArtifactPath, proxyPathOf } from '../backends/artifacts/artifact-path.js';
import { ConflictError, InternalError, InvalidArgumentError, NotFoundError } from '../errors.js';
import type { LoggedModelService } from '../tracking/logged-model-service.js';
import type { RunService } from '../tracking/run-service.js';
import { validateMaxResults } from '../tracking/tracking-limits.js';
import type { AuditLog } from './audit-log.js';
import { checkSource, resolveSource, type ResolvedSource } from './model-source.js';
import { encodeSignature, inspectModelPackage, parseMlModel, type ModelPackageInfo } from './model-package/index.js';
import type { ModelVersionStore, VersionKey } from './model-version-store.js';
import type { GuardRef } from './registered-model-service.js';
import type { RegisteredModelStore } from './registered-model-store.js';
import { registryDb, type RegistryDb, type RegistryTrx } from './registry-schema.js';
import { searchModelVersionKeys } from './registry-search.js';
import { versionSnapshot } from './registry-snapshots.js';
import { ACTIVE_STAGES, IS_PROMPT_TAG, type ChangeContext, type ModelVersion, type Page, type Tag } from './registry-types.js';
import {
  canonicalStage,
  isStorableVersion,
  limitLength,
  modelNotFound,
  parseVersion,
  validateDescription,
  validateModelName,
  validateRegistryTag,
  validateRegistryTags,
  validateTagKey,
  versionNotFound,
} from './registry-validation.js';

/** A primary-key clash: another writer took the number (possible only across processes sharing SQLite). */
function isUniqueViolation(err: unknown): boolean {
  const code = String((err as { code?: unknown } | null)?.code ?? '');
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** MLflow 3's logged-model tag listing the registered versions made from the model. */
const MODEL_VERSIONS_TAG = 'mlflow.modelVersions';
const CREATE_ATTEMPTS = 3;
/** Real MLmodel files are a few KB; past this the package inspector refuses them. */
const MAX_MLMODEL_BYTES = 1024 * 1024;

export interface CreateModelVersionInput {
  name: unknown;
  source: unknown;
  runId?: string;
  modelId?: string;
  tags?: Tag[];
  runLink?: string;
  description?: string;
  userId?: string | null;
}

export interface ModelVersionDeps {
  database: Database;
  models: RegisteredModelStore;
  versions: ModelVersionStore;
  audit: AuditLog;
  runs: RunService;
  loggedModels?: LoggedModelService;
  artifacts?: ArtifactStore;
  guard: GuardRef;
  resolveModelUri(uri: string): Promise<ModelVersion>;
  clock?: () => number;
}

/**
 * Model versions: numbered per model from 1, created from a run's artifacts,
 * a logged model or any artifact URI; stages, tags, description, search.
 * Every change and its audit row commit together.
 */
const INFERRED_SIGNATURE_TAG = 'ferry.signature.inferred';

export class ModelVersionService {
  private readonly db: RegistryDb;
  private readonly clock: () => number;

  constructor(private readonly deps: ModelVersionDeps) {
    this.db = registryDb(deps.database);
    this.clock = deps.clock ?? Date.now;
  }

  /**
   * Registers a new version of an existing registered model. The number is
   * allocated under the model's write lock, so concurrent creates never collide.
   * @throws NotFoundError for an unknown model, run or logged model.
   * @throws InvalidArgumentError for a bad name, source or tag.
   */
  /** Version tag holding the signature inferred from an ONNX graph whose package declared none (MLflow's JSON form). */
  static readonly INFERRED_SIGNATURE_TAG = INFERRED_SIGNATURE_TAG;

  async create(input: CreateModelVersionInput, ctx: ChangeContext): Promise<ModelVersion> {
    const name = validateModelName(input.name);
    if (typeof input.source !== 'string' || input.source === '') throw new InvalidArgumentError("Missing value for required parameter 'source'.");
    const source = limitLength('source', 10_000, input.source);
    const tags = validateRegistryTags(input.tags);
    const description = validateDescription(input.description) ?? '';
    if (!(await this.deps.models.exists(this.db, name))) throw modelNotFound(name);
    const isPrompt = tags.some((t) => t.key === IS_PROMPT_TAG && t.value === 'true');
    await checkSource(source, { runId: input.runId, modelId: input.modelId, isPrompt }, this.deps);
    const resolved: ResolvedSource = isPrompt
      ? { storageLocation: source, runId: input.runId || null, modelId: input.modelId || null }
      : await resolveSource(source, { runId: input.runId, modelId: input.modelId }, this.deps);
    const inspected = isPrompt ? undefined : await this.inspectPackage(resolved.storageLocation);
    // A package without a signature gets the one its graph implies, recorded with the version.
    if (inspected?.signatureInferred && inspected.signature && !tags.some((t) => t.key === INFERRED_SIGNATURE_TAG)) {
      tags.push({ key: INFERRED_SIGNATURE_TAG, value: JSON.stringify(encodeSignature(inspected.signature)) });
    }
    const version = await this.insertNext(name, ctx, (v, now) => ({
      name,
      version: v,
      creationTimestamp: now,
      lastUpdatedTimestamp: now,
      description,
      userId: input.userId ?? null,
      currentStage: 'None',
      source,
      runId: resolved.runId,
      runLink: input.runLink ?? '',
      status: 'READY',
      statusMessage: null,
      storageLocation: resolved.storageLocation,
      modelId: resolved.modelId,
      tags,
      aliases: [],
    }));
    if (resolved.modelId && !isPrompt) await this.linkLoggedModel(resolved.modelId, name, version);
    return this.get(name, version);
  }

  /**
   * Refuses an ONNX package that would not serve (missing or corrupt graph, an
   * opset the runtime cannot load, a signature that disagrees with the graph)
   * before anything is written. Sources Ferry cannot read, folders without an
   * MLmodel and other flavors pass unchecked, as MLflow accepts them.
   */
  private async inspectPackage(storageLocation: string): Promise<ModelPackageInfo | undefined> {
    const artifacts = this.deps.artifacts;
    const path = artifacts ? proxyPathOf(storageLocation) : undefined;
    if (!artifacts || path === undefined) return;
    let text: string;
    try {
      const file = await artifacts.get(joinArtifactPath(path, 'MLmodel'));
      if (file.size > MAX_MLMODEL_BYTES) {
        file.stream.destroy();
        // The inspector refuses it, naming its limit.
        await inspectModelPackage(artifacts, path);
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of file.stream) chunks.push(Buffer.from(chunk as Uint8Array));
      text = Buffer.concat(chunks).toString('utf8');
    } catch (err) {
      if (err instanceof NotFoundError) return;
      throw err;
    }
    let flavors: string[];
    try {
      flavors = Object.keys(parseMlModel(text).flavors);
    } catch {
      // An MLmodel Ferry cannot read is not known to be ONNX; MLflow would take it.
      return;
    }
    return flavors.includes('onnx') ? inspectModelPackage(artifacts, path) : undefined;
  }

  /** Inserts the model's next version number, retrying if another writer took it first. */
  private async insertNext(name: string, ctx: ChangeContext, build: (version: number, now: number) => ModelVersion): Promise<number> {
    let lastError: unknown;
    for (let attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
      try {
        return await this.db.transaction().execute(async (trx) => {
          const now = this.clock();
          // Taking the model's write lock first makes the max+1 below safe against concurrent creates.
          if (!(await this.deps.models.touch(trx, name, now))) throw modelNotFound(name);
          const mv = build((await this.deps.versions.maxVersion(trx, name)) + 1, now);
          await this.deps.versions.insert(trx, mv);
          await this.deps.audit.append(trx, {
            actor: ctx.actor,
            entityType: 'model_version',
            entityName: name,
            entityVersion: mv.version,
            action: 'create',
            after: versionSnapshot(mv),
          });
          return mv.version;
        });
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        lastError = err;
      }
    }
    throw new InternalError(`Model Version creation error (name=${name}). Giving up after ${CREATE_ATTEMPTS} attempts.`, { cause: lastError });
  }

  /** Records the new version on the logged model it came from, as MLflow's server does. */
  private async linkLoggedModel(modelId: string, name: string, version: number): Promise<void> {
    const loggedModels = this.deps.loggedModels;
    if (!loggedModels) return;
    let model;
    try {
      model = await loggedModels.get(modelId);
    } catch (err) {
      // Deleted since the version was made: the version stands, there is nothing to record it on.
      if (err instanceof NotFoundError) return;
      throw err;
    }
    let list: unknown[] = [];
    try {
      const parsed = JSON.parse(model.tags.find((t) => t.key === MODEL_VERSIONS_TAG)?.value ?? '[]');
      if (Array.isArray(parsed)) list = parsed;
    } catch {
      // A tag someone else wrote badly is replaced.
    }
    await loggedModels.setTags(modelId, [{ key: MODEL_VERSIONS_TAG, value: JSON.stringify([...list, { name, version }]) }]);
  }

  /** The version, which must exist and not be deleted. */
  async get(name: unknown, version: unknown): Promise<ModelVersion> {
    const key = this.key(name, version);
    const mv = await this.deps.versions.getOne(this.db, key.name, key.version);
    if (!mv) throw versionNotFound(key.name, key.version);
    return mv;
  }

  /** Where to download the version's files: its resolved storage location, else its source. */
  async getDownloadUri(name: unknown, version: unknown): Promise<string> {
    const mv = await this.get(name, version);
    return mv.storageLocation || mv.source || '';
  }

  /** Sets the description; MLflow's update clears it when none is given. */
  async update(name: unknown, version: unknown, description: string | undefined, ctx: ChangeContext): Promise<ModelVersion> {
    const current = await this.get(name, version);
    const next = validateDescription(description) ?? '';
    await this.change(ctx, current, 'update', { description: current.description }, { description: next }, async (trx, now) => {
      await this.deps.versions.update(trx, current, { description: next, last_updated_time: now });
    }, false);
    return this.get(current.name, current.version);
  }

  /**
   * Moves the version to `stage`. With `archiveExisting` (Staging or
   * Production only), the model's other versions in that stage become Archived
   * in the same transaction.
   */
  async transitionStage(name: unknown, version: unknown, stage: unknown, archiveExisting: boolean, ctx: ChangeContext): Promise<ModelVersion> {
    const target = canonicalStage(stage);
    if (archiveExisting && !ACTIVE_STAGES.includes(target)) {
      throw new InvalidArgumentError(
        `Model version transition cannot archive existing model versions because '${String(stage)}' is not an Active stage. ` +
          `Valid stages are ${JSON.stringify(ACTIVE_STAGES).replace(/"/g, "'").replace(/,/g, ', ')}`,
      );
    }
    const current = await this.get(name, version);
    await this.change(ctx, current, 'transition_stage', { currentStage: current.currentStage }, { currentStage: target }, async (trx, now) => {
      if (archiveExisting) {
        const others = await this.deps.versions.inStage(trx, current.name, target, current.version);
        for (const v of others) await this.deps.versions.update(trx, { name: current.name, version: v }, { current_stage: 'Archived', last_updated_time: now });
        await this.deps.audit.appendMany(
          trx,
          others.map((v) => ({
            actor: ctx.actor,
            entityType: 'model_version' as const,
            entityName: current.name,
            entityVersion: v,
            action: 'transition_stage',
            before: { currentStage: target },
            after: { currentStage: 'Archived', archivedBy: current.version },
          })),
        );
      }
      await this.deps.versions.update(trx, current, { current_stage: target, last_updated_time: now });
    });
    return this.get(current.name, current.version);
  }

  /**
   * Deletes the version as MLflow does: its number stays taken, its aliases go.
   * @throws ConflictError when the deletion guard names something that still uses it.
   */
  async delete(name: unknown, version: unknown, ctx: ChangeContext): Promise<void> {
    const current = await this.get(name, version);
    const blockers = await this.deps.guard.current({ name: current.name, version: current.version });
    if (blockers.length > 0) {
      throw new ConflictError(
        `Cannot delete version ${current.version} of registered model '${current.name}': it is in use by ${blockers.join(', ')}. Remove or repoint those first.`,
        { details: { blockers } },
      );
    }
    await this.db.transaction().execute(async (trx) => {
      const now = this.clock();
      await this.deps.models.touch(trx, current.name, now);
      const aliases = await this.deps.models.deleteAliasesOf(trx, current.name, current.version);
      await this.deps.versions.softDelete(trx, current, now);
      await this.deps.audit.appendMany(trx, [
        ...aliases.map((a) => ({
          actor: ctx.actor,
          entityType: 'registered_model_alias' as const,
          entityName: current.name,
          entityVersion: a.version,
          action: 'delete_alias',
          before: a,
        })),
        { actor: ctx.actor, entityType: 'model_version' as const, entityName: current.name, entityVersion: current.version, action: 'delete', before: versionSnapshot(current) },
      ]);
    });
  }

  async setTag(name: unknown, version: unknown, key: unknown, value: unknown, ctx: ChangeContext): Promise<void> {
    const k = this.key(name, version);
    const tag = validateRegistryTag({ key, value });
    const current = await this.get(k.name, k.version);
    const before = current.tags.find((t) => t.key === tag.key);
    await this.change(ctx, current, 'set_tag', before ?? null, tag, async (trx) => {
      await this.deps.versions.setTag(trx, current, tag);
    }, false);
  }

  /** Deletes a tag; a tag that is not there is no error, as in MLflow. */
  async deleteTag(name: unknown, version: unknown, key: unknown, ctx: ChangeContext): Promise<void> {
    const k = this.key(name, version);
    const tagKey = validateTagKey(key);
    const current = await this.get(k.name, k.version);
    const before = current.tags.find((t) => t.key === tagKey);
    if (!before) return;
    await this.change(ctx, current, 'delete_tag', before, null, async (trx) => {
      await this.deps.versions.deleteTag(trx, current, tagKey);
    }, false);
  }

  async search(input: { filter?: string; maxResults?: number; orderBy?: string[]; pageToken?: string }): Promise<Page<ModelVersion>> {
    const maxResults = validateMaxResults(input.maxResults, 10_000, 200_000);
    const { keys, nextPageToken } = await searchModelVersionKeys(this.db, this.deps.database.dialect, {
      filter: input.filter,
      orderBy: input.orderBy,
      maxResults,
      pageToken: input.pageToken,
    });
    return { items: await this.deps.versions.getMany(this.db, keys), nextPageToken };
  }

  /** Runs `apply` and the audit row in one transaction; `touchModel` also bumps the model's last update (as MLflow does for stage moves). */
  private async change(
    ctx: ChangeContext,
    current: ModelVersion,
    action: string,
    before: unknown,
    after: unknown,
    apply: (trx: RegistryTrx, now: number) => Promise<void>,
    touchModel = true,
  ): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const now = this.clock();
      const found = touchModel ? await this.deps.models.touch(trx, current.name, now) : await this.deps.models.lock(trx, current.name);
      if (!found) throw modelNotFound(current.name);
      await apply(trx, now);
      await this.deps.audit.append(trx, {
        actor: ctx.actor,
        entityType: 'model_version',
        entityName: current.name,
        entityVersion: current.version,
        action,
        before,
        after,
      });
    });
  }

  private key(name: unknown, version: unknown): VersionKey {
    const n = validateModelName(name);
    const v = parseVersion(version);
    if (!isStorableVersion(v)) throw versionNotFound(n, v);
    return { name: n, version: v };
  }
}
