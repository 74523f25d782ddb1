import { InvalidArgumentError } from '../errors.js';
import type { MlflowRoute } from '../server/mlflow-routes.js';
import {
  decodeDatasetInput,
  decodeMetric,
  objectList,
  optInt,
  optString,
  pageJson,
  parseInt64,
  presentString,
  reqString,
  searchPageInput,
  runInfoJson,
  runJson,
  stringList,
  tagList,
  viewType,
  type Json,
} from './mlflow-json.js';
import type { LoggedModelService } from './logged-model-service.js';
import type { RunService } from './run-service.js';
import { RUN_STATUSES, type LoggedModelMetric, type Metric, type RunStatus } from './tracking-types.js';

const runId = (b: Json) => reqString(b, 'run_id', 'run_uuid');

function status(b: Json): RunStatus | undefined {
  const s = optString(b, 'status');
  if (s === undefined) return undefined;
  const byNumber: Record<string, RunStatus> = { '1': 'RUNNING', '2': 'SCHEDULED', '3': 'FINISHED', '4': 'FAILED', '5': 'KILLED' };
  const v = byNumber[s] ?? s.toUpperCase();
  if (!RUN_STATUSES.includes(v as RunStatus)) throw new InvalidArgumentError(`Invalid run status '${s}'. Use one of ${RUN_STATUSES.join(', ')}.`);
  return v as RunStatus;
}

/** MLflow 3 sends `model_id` (and optionally `dataset_name`, `dataset_digest`) on a run metric that also belongs to a logged model. */
function modelRef(m: Json): { modelId: string; datasetName: string | null; datasetDigest: string | null } | undefined {
  const modelId = optString(m, 'model_id');
  if (!modelId) return undefined;
  return { modelId, datasetName: optString(m, 'dataset_name') || null, datasetDigest: optString(m, 'dataset_digest') || null };
}

/**
 * Logs run metrics; those carrying a model_id are also recorded as the
 * logged model's metrics (as MLflow's stores do). Unknown models are
 * refused before anything is written.
 */
async function logRunMetrics(
  runs: RunService,
  loggedModels: LoggedModelService,
  id: string,
  raw: Json[],
  now: () => number,
  extra: { params?: Json[]; tags?: Json[] } = {},
): Promise<void> {
  const metrics: Metric[] = raw.map((m) => decodeMetric(m, now));
  const linked: LoggedModelMetric[] = [];
  raw.forEach((m, i) => {
    const ref = modelRef(m);
    if (ref) linked.push({ ...metrics[i]!, ...ref, runId: id });
  });
  const models = linked.length > 0 ? loggedModels : undefined;
  const experiments = models ? await models.requireModels(linked.map((m) => m.modelId)) : undefined;
  await runs.logBatch({
    runId: id,
    metrics,
    params: (extra.params ?? []).map((p) => ({ key: presentString(p, 'key'), value: optString(p, 'value') ?? '' })),
    tags: extra.tags ? tagList({ tags: extra.tags }) : [],
  });
  // logBatch has checked that the run exists and is active.
  if (models) await models.logMetrics(linked, experiments);
}

/**
 * MLflow's run endpoints (service.proto: CreateRun … SearchRuns, GetMetricHistory, LogInputs).
 * @param loggedModels where metrics sent with a `model_id` also go.
 */
export function runRoutes(runs: RunService, loggedModels: LoggedModelService, now: () => number = Date.now): MlflowRoute[] {
  return [
    {
      method: 'POST',
      path: '/runs/create',
      permission: 'write',
      handler: async (b) => {
        const run = await runs.create({
          experimentId: optString(b, 'experiment_id') || '0',
          userId: optString(b, 'user_id'),
          runName: optString(b, 'run_name'),
          startTime: optInt(b, 'start_time'),
          tags: tagList(b),
        });
        return { run: runJson(run) };
      },
    },
    {
      method: 'POST',
      path: '/runs/update',
      permission: 'write',
      handler: async (b) => ({
        run_info: runInfoJson(await runs.update({ runId: runId(b), status: status(b), endTime: optInt(b, 'end_time'), runName: optString(b, 'run_name') })),
      }),
    },
    { method: 'POST', path: '/runs/delete', permission: 'write', handler: async (b) => runs.delete(runId(b)) },
    { method: 'POST', path: '/runs/restore', permission: 'write', handler: async (b) => runs.restore(runId(b)) },
    { method: 'GET', path: '/runs/get', permission: 'read', handler: async (b) => ({ run: runJson(await runs.get(runId(b))) }) },
    {
      method: 'POST',
      path: '/runs/log-metric',
      permission: 'write',
      handler: async (b) => {
        const id = runId(b);
        if (modelRef(b)) await logRunMetrics(runs, loggedModels, id, [b], now);
        else await runs.logMetric(id, decodeMetric(b, now));
      },
    },
    {
      method: 'POST',
      path: '/runs/log-parameter',
      permission: 'write',
      handler: async (b) => runs.logParam(runId(b), reqString(b, 'key'), presentString(b, 'value')),
    },
    {
      method: 'POST',
      path: '/runs/set-tag',
      permission: 'write',
      handler: async (b) => runs.setTag(runId(b), reqString(b, 'key'), optString(b, 'value') ?? ''),
    },
    { method: 'POST', path: '/runs/delete-tag', permission: 'write', handler: async (b) => runs.deleteTag(runId(b), reqString(b, 'key')) },
    {
      method: 'POST',
      path: '/runs/log-batch',
      permission: 'write',
      handler: async (b) => logRunMetrics(runs, loggedModels, runId(b), objectList(b, 'metrics'), now, { params: objectList(b, 'params'), tags: objectList(b, 'tags') }),
    },
    {
      // MLflow 2.x clients record each logged model's MLmodel here; it lands in the mlflow.log-model.history tag.
      method: 'POST',
      path: '/runs/log-model',
      permission: 'write',
      handler: async (b) => {
        const id = runId(b);
        const modelJson = reqString(b, 'model_json');
        let model: unknown;
        try {
          model = JSON.parse(modelJson);
        } catch {
          throw new InvalidArgumentError("model_json must be a JSON object (the model's MLmodel as JSON).");
        }
        const run = await runs.get(id);
        const prev = run.data.tags.find((t) => t.key === 'mlflow.log-model.history')?.value;
        const history = prev ? (JSON.parse(prev) as unknown[]) : [];
        history.push(model);
        await runs.setTag(id, 'mlflow.log-model.history', JSON.stringify(history));
      },
    },
    {
      method: 'POST',
      path: '/runs/log-inputs',
      permission: 'write',
      handler: async (b) =>
        runs.logInputs(
          runId(b),
          objectList(b, 'datasets').map(decodeDatasetInput),
          objectList(b, 'models').map((m) => ({ modelId: reqString(m, 'model_id') })),
        ),
    },
    {
      method: 'POST',
      path: '/runs/outputs',
      permission: 'write',
      handler: async (b) =>
        runs.logOutputs(
          runId(b),
          objectList(b, 'models').map((m) => ({ modelId: reqString(m, 'model_id'), step: m.step === undefined ? 0 : parseInt64(m.step, 'step') })),
        ),
    },
    {
      method: 'POST',
      path: '/runs/search',
      permission: 'read',
      alsoGet: true,
      handler: async (b) => {
        const page = await runs.search({ ...searchPageInput(b), experimentIds: stringList(b, 'experiment_ids'), viewType: viewType(b, 'run_view_type') });
        return pageJson('runs', page, runJson);
      },
    },
    {
      method: 'GET',
      path: '/metrics/get-history',
      permission: 'read',
      handler: async (b, _request, reply) => {
        const page = await runs.metricHistoryJson(runId(b), reqString(b, 'metric_key'), optInt(b, 'max_results'), optString(b, 'page_token') || undefined);
        // The database already rendered the points; splice them in rather than parse and re-serialise.
        const parts: string[] = [];
        if (page.json !== '[]') parts.push(`"metrics":${page.json}`);
        if (page.nextPageToken) parts.push(`"next_page_token":${JSON.stringify(page.nextPageToken)}`);
        reply.type('application/json');
        return `{${parts.join(',')}}`;
      },
    },
  ];
}
