import type { MlflowRoute } from '../server/mlflow-routes.js';
import type { ExperimentService } from './experiment-service.js';
import { experimentJson, pageJson, searchPageInput, optString, reqString, tagList, viewType } from './mlflow-json.js';

/** MLflow's experiment endpoints (service.proto: CreateExperiment … SetExperimentTag). */
export function experimentRoutes(experiments: ExperimentService): MlflowRoute[] {
  return [
    {
      method: 'POST',
      path: '/experiments/create',
      permission: 'write',
      handler: async (b) => ({
        experiment_id: await experiments.create({ name: reqString(b, 'name'), artifactLocation: optString(b, 'artifact_location'), tags: tagList(b) }),
      }),
    },
    {
      method: 'GET',
      path: '/experiments/get',
      permission: 'read',
      handler: async (b) => ({ experiment: experimentJson(await experiments.get(reqString(b, 'experiment_id'))) }),
    },
    {
      method: 'GET',
      path: '/experiments/get-by-name',
      permission: 'read',
      handler: async (b) => ({ experiment: experimentJson(await experiments.getByName(reqString(b, 'experiment_name'))) }),
    },
    {
      method: 'POST',
      path: '/experiments/search',
      permission: 'read',
      alsoGet: true,
      handler: async (b) => {
        const page = await experiments.search({ ...searchPageInput(b), viewType: viewType(b, 'view_type') });
        return pageJson('experiments', page, experimentJson);
      },
    },
    {
      method: 'POST',
      path: '/experiments/update',
      permission: 'write',
      handler: async (b) => {
        const newName = optString(b, 'new_name');
        const id = reqString(b, 'experiment_id');
        if (newName !== undefined) await experiments.rename(id, newName);
        else await experiments.get(id);
      },
    },
    {
      method: 'POST',
      path: '/experiments/delete',
      permission: 'write',
      handler: async (b) => experiments.delete(reqString(b, 'experiment_id')),
    },
    {
      method: 'POST',
      path: '/experiments/restore',
      permission: 'write',
      handler: async (b) => experiments.restore(reqString(b, 'experiment_id')),
    },
    {
      method: 'POST',
      path: '/experiments/set-experiment-tag',
      permission: 'write',
      handler: async (b) => experiments.setTag(reqString(b, 'experiment_id'), reqString(b, 'key'), optString(b, 'value') ?? ''),
    },
    {
      method: 'POST',
      path: '/experiments/delete-experiment-tag',
      permission: 'write',
      handler: async (b) => experiments.deleteTag(reqString(b, 'experiment_id'), reqString(b, 'key')),
    },
  ];
}
