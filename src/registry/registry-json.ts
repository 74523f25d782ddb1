import { compact, type Json } from '../tracking/mlflow-json.js';
import type { AuditEntry, ModelVersion, RegisteredModel } from './registry-types.js';

/**
 * MLflow's ModelVersion as protobuf JSON: the version number is a string,
 * unset fields and empty lists are left out. `model_id` (proto field 15) is
 * included where known; MLflow's own server leaves it out, clients ignore it.
 */
export function modelVersionJson(v: ModelVersion): Json {
  return compact({
    name: v.name,
    version: String(v.version),
    creation_timestamp: v.creationTimestamp,
    last_updated_timestamp: v.lastUpdatedTimestamp,
    user_id: v.userId,
    current_stage: v.currentStage,
    description: v.description,
    source: v.source,
    run_id: v.runId,
    status: v.status,
    status_message: v.statusMessage || undefined,
    tags: v.tags.map((t) => ({ key: t.key, value: t.value })),
    run_link: v.runLink,
    aliases: v.aliases,
    model_id: v.modelId,
  });
}

/** MLflow's RegisteredModel as protobuf JSON; an empty description is left out, as MLflow does. */
export function registeredModelJson(m: RegisteredModel): Json {
  return compact({
    name: m.name,
    creation_timestamp: m.creationTimestamp,
    last_updated_timestamp: m.lastUpdatedTimestamp,
    description: m.description || undefined,
    latest_versions: m.latestVersions.map(modelVersionJson),
    tags: m.tags.map((t) => ({ key: t.key, value: t.value })),
    aliases: m.aliases.map((a) => ({ alias: a.alias, version: String(a.version) })),
  });
}

/** An audit row on Ferry's own API. */
export function auditEntryJson(e: AuditEntry): Json {
  return {
    id: e.id,
    at: e.at,
    actor: e.actor,
    entityType: e.entityType,
    entityName: e.entityName,
    entityVersion: e.entityVersion,
    action: e.action,
    before: e.before,
    after: e.after,
  };
}
