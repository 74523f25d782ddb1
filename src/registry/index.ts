/** The model registry: what other modules (serving, the CLI, the server) may import. */
export { ModelRegistry, parseModelUri } from './model-registry.js';
export type { ModelRegistryOptions, ParsedModelUri } from './model-registry.js';
export { registryRoutes, registerAuditRoutes, AUDIT_PATH } from './registry-routes.js';
export type { AuditQuery, AuditRecord } from './audit-log.js';
export { STAGES, DELETED_STAGE, IS_PROMPT_TAG } from './registry-types.js';
export type {
  AuditEntry,
  ChangeContext,
  DeletionGuard,
  ModelVersion,
  ModelVersionStatus,
  RegisteredModel,
  RegisteredModelAlias,
  Stage,
} from './registry-types.js';
