import type { MlflowRoute } from '../server/mlflow-routes.js';
import { optString, pageJson, reqString, searchPageInput, stringList, tagList, type Json } from '../tracking/mlflow-json.js';
import type { ModelRegistry } from './model-registry.js';
import { modelVersionJson, registeredModelJson } from './registry-json.js';
import { changeContext } from './registry-actor.js';

/** MLflow's registered-model and alias endpoints (model_registry.proto), at MLflow's paths. */
export function registeredModelRoutes(registry: ModelRegistry): MlflowRoute[] {
  const { models, aliases } = registry;
  const name = (b: Json) => reqString(b, 'name');
  return [
    {
      method: 'POST',
      path: '/registered-models/create',
      permission: 'write',
      handler: async (b, request) => ({
        registered_model: registeredModelJson(
          await models.create({ name: name(b), tags: tagList(b), description: optString(b, 'description') }, changeContext(request, b)),
        ),
      }),
    },
    {
      method: 'POST',
      path: '/registered-models/rename',
      permission: 'write',
      handler: async (b, request) => ({
        registered_model: registeredModelJson(await models.rename(name(b), optString(b, 'new_name'), changeContext(request, b))),
      }),
    },
    {
      method: 'PATCH',
      path: '/registered-models/update',
      permission: 'write',
      handler: async (b, request) => ({
        registered_model: registeredModelJson(await models.update(name(b), optString(b, 'description'), changeContext(request, b))),
      }),
    },
    {
      method: 'DELETE',
      path: '/registered-models/delete',
      permission: 'write',
      handler: async (b, request) => models.delete(name(b), changeContext(request, b)),
    },
    {
      method: 'GET',
      path: '/registered-models/get',
      permission: 'read',
      handler: async (b) => ({ registered_model: registeredModelJson(await models.get(name(b))) }),
    },
    {
      method: 'GET',
      path: '/registered-models/search',
      permission: 'read',
      handler: async (b) => pageJson('registered_models', await models.search(searchPageInput(b)), registeredModelJson),
    },
    {
      // A read over POST (MLflow's clients try POST first, then GET).
      method: 'POST',
      path: '/registered-models/get-latest-versions',
      permission: 'read',
      alsoGet: true,
      handler: async (b) => {
        const versions = await models.getLatestVersions(name(b), stringList(b, 'stages'));
        return versions.length > 0 ? { model_versions: versions.map(modelVersionJson) } : {};
      },
    },
    {
      method: 'POST',
      path: '/registered-models/set-tag',
      permission: 'write',
      handler: async (b, request) => models.setTag(name(b), reqString(b, 'key'), optString(b, 'value') ?? '', changeContext(request, b)),
    },
    {
      method: 'DELETE',
      path: '/registered-models/delete-tag',
      permission: 'write',
      handler: async (b, request) => models.deleteTag(name(b), reqString(b, 'key'), changeContext(request, b)),
    },
    {
      method: 'POST',
      path: '/registered-models/alias',
      permission: 'write',
      handler: async (b, request) => aliases.set(name(b), optString(b, 'alias'), reqString(b, 'version'), changeContext(request, b)),
    },
    {
      method: 'DELETE',
      path: '/registered-models/alias',
      permission: 'write',
      handler: async (b, request) => aliases.delete(name(b), optString(b, 'alias'), changeContext(request, b)),
    },
    {
      method: 'GET',
      path: '/registered-models/alias',
      permission: 'read',
      handler: async (b) => ({ model_version: modelVersionJson(await aliases.get(name(b), optString(b, 'alias'))) }),
    },
  ];
}
