import type { ArtifactStore } from '../backends/artifacts/artifact-store.js';
import type { Database } from '../backends/database/database.js';
import { InvalidArgumentError, NotFoundError } from '../errors.js';
import type { LoggedModelService } from '../tracking/logged-model-service.js';
import type { RunService } from '../tracking/run-service.js';
import { AuditLog } from './audit-log.js';
import { ModelAliasService, type AliasGuard } from './model-alias-service.js';
import { ModelVersionService } from './model-version-service.js';
import { ModelVersionStore } from './model-version-store.js';
import { NO_DELETION_GUARD, RegisteredModelService, type GuardRef } from './registered-model-service.js';
import { RegisteredModelStore } from './registered-model-store.js';
import type { DeletionGuard, ModelVersion } from './registry-types.js';
import { canonicalStage } from './registry-validation.js';

export interface ModelRegistryOptions {
  database: Database;
  runs: RunService;
  /** MLflow 3's logged models, for `models:/m-…` sources. */
  loggedModels?: LoggedModelService;
  /** Lets `runs:/` sources fall back to the run's logged model when the run's own folder has no MLmodel. */
  artifacts?: ArtifactStore;
  deletionGuard?: DeletionGuard;
  clock?: () => number;
}

/** `models:/name/1`, `models:/name/latest`, `models:/name/Production`, `models:/name@alias`. */
export type ParsedModelUri =
  | { name: string; version: number }
  | { name: string; latest: true }
  | { name: string; stage: string }
  | { name: string; alias: string }
  | { modelId: string };

function improper(uri: string): never {
  throw new InvalidArgumentError(
    `Not a proper models:/ URI: ${uri}. Models URIs must be of the form 'models:/name/suffix' or 'models:/name@alias' where suffix is a version, ` +
      "stage, or the string 'latest' and where alias is a registered model alias. Only one of suffix or alias can be defined at a time.",
  );
}

/** Parses a `models:/` URI as MLflow's `_parse_model_uri` does. */
export function parseModelUri(uri: string): ParsedModelUri {
  if (typeof uri !== 'string' || !uri.startsWith('models:/')) improper(String(uri));
  const path = uri.slice('models:'.length).replace(/[?#].*$/s, '');
  if (path.length <= 1) improper(uri);
  const parts = path.replace(/^\/+/, '').split('/');
  if (parts.length > 2 || parts[0]!.trim() === '') improper(uri);
  if (parts.length === 2) {
    const [name, suffix] = parts as [string, string];
    if (suffix.trim() === '') improper(uri);
    if (/^\d+$/.test(suffix)) return { name, version: Number(suffix) };
    if (suffix.toLowerCase() === 'latest') return { name, latest: true };
    return { name, stage: suffix };
  }
  const at = parts[0]!.lastIndexOf('@');
  if (at >= 0) {
    const name = parts[0]!.slice(0, at);
    const alias = parts[0]!.slice(at + 1);
    if (alias.trim() === '' || name === '') improper(uri);
    return { name, alias };
  }
  return { modelId: parts[0]! };
}

/**
 * The model registry: registered models, versions and aliases, the audit log
 * they write, and `models:/` URI resolution for serving.
 */
export class ModelRegistry {
  readonly models: RegisteredModelService;
  readonly versions: ModelVersionService;
  readonly aliases: ModelAliasService;
  readonly audit: AuditLog;
  private readonly guard: GuardRef;
  private readonly aliasGuard: { current?: AliasGuard } = {};

  constructor(options: ModelRegistryOptions) {
    const { database, clock } = options;
    const versionStore = new ModelVersionStore(database);
    const modelStore = new RegisteredModelStore(database, versionStore);
    this.guard = { current: options.deletionGuard ?? NO_DELETION_GUARD };
    this.audit = new AuditLog(database, clock);
    this.models = new RegisteredModelService(database, modelStore, versionStore, this.audit, this.guard, clock);
    this.aliases = new ModelAliasService(database, modelStore, versionStore, this.audit, this.aliasGuard);
    this.versions = new ModelVersionService({
      database,
      models: modelStore,
      versions: versionStore,
      audit: this.audit,
      runs: options.runs,
      loggedModels: options.loggedModels,
      artifacts: options.artifacts,
      guard: this.guard,
      resolveModelUri: (uri) => this.resolveModelUri(uri),
      clock,
    });
  }

  /**
   * Installs what a registered model (or version) delete must ask first, e.g.
   * "is a deployment serving it?". Replaces any earlier guard.
   */
  setDeletionGuard(guard: DeletionGuard): void {
    this.guard.current = guard;
  }

  /**
   * Installs what a direct alias set or delete must ask first (governance:
   * "is this alias under a promotion policy?"). Replaces any earlier guard.
   */
  setAliasGuard(guard: AliasGuard): void {
    this.aliasGuard.current = guard;
  }

  /**
   * The model version a `models:/` URI names: `models:/NAME/VERSION`,
   * `models:/NAME@alias`, `models:/NAME/latest` (newest version) or the legacy
   * `models:/NAME/<stage>` (newest version in that stage).
   * @throws NotFoundError when the model, version, stage or alias has nothing.
   * @throws InvalidArgumentError for a URI of another form (a logged model's `models:/m-…` included).
   */
  async resolveModelUri(uri: string): Promise<ModelVersion> {
    const parsed = parseModelUri(uri);
    if ('modelId' in parsed) {
      throw new InvalidArgumentError(`'${uri}' names a logged model, not a registered model version; use models:/<name>/<version> or models:/<name>@<alias>.`);
    }
    if ('version' in parsed) return this.versions.get(parsed.name, parsed.version);
    if ('alias' in parsed) return this.aliases.get(parsed.name, parsed.alias);
    if ('latest' in parsed) return this.aliases.get(parsed.name, 'latest');
    const stage = canonicalStage(parsed.stage);
    const [newest] = await this.models.getLatestVersions(parsed.name, [stage]);
    if (!newest) throw new NotFoundError(`No versions of model with name '${parsed.name}' and stage '${stage}' found`);
    return newest;
  }
}
