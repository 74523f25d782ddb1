import type { Tag } from '../tracking/tracking-types.js';

export type { Tag };

/** MLflow's legacy model version stages, in its canonical spelling. */
export const STAGES = ['None', 'Staging', 'Production', 'Archived'] as const;
export type Stage = (typeof STAGES)[number];
/** The stages `archive_existing_versions` may be used with. */
export const ACTIVE_STAGES: readonly Stage[] = ['Staging', 'Production'];
/** A soft-deleted version keeps its row (and so its number) with this stage, as in MLflow. */
export const DELETED_STAGE = 'Deleted_Internal';

export type ModelVersionStatus = 'PENDING_REGISTRATION' | 'FAILED_REGISTRATION' | 'READY';

/** The tag MLflow 3 puts on registered models (and versions) that are prompts, not models. */
export const IS_PROMPT_TAG = 'mlflow.prompt.is_prompt';

export interface ModelVersion {
  name: string;
  version: number;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description: string | null;
  userId: string | null;
  currentStage: string;
  source: string | null;
  runId: string | null;
  runLink: string | null;
  status: ModelVersionStatus;
  statusMessage: string | null;
  /** Where the files are: the resolved `source` (a runs:/ or models:/ URI resolved to an artifact URI). */
  storageLocation: string | null;
  /** MLflow 3's logged model id (`m-…`) the version came from, if any. */
  modelId: string | null;
  tags: Tag[];
  aliases: string[];
}

export interface RegisteredModelAlias {
  alias: string;
  version: number;
}

export interface RegisteredModel {
  name: string;
  creationTimestamp: number;
  lastUpdatedTimestamp: number;
  description: string | null;
  tags: Tag[];
  aliases: RegisteredModelAlias[];
  /** The newest version in each stage, by version number. */
  latestVersions: ModelVersion[];
}

/** Who made a registry change: the token's name when auth is on, else the caller's user id or 'anonymous'. */
export interface ChangeContext {
  actor: string;
}

export type AuditEntityType = 'registered_model' | 'model_version' | 'registered_model_alias' | 'deployment';

/** One row of the append-only audit log. `before`/`after` are the entity's state (null when it did not exist). */
export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  entityType: AuditEntityType;
  entityName: string;
  entityVersion: number | null;
  action: string;
  before: unknown;
  after: unknown;
}

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

/**
 * Asked before a registered model (or one version) is deleted. Returns why it
 * must stay, e.g. the deployments serving it; an empty list allows the delete.
 */
export type DeletionGuard = (target: { name: string; version?: number }) => Promise<string[]>;
