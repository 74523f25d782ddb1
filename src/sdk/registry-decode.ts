import type { AuditEntityType, AuditEntry, ModelVersion, ModelVersionStatus, RegisteredModel } from '../registry/registry-types.js';
import type { Json } from './http-client.js';
import { decodeTags } from './mlflow-decode.js';

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const optStr = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
const int = (v: unknown): number => (v === undefined || v === null || v === '' ? 0 : Number(v));
const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

/** MLflow's ModelVersion (protobuf JSON, version as a string) in Ferry's words. */
export function decodeModelVersion(j: Json): ModelVersion {
  return {
    name: str(j.name),
    version: int(j.version),
    creationTimestamp: int(j.creation_timestamp),
    lastUpdatedTimestamp: int(j.last_updated_timestamp),
    description: optStr(j.description),
    userId: optStr(j.user_id),
    currentStage: str(j.current_stage) || 'None',
    source: optStr(j.source),
    runId: optStr(j.run_id) || null,
    runLink: optStr(j.run_link),
    status: (str(j.status) || 'READY') as ModelVersionStatus,
    statusMessage: optStr(j.status_message),
    // MLflow's wire shape has no storage location; get-download-uri answers it.
    storageLocation: null,
    modelId: optStr(j.model_id),
    tags: decodeTags(j.tags),
    aliases: Array.isArray(j.aliases) ? j.aliases.map(String) : [],
  };
}

export function decodeRegisteredModel(j: Json): RegisteredModel {
  return {
    name: str(j.name),
    creationTimestamp: int(j.creation_timestamp),
    lastUpdatedTimestamp: int(j.last_updated_timestamp),
    description: optStr(j.description),
    tags: decodeTags(j.tags),
    aliases: list(j.aliases).map((a) => ({ alias: str(a.alias), version: int(a.version) })),
    latestVersions: list(j.latest_versions).map(decodeModelVersion),
  };
}

/** An audit row of `GET /api/ferry/v1/audit` (already camelCase on Ferry's own API). */
export function decodeAuditEntry(j: Json): AuditEntry {
  return {
    id: int(j.id),
    at: int(j.at),
    actor: str(j.actor),
    entityType: str(j.entityType) as AuditEntityType,
    entityName: str(j.entityName),
    entityVersion: j.entityVersion === null || j.entityVersion === undefined ? null : int(j.entityVersion),
    action: str(j.action),
    before: j.before ?? null,
    after: j.after ?? null,
  };
}
