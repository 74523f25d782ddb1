import type { ModelVersion, RegisteredModel, Tag } from './registry-types.js';

/**
 * The entity states the audit log keeps as `before` / `after`: every field a
 * user can change, none that only the database derives (latest versions).
 */
const tagMap = (tags: Tag[]) => Object.fromEntries(tags.map((t) => [t.key, t.value]));

export function modelSnapshot(m: RegisteredModel): Record<string, unknown> {
  return {
    name: m.name,
    description: m.description,
    tags: tagMap(m.tags),
    aliases: Object.fromEntries(m.aliases.map((a) => [a.alias, a.version])),
  };
}

export function versionSnapshot(v: ModelVersion): Record<string, unknown> {
  return {
    name: v.name,
    version: v.version,
    description: v.description,
    currentStage: v.currentStage,
    source: v.source,
    storageLocation: v.storageLocation,
    runId: v.runId,
    modelId: v.modelId,
    runLink: v.runLink,
    userId: v.userId,
    status: v.status,
    tags: tagMap(v.tags),
  };
}
