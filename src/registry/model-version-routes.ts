import type { MlflowRoute } from '../server/mlflow-routes.js';
import { optBool, optString, pageJson, reqString, searchPageInput, tagList, type Json } from '../tracking/mlflow-json.js';
import type { ModelRegistry } from './model-registry.js';
import { modelVersionJson } from './registry-json.js';
import { changeContext, userIdOf } from './registry-actor.js';

/** MLflow's model-version endpoints (model_registry.proto), at MLflow's paths. */
export function modelVersionRoutes(registry: ModelRegistry): MlflowRoute[] {
  const { versions } = registry;
  const name = (b: Json) => reqString(b, 'name');
  const version = (b: Json) => reqString(b, 'version');
  return [
    {
      method: 'POST',
      path: '/model-versions/create',
      permission: 'write',
      handler: async (b, request) => ({
        model_version: modelVersionJson(
          await versions.create(
            {
              name: name(b),
              source: reqString(b, 'source'),
              runId: optString(b, 'run_id') || undefined,
              modelId: optString(b, 'model_id') || undefined,
              tags: tagList(b),
              runLink: optString(b, 'run_link'),
              description: optString(b, 'description'),
              userId: userIdOf(request, b),
            },
            changeContext(request, b),
          ),
        ),
      }),
    },
    {
      method: 'GET',
      path: '/model-versions/get',
      permission: 'read',
      handler: async (b) => ({ model_version: modelVersionJson(await versions.get(name(b), version(b))) }),
    },
    {
      method: 'PATCH',
      path: '/model-versions/update',
      permission: 'write',
      handler: async (b, request) => ({
        model_version: modelVersionJson(await versions.update(name(b), version(b), optString(b, 'description'), changeContext(request, b))),
      }),
    },
    {
      method: 'DELETE',
      path: '/model-versions/delete',
      permission: 'write',
      handler: async (b, request) => versions.delete(name(b), version(b), changeContext(request, b)),
    },
    {
      method: 'GET',
      path: '/model-versions/search',
      permission: 'read',
      handler: async (b) => pageJson('model_versions', await versions.search(searchPageInput(b)), modelVersionJson),
    },
    {
      method: 'GET',
      path: '/model-versions/get-download-uri',
      permission: 'read',
      handler: async (b) => ({ artifact_uri: await versions.getDownloadUri(name(b), version(b)) }),
    },
    {
      method: 'POST',
      path: '/model-versions/transition-stage',
      permission: 'write',
      handler: async (b, request) => ({
        model_version: modelVersionJson(
          await versions.transitionStage(name(b), version(b), reqString(b, 'stage'), optBool(b, 'archive_existing_versions') ?? false, changeContext(request, b)),
        ),
      }),
    },
    {
      method: 'POST',
      path: '/model-versions/set-tag',
      permission: 'write',
      handler: async (b, request) => versions.setTag(name(b), version(b), reqString(b, 'key'), optString(b, 'value') ?? '', changeContext(request, b)),
    },
    {
      method: 'DELETE',
      path: '/model-versions/delete-tag',
      permission: 'write',
      handler: async (b, request) => versions.deleteTag(name(b), version(b), reqString(b, 'key'), changeContext(request, b)),
    },
  ];
}

