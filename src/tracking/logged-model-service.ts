import { randomUUID } from 'node:crypto';
import type { Database } from '../backends/database/database.js';
import { InvalidArgumentError, NotFoundError } from '../errors.js';
import { appendToUri, type ExperimentService } from './experiment-service.js';
import { LoggedModelStore } from './logged-model-store.js';
import { compileLoggedModelFilter } from './logged-model-filter.js';
import type { RunService } from './run-service.js';
import { decodeOffset, encodeOffset } from './run-service.js';
import { validateMaxResults, validateParam, validateTag } from './tracking-limits.js';
import type { LoggedModel, LoggedModelMetric, LoggedModelStatus, Page, Tag } from './tracking-types.js';

/** The logged-model service that shares a RunService, for run routes that log metrics against models. */
const STATUSES: LoggedModelStatus[] = ['LOGGED_MODEL_STATUS_UNSPECIFIED', 'LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED'];

export interface LoggedModelOrder {
  fieldName: string;
  ascending: boolean;
  /** For `metrics.<key>`: only points logged against this dataset count. */
  datasetName?: string;
  datasetDigest?: string;
}

/** MLflow 3's logged models: what `mlflow.<flavor>.log_model` creates before uploading the files. */
export class LoggedModelService {
  readonly store: LoggedModelStore;

  constructor(
    database: Database,
    private readonly experiments: ExperimentService,
    private readonly runs: RunService,
    private readonly clock: () => number = Date.now,
  ) {
    this.store = new LoggedModelStore(database);
  }

  async create(input: { experimentId: string; name?: string; modelType?: string; sourceRunId?: string; params?: Tag[]; tags?: Tag[] }): Promise<LoggedModel> {
    const experiment = await this.experiments.getActive(input.experimentId);
    if (input.sourceRunId) await this.runs.getInfo(input.sourceRunId);
    const modelId = `m-${randomUUID().replace(/-/g, '')}`;
    const now = this.clock();
    const model: LoggedModel = {
      modelId,
      experimentId: experiment.experimentId,
      name: input.name || `model-${modelId.slice(2, 10)}`,
      artifactUri: appendToUri(experiment.artifactLocation, 'models', modelId, 'artifacts'),
      creationTimestampMs: now,
      lastUpdatedTimestampMs: now,
      status: 'LOGGED_MODEL_PENDING',
      modelType: input.modelType ?? null,
      sourceRunId: input.sourceRunId ?? null,
      lifecycleStage: 'active',
      params: (input.params ?? []).map(validateParam),
      tags: (input.tags ?? []).map(validateTag),
      metrics: [],
    };
    await this.store.insert(model);
    return this.get(modelId);
  }

  async get(modelId: string): Promise<LoggedModel> {
    const [m] = await this.store.getMany([modelId]);
    if (!m || m.lifecycleStage === 'deleted') throw new NotFoundError(`Logged model with ID '${modelId}' not found.`);
    return m;
  }

  async finalize(modelId: string, status: string): Promise<LoggedModel> {
    await this.get(modelId);
    const s = (STATUSES.find((x) => x === status) ?? STATUSES.find((x) => x.endsWith(status.toUpperCase()))) as LoggedModelStatus | undefined;
    if (!s || s === 'LOGGED_MODEL_STATUS_UNSPECIFIED' || s === 'LOGGED_MODEL_PENDING') {
      throw new InvalidArgumentError(`Invalid status '${status}' to finalize a logged model: use LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED.`);
    }
    await this.store.setStatus(modelId, s, this.clock());
    return this.get(modelId);
  }

  async delete(modelId: string): Promise<void> {
    await this.get(modelId);
    await this.store.markDeleted(modelId, this.clock());
  }

  async setTags(modelId: string, tags: Tag[]): Promise<void> {
    const m = await this.get(modelId);
    await this.store.setTags(modelId, m.experimentId, tags.map(validateTag));
  }

  async deleteTag(modelId: string, key: string): Promise<void> {
    await this.get(modelId);
    if ((await this.store.deleteTag(modelId, key)) === 0) throw new NotFoundError(`No tag with key '${key}' on logged model '${modelId}'.`);
  }

  async logParams(modelId: string, params: Tag[]): Promise<void> {
    const m = await this.get(modelId);
    const conflicts = await this.store.logParams(modelId, m.experimentId, params.map(validateParam));
    if (conflicts.length > 0) {
      throw new InvalidArgumentError(`Changing param values is not allowed: logged model '${modelId}' already has different values for ${conflicts.join(', ')}.`);
    }
  }

  /**
   * Checks that every model exists before anything is written, so a run's
   * log-batch can fail whole on an unknown model_id. A deleted model still
   * takes metrics, as in MLflow (its row remains). Reads no params, tags or
   * metrics: this runs on every metric a run logs while a model is active.
   * @returns each model's experiment id.
   * @throws NotFoundError naming the first unknown model.
   */
  async requireModels(modelIds: Iterable<string>): Promise<Map<string, string>> {
    const ids = [...new Set(modelIds)];
    const found = await this.store.experimentIdsOf(ids);
    const missing = ids.find((id) => !found.has(id));
    if (missing !== undefined) throw new NotFoundError(`Logged model with ID '${missing}' not found.`);
    return found;
  }

  /**
   * Records metrics that a run logged against a model (log_metric(..., model_id=…),
   * and the step-0 metrics MLflow 3's log_model re-logs). Identical points
   * within one request are kept once.
   */
  async logMetrics(metrics: LoggedModelMetric[], checked?: Map<string, string>): Promise<void> {
    if (metrics.length === 0) return;
    // `checked`: what requireModels returned for these models, to save the lookup.
    const experiments = checked ?? (await this.requireModels(metrics.map((m) => m.modelId)));
    await this.store.logMetrics(metrics.map((m) => ({ ...m, experimentId: experiments.get(m.modelId)! })));
  }

  async search(input: {
    experimentIds: string[];
    filter?: string;
    datasets?: Array<{ name: string; digest?: string }>;
    orderBy?: LoggedModelOrder[];
    maxResults?: number;
    pageToken?: string;
  }): Promise<Page<LoggedModel>> {
    if (input.experimentIds.length === 0) throw new InvalidArgumentError('experiment_ids must list at least one experiment to search.');
    // proto3 has no "unset" for max_results: MLflow reads 0 as the default.
    const maxResults = validateMaxResults(input.maxResults || undefined, 100);
    for (const o of input.orderBy ?? []) checkOrderField(o.fieldName);
    const offset = decodeOffset(input.pageToken);
    // Parsed before any query, so a bad filter is reported even in an empty experiment.
    const matches = compileLoggedModelFilter(input.filter, input.datasets);
    const ids = await this.store.idsInExperiments(input.experimentIds);
    // Logged models are few per experiment, so filtering in memory keeps one evaluator for both databases.
    let models = (await this.store.getMany(ids)).filter(matches);
    if (input.orderBy && input.orderBy.length > 0) models = sortModels(models, input.orderBy);
    const page = models.slice(offset, offset + maxResults);
    return { items: page, nextPageToken: offset + maxResults < models.length ? encodeOffset(offset + maxResults) : undefined };
  }
}

/** The logged-model columns MLflow accepts in order_by, with its aliases. */
const ORDER_ATTRIBUTES = new Map<string, (m: LoggedModel) => string | number | null | undefined>([
  ['model_id', (m) => m.modelId],
  ['experiment_id', (m) => Number(m.experimentId)],
  ['name', (m) => m.name],
  ['artifact_location', (m) => m.artifactUri],
  ['creation_timestamp_ms', (m) => m.creationTimestampMs],
  ['creation_timestamp', (m) => m.creationTimestampMs],
  ['creation_time', (m) => m.creationTimestampMs],
  ['last_updated_timestamp_ms', (m) => m.lastUpdatedTimestampMs],
  ['last_updated_timestamp', (m) => m.lastUpdatedTimestampMs],
  ['status', (m) => m.status],
  ['lifecycle_stage', (m) => m.lifecycleStage],
  ['model_type', (m) => m.modelType],
  ['source_run_id', (m) => m.sourceRunId],
  ['status_message', (m) => m.statusMessage],
]);

/** MLflow answers INVALID_PARAMETER_VALUE for an order_by field it cannot sort by. */
function checkOrderField(field: string): void {
  const dot = field.indexOf('.');
  if (dot < 0) {
    if (!ORDER_ATTRIBUTES.has(field)) throw new InvalidArgumentError(`Invalid order by field name: ${field}`);
    return;
  }
  const entity = field.slice(0, dot);
  const rest = field.slice(dot + 1);
  if (entity === 'attributes' || entity === 'attribute') return checkOrderField(rest);
  // MLflow sorts by metrics only; params and tags are a Ferry extension.
  if (!['metrics', 'params', 'tags'].includes(entity) || rest === '') {
    throw new InvalidArgumentError(`Invalid order by field name: ${field}. Only metrics are supported.`);
  }
}

function sortKey(m: LoggedModel, o: LoggedModelOrder): string | number | null | undefined {
  const field = o.fieldName;
  if (field.startsWith('metrics.')) {
    const k = field.slice('metrics.'.length);
    // The latest point by (timestamp, step), as MLflow's store ranks them.
    let best: LoggedModel['metrics'][number] | undefined;
    for (const x of m.metrics) {
      if (x.key !== k) continue;
      if (o.datasetName && x.datasetName !== o.datasetName) continue;
      if (o.datasetDigest && x.datasetDigest !== o.datasetDigest) continue;
      if (!best || x.timestamp > best.timestamp || (x.timestamp === best.timestamp && x.step > best.step)) best = x;
    }
    return best?.value;
  }
  if (field.startsWith('params.')) return m.params.find((p) => p.key === field.slice('params.'.length))?.value;
  if (field.startsWith('tags.')) return m.tags.find((p) => p.key === field.slice('tags.'.length))?.value;
  return ORDER_ATTRIBUTES.get(field.replace(/^attributes?\./, ''))?.(m);
}

function sortModels(models: LoggedModel[], order: LoggedModelOrder[]): LoggedModel[] {
  return [...models].sort((a, b) => {
    for (const o of order) {
      const x = sortKey(a, o);
      const y = sortKey(b, o);
      if (x === y) continue;
      // Missing values sort last either way, as MLflow's searches do.
      if (x === undefined || x === null) return 1;
      if (y === undefined || y === null) return -1;
      const c = x < y ? -1 : 1;
      return o.ascending ? c : -c;
    }
    return 0;
  });
}
