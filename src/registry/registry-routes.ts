import type { FastifyInstance } from 'fastify';
import { InvalidArgumentError } from '../errors.js';
import type { MlflowRoute } from '../server/mlflow-routes.js';
import { optInt, optString, type Json } from '../tracking/mlflow-json.js';
import type { ModelRegistry } from './model-registry.js';
import { modelVersionRoutes } from './model-version-routes.js';
import { registeredModelRoutes } from './registered-model-routes.js';
import { auditEntryJson } from './registry-json.js';

/** Every MLflow Model Registry endpoint, for `registerMlflowRoutes`. */
export function registryRoutes(registry: ModelRegistry): MlflowRoute[] {
  return [...registeredModelRoutes(registry), ...modelVersionRoutes(registry)];
}

export const AUDIT_PATH = '/api/ferry/v1/audit';

/**
 * `GET /api/ferry/v1/audit?model=NAME[&version=V][&max_results=N][&page_token=T]`:
 * the registry's history, oldest first, following renames. Read-only by
 * design: no route updates or deletes audit rows.
 */
export function registerAuditRoutes(app: FastifyInstance, registry: ModelRegistry): void {
  app.get(AUDIT_PATH, { config: { permission: 'read' } }, async (request) => {
    const q = (request.query ?? {}) as Json;
    const version = optInt(q, 'version');
    if (version !== undefined && version < 1) throw new InvalidArgumentError(`version must be a positive integer, got ${version}`);
    const page = await registry.audit.list({
      model: optString(q, 'model') || undefined,
      version,
      maxResults: optInt(q, 'max_results'),
      pageToken: optString(q, 'page_token') || undefined,
    });
    return { entries: page.items.map(auditEntryJson), ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}) };
  });
}
