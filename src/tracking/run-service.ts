import { randomUUID } from 'node:crypto';
import { proxyPathOf } from '../backends/artifacts/artifact-path.js';
import type { ArtifactStore } from '../backends/artifacts/artifact-store.js';
import { InvalidArgumentError, NotFoundError } from '../errors.js';
import type { Database } from '../backends/database/database.js';
import { appendToUri, type ExperimentService } from './experiment-service.js';
import { MetricWriter } from './metric-writer.js';
import { generateRunName } from './run-names.js';
import { RunStore } from './run-store.js';
import { searchRunIds } from './run-search.js';
import {
  LIMITS,
  limitLength,
  validateBatchLimits,
  validateKey,
  validateMaxResults,
  validateMetric,
  validateParam,
  validateRunId,
  validateTag,
} from './tracking-limits.js';
import {
  RUN_STATUSES,
  type CreateRunInput,
  type DatasetInput,
  type LogBatchInput,
  type Metric,
  type ModelOutput,
  type Page,
  type Run,
  type RunInfo,
  type RunStatus,
  type SearchRunsInput,
  type UpdateRunInput,
} from './tracking-types.js';

export const newId = (): string => randomUUID().replace(/-/g, '');

/** Runs: lifecycle, params, tags, metrics, inputs, history and search. */
export class RunService {
  readonly store: RunStore;
  private readonly metricWriter: MetricWriter;

  constructor(
    private readonly database: Database,
    private readonly experiments: ExperimentService,
    private readonly clock: () => number = Date.now,
  ) {
    this.store = new RunStore(database);
    this.metricWriter = new MetricWriter(this.store);
  }

  async create(input: CreateRunInput): Promise<Run> {
    const experiment = await this.experiments.getActive(input.experimentId);
    const tags = (input.tags ?? []).map(validateTag);
    const tagName = tags.find((t) => t.key === 'mlflow.runName')?.value;
    if (input.runName && tagName && input.runName !== tagName) {
      throw new InvalidArgumentError(
        `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values (run_name='${input.runName}', mlflow.runName='${tagName}').`,
      );
    }
    const runName = input.runName || tagName || generateRunName();
    if (!tagName) tags.push({ key: 'mlflow.runName', value: runName });
    const userId = input.userId ?? tags.find((t) => t.key === 'mlflow.user')?.value ?? '';
    const runId = newId();
    const info: RunInfo = {
      runId,
      runName,
      experimentId: experiment.experimentId,
      userId,
      status: 'RUNNING',
      startTime: input.startTime ?? this.clock(),
      endTime: null,
      artifactUri: appendToUri(experiment.artifactLocation, runId, 'artifacts'),
      lifecycleStage: 'active',
    };
    await this.store.insert(info, tags);
    return this.get(runId);
  }

  async get(runId: unknown): Promise<Run> {
    const id = this.requireRunId(runId);
    const [run] = await this.store.getMany([id]);
    if (!run) throw notFound(id);
    return run;
  }

  async getInfo(runId: unknown): Promise<RunInfo> {
    const id = this.requireRunId(runId);
    const info = await this.store.getInfo(id);
    if (!info) throw notFound(id);
    return info;
  }

  /** The run, which must exist and be active: only active runs accept writes. */
  async getActiveInfo(runId: unknown): Promise<RunInfo> {
    const info = await this.getInfo(runId);
    if (info.lifecycleStage !== 'active') {
      throw new InvalidArgumentError(`The run ${info.runId} must be in the 'active' state. Current state is ${info.lifecycleStage}.`);
    }
    return info;
  }

  async update(input: UpdateRunInput): Promise<RunInfo> {
    const info = await this.getActiveInfo(input.runId);
    if (input.status !== undefined && !RUN_STATUSES.includes(input.status)) {
      throw new InvalidArgumentError(`Invalid run status '${String(input.status)}'. Use one of ${RUN_STATUSES.join(', ')}.`);
    }
    if (input.endTime !== undefined && (!Number.isInteger(input.endTime) || input.endTime < 0)) {
      throw new InvalidArgumentError(`end_time must be a non-negative integer (milliseconds since the epoch), got ${input.endTime}`);
    }
    const runName = input.runName ? limitLength('Run name', LIMITS.maxTagValueLength, input.runName) : undefined;
    await this.store.update(info.runId, { status: input.status, endTime: input.endTime, runName });
    return (await this.store.getInfo(info.runId))!;
  }

  async delete(runId: unknown): Promise<void> {
    const info = await this.getInfo(runId);
    await this.store.setLifecycle(info.runId, 'deleted', this.clock());
  }

  async restore(runId: unknown): Promise<void> {
    const info = await this.getInfo(runId);
    await this.store.setLifecycle(info.runId, 'active', this.clock());
  }

  async setTag(runId: unknown, key: unknown, value: unknown): Promise<void> {
    await this.logBatch({ runId: runId as string, tags: [{ key: key as string, value: value as string }] });
  }

  async deleteTag(runId: unknown, key: unknown): Promise<void> {
    const info = await this.getActiveInfo(runId);
    const k = validateKey('tag', key);
    if ((await this.store.deleteTag(info.runId, k)) === 0) {
      throw new NotFoundError(`No tag with name: ${k} in run with id ${info.runId}`);
    }
  }

  async logParam(runId: unknown, key: unknown, value: unknown): Promise<void> {
    await this.logBatch({ runId: runId as string, params: [{ key: key as string, value: value as string }] });
  }

  async logMetric(runId: unknown, metric: Metric): Promise<void> {
    await this.logBatch({ runId: runId as string, metrics: [metric] });
  }

  /** Validates everything first, then writes params, tags and metrics in one transaction. */
  async logBatch(input: LogBatchInput): Promise<void> {
    const metrics = input.metrics ?? [];
    const params = input.params ?? [];
    const tags = input.tags ?? [];
    validateBatchLimits(metrics.length, params.length, tags.length);
    for (const m of metrics) validateMetric(m);
    const cleanParams = params.map(validateParam);
    const seen = new Set<string>();
    const dupes = new Set<string>();
    for (const p of cleanParams) (seen.has(p.key) ? dupes : seen).add(p.key);
    if (dupes.size > 0) {
      throw new InvalidArgumentError(
        `Duplicate parameter keys have been submitted: [${[...dupes].map((k) => `'${k}'`).join(', ')}]. Please ensure the request contains only one param value per param key.`,
      );
    }
    const cleanTags = tags.map(validateTag);
    const info = await this.getActiveInfo(input.runId);
    if (cleanParams.length === 0 && cleanTags.length === 0) {
      if (metrics.length > 0) await this.metricWriter.write(info.runId, metrics);
      return;
    }
    const { conflicts } = await this.store.logBatch(info.runId, metrics, cleanParams, cleanTags);
    if (conflicts.length > 0) {
      const c = conflicts[0]!;
      throw new InvalidArgumentError(
        `Changing param values is not allowed. Param with key='${c.key}' was already logged with value='${c.old}' for run ID='${info.runId}'. Attempted logging new value '${c.new}'.`,
        { details: { conflicts } },
      );
    }
  }

  async logInputs(runId: unknown, datasets: DatasetInput[], models: Array<{ modelId: string }> = []): Promise<void> {
    const info = await this.getActiveInfo(runId);
    if (datasets.length > LIMITS.maxDatasetsPerBatch) {
      throw new InvalidArgumentError(`A batch logging request can contain at most ${LIMITS.maxDatasetsPerBatch} datasets. Got ${datasets.length}.`);
    }
    for (const d of datasets) validateDatasetInput(d);
    if (datasets.length > 0) await this.store.logInputs(info.runId, info.experimentId, datasets, newId);
    await this.store.linkModels(
      info.runId,
      'input',
      models.map((m) => ({ modelId: m.modelId, step: 0 })),
    );
  }

  async logOutputs(runId: unknown, models: ModelOutput[]): Promise<void> {
    const info = await this.getActiveInfo(runId);
    await this.store.linkModels(info.runId, 'output', models);
  }

  /** A metric's full history, or one page of it when `maxResults` is given. */
  async metricHistory(runId: unknown, key: unknown, maxResults?: number, pageToken?: string): Promise<Page<Metric>> {
    const page = await this.metricHistoryJson(runId, key, maxResults, pageToken);
    const items = (JSON.parse(page.json) as Array<Metric & { value: number | string }>).map((m) => ({ ...m, value: Number(m.value) }));
    return { items, nextPageToken: page.nextPageToken };
  }

  /** Like `metricHistory`, but the points stay an MLflow-shaped JSON array text, ready to send. */
  async metricHistoryJson(runId: unknown, key: unknown, maxResults?: number, pageToken?: string): Promise<{ json: string; nextPageToken?: string }> {
    if (typeof key !== 'string' || key === '') throw new InvalidArgumentError("Missing value for required parameter 'metric_key'.");
    const id = this.requireRunId(runId);
    const offset = decodeOffset(pageToken);
    // An unknown run has an empty history, as MLflow answers (its clients expect a list, not an error).
    if (maxResults === undefined && pageToken === undefined) return this.store.metricHistoryJson(id, key, 0, 0);
    const limit = validateMaxResults(maxResults, 25000, Number.MAX_SAFE_INTEGER);
    const { json, more } = await this.store.metricHistoryJson(id, key, limit, offset);
    return { json, nextPageToken: more ? encodeOffset(offset + limit) : undefined };
  }

  /**
   * Purges runs deleted before `before` (ms) for good, with their artifacts in
   * Ferry's store (`ferry gc`). Artifacts go first: if that fails the rows
   * remain and the next gc finds the runs again. Runs whose artifacts live
   * outside the store keep those artifacts.
   */
  async purgeDeleted(
    artifacts: ArtifactStore,
    options: { before: number; experimentIds?: string[]; dryRun?: boolean },
  ): Promise<Array<{ runId: string; artifactUri: string; artifactPath: string | null }>> {
    const runs = await this.store.deletedRuns(options.before, options.experimentIds);
    const removed = runs.map((r) => ({ ...r, artifactPath: proxyPathOf(r.artifactUri) ?? null }));
    if (!options.dryRun && removed.length > 0) {
      await artifacts.deleteMany(removed.flatMap((r) => (r.artifactPath ? [r.artifactPath] : [])));
      await this.store.purge(removed.map((r) => r.runId));
    }
    return removed;
  }

  async search(input: SearchRunsInput): Promise<Page<Run>> {
    const maxResults = validateMaxResults(input.maxResults, 1000);
    const experimentIds = input.experimentIds.map((id) => String(id));
    const { runIds, nextPageToken } = await searchRunIds(this.database, {
      experimentIds,
      filter: input.filter,
      viewType: input.viewType ?? 'ACTIVE_ONLY',
      orderBy: input.orderBy,
      maxResults,
      pageToken: input.pageToken,
    });
    return { items: await this.store.getMany(runIds), nextPageToken };
  }

  private requireRunId(runId: unknown): string {
    if (runId === undefined || runId === null || runId === '') throw new InvalidArgumentError("Missing value for required parameter 'run_id'.");
    if (typeof runId !== 'string') throw new InvalidArgumentError(`Invalid run ID: ${JSON.stringify(runId)}. Run IDs are strings.`);
    try {
      return validateRunId(runId);
    } catch {
      throw notFound(runId.slice(0, 300));
    }
  }
}

function notFound(runId: string): NotFoundError {
  return new NotFoundError(`Run with id=${runId} not found`);
}

function validateDatasetInput(d: DatasetInput): void {
  const ds = d.dataset;
  if (!ds || typeof ds.name !== 'string' || typeof ds.digest !== 'string' || typeof ds.source !== 'string' || typeof ds.sourceType !== 'string') {
    throw new InvalidArgumentError('Each dataset input needs dataset.name, dataset.digest, dataset.source_type and dataset.source as strings.');
  }
  limitLength('Dataset name', LIMITS.maxDatasetNameSize, ds.name);
  limitLength('Dataset digest', LIMITS.maxDatasetDigestSize, ds.digest);
  limitLength('Dataset source', LIMITS.maxDatasetSourceSize, ds.source);
  if (ds.schema) limitLength('Dataset schema', LIMITS.maxDatasetSchemaSize, ds.schema);
  if (ds.profile) limitLength('Dataset profile', LIMITS.maxDatasetProfileSize, ds.profile);
  for (const t of d.tags ?? []) {
    if (typeof t.key !== 'string' || typeof t.value !== 'string') throw new InvalidArgumentError('Input tags need a string key and a string value.');
    limitLength('Input tag key', LIMITS.maxInputTagKeySize, t.key);
    limitLength('Input tag value', LIMITS.maxInputTagValueSize, t.value);
  }
}

/** Page tokens are opaque base64 JSON, as MLflow's are. */
export function encodeOffset(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

export function decodeOffset(token: string | undefined): number {
  if (token === undefined || token === '') return 0;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
    if (typeof parsed.offset === 'number' && Number.isInteger(parsed.offset) && parsed.offset >= 0) return parsed.offset;
  } catch {
    // fall through to the error below
  }
  throw new InvalidArgumentError(`Invalid page token '${token.slice(0, 100)}'. Pass the next_page_token of a previous response unchanged.`);
}

export type { RunStatus };
