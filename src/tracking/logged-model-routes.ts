import type { MlflowRoute } from '../server/mlflow-routes.js';
import type { LoggedModelService } from './logged-model-service.js';
import { loggedModelJson, pageJson, objectList, optBool, optInt, optString, reqString, stringList, tagList, type Json } from './mlflow-json.js';

const modelId = (b: Json) => reqString(b, 'model_id');

/** MLflow 3's logged-model endpoints, which `mlflow.<flavor>.log_model` calls. */
export function loggedModelRoutes(models: LoggedModelService): MlflowRoute[] {
  return [
    {
      method: 'POST',
      path: '/logged-models',
      permission: 'write',
      handler: async (b) => ({
        model: loggedModelJson(
          await models.create({
            experimentId: reqString(b, 'experiment_id'),
            name: optString(b, 'name'),
            modelType: optString(b, 'model_type'),
            sourceRunId: optString(b, 'source_run_id'),
            params: tagList(b, 'params'),
            tags: tagList(b, 'tags'),
          }),
        ),
      }),
    },
    {
      method: 'POST',
      path: '/logged-models/search',
      permission: 'read',
      handler: async (b) => {
        const page = await models.search({
          experimentIds: stringList(b, 'experiment_ids'),
          filter: optString(b, 'filter'),
          datasets: objectList(b, 'datasets').map((d) => ({ name: reqString(d, 'dataset_name'), digest: optString(d, 'dataset_digest') })),
          orderBy: objectList(b, 'order_by').map((o) => ({
            fieldName: reqString(o, 'field_name'),
            ascending: optBool(o, 'ascending') ?? true,
            datasetName: optString(o, 'dataset_name') || undefined,
            datasetDigest: optString(o, 'dataset_digest') || undefined,
          })),
          maxResults: optInt(b, 'max_results'),
          pageToken: optString(b, 'page_token') || undefined,
        });
        return pageJson('models', page, loggedModelJson);
      },
    },
    { method: 'GET', path: '/logged-models/:model_id', permission: 'read', handler: async (b) => ({ model: loggedModelJson(await models.get(modelId(b))) }) },
    {
      method: 'PATCH',
      path: '/logged-models/:model_id',
      permission: 'write',
      handler: async (b) => ({ model: loggedModelJson(await models.finalize(modelId(b), reqString(b, 'status'))) }),
    },
    { method: 'DELETE', path: '/logged-models/:model_id', permission: 'write', handler: async (b) => models.delete(modelId(b)) },
    {
      method: 'POST',
      path: '/logged-models/:model_id/params',
      permission: 'write',
      handler: async (b) => models.logParams(modelId(b), tagList(b, 'params')),
    },
    {
      method: 'PATCH',
      path: '/logged-models/:model_id/tags',
      permission: 'write',
      handler: async (b) => models.setTags(modelId(b), tagList(b, 'tags')),
    },
    {
      method: 'DELETE',
      path: '/logged-models/:model_id/tags/:tag_key',
      permission: 'write',
      handler: async (b) => models.deleteTag(modelId(b), reqString(b, 'tag_key')),
    },
  ];
}
