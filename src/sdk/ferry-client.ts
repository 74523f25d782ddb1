import { userInfo } from 'node:os';
import { AlreadyExistsError, NotFoundError } from '../errors.js';
import { LIMITS } from '../tracking/tracking-limits.js';
import type { Experiment, LogBatchInput, Metric, Page, Run, RunInfo, RunStatus, SearchExperimentsInput, SearchRunsInput } from '../tracking/tracking-types.js';
import { ActiveRun, type ActiveRunOptions } from './active-run.js';
import { ArtifactsApi } from './artifacts-api.js';
import { DatasetsApi } from './datasets-api.js';
import { HttpClient, type Json, type RetryOptions } from './http-client.js';
import { ModelsApi } from './models-api.js';
import { RegistryApi } from './registry-api.js';
import { decodeArtifactFiles, decodeExperiment, decodeMetric, decodeRun, decodeRunInfo, encodeMetric, toTagList, type ArtifactFile, type TagsInput } from './mlflow-decode.js';

export interface FerryOptions {
  /** Server root. Default: FERRY_URL, then MLFLOW_TRACKING_URI, then http://127.0.0.1:5000. */
  url?: string;
  /** API token. Default: FERRY_TOKEN, then MLFLOW_TRACKING_TOKEN. */
  token?: string;
  /** A fetch to use instead of the global one (tests, proxies, instrumentation). */
  fetch?: typeof fetch;
  /** Backoff for retried requests. */
  retry?: RetryOptions;
  /** Per-attempt timeout of JSON calls in ms (default 60 000). */
  timeoutMs?: number;
}

/** The SDK's search options are the service's search inputs. */
export type SearchExperimentsOptions = SearchExperimentsInput;
export type SearchRunsOptions = SearchRunsInput;

export interface StartRunOptions {
  /** Experiment to log to; default '0' (Default). */
  experimentId?: string;
  /** Experiment by name, created if missing (as `mlflow.set_experiment` does). */
  experimentName?: string;
  runName?: string;
  tags?: TagsInput;
  startTime?: number;
  /** Recorded as the run's user; default the OS user. */
  userId?: string;
  /** Buffering of the returned ActiveRun. */
  buffer?: ActiveRunOptions;
}

/**
 * Ferry's TypeScript client. It speaks MLflow's REST API, so it also works
 * against an MLflow tracking server.
 *
 * @example
 * const ferry = new Ferry({ url: 'http://127.0.0.1:5000' });
 * const run = await ferry.runs.start({ experimentName: 'mnist', runName: 'baseline' });
 * run.logParams({ lr: 0.01 });
 * for (let step = 0; step < 100; step++) run.log({ loss: 1 / (step + 1) }, { step });
 * await run.end();
 */
export class Ferry {
  readonly http: HttpClient;
  readonly experiments: ExperimentsApi;
  readonly runs: RunsApi;
  readonly artifacts: ArtifactsApi;
  /** ONNX models logged to runs in MLflow's MLmodel layout. */
  readonly models: ModelsApi;
  /** The model registry: registered models, versions, aliases, lineage and audit history. */
  readonly registry: RegistryApi;
  /** The dataset registry: versioned digests, linked to runs as inputs. */
  readonly datasets: DatasetsApi;

  constructor(options: FerryOptions = {}) {
    const env = process.env;
    this.http = new HttpClient({
      url: options.url ?? env.FERRY_URL ?? env.MLFLOW_TRACKING_URI ?? 'http://127.0.0.1:5000',
      token: options.token ?? env.FERRY_TOKEN ?? env.MLFLOW_TRACKING_TOKEN,
      fetch: options.fetch,
      retry: options.retry,
      timeoutMs: options.timeoutMs,
    });
    this.experiments = new ExperimentsApi(this.http);
    this.runs = new RunsApi(this.http, this.experiments);
    this.artifacts = new ArtifactsApi(this.http, this.runs);
    this.runs.artifacts = this.artifacts;
    this.models = new ModelsApi(this.http, this.runs, this.artifacts);
    this.registry = new RegistryApi(this.http);
    this.datasets = new DatasetsApi(this.http, osUser());
  }

  get url(): string {
    return this.http.baseUrl;
  }
}

/** Experiments: MLflow's /experiments/* endpoints. */
export class ExperimentsApi {
  constructor(private readonly http: HttpClient) {}

  /** Creates an experiment and returns its id. Throws AlreadyExistsError for a taken name. */
  async create(name: string, options: { artifactLocation?: string; tags?: TagsInput } = {}): Promise<string> {
    const body: Json = { name, tags: toTagList(options.tags) };
    if (options.artifactLocation) body.artifact_location = options.artifactLocation;
    // Not idempotent: a retried create could fail with "already exists" after the first one worked.
    const out = await this.http.mlflow<{ experiment_id: string }>('POST', '/experiments/create', body);
    return String(out.experiment_id);
  }

  async get(experimentId: string): Promise<Experiment> {
    const out = await this.http.mlflow<{ experiment: Json }>('GET', '/experiments/get', { experiment_id: experimentId });
    return decodeExperiment(out.experiment);
  }

  /** Throws NotFoundError when no experiment has that name. */
  async getByName(name: string): Promise<Experiment> {
    const out = await this.http.mlflow<{ experiment: Json }>('GET', '/experiments/get-by-name', { experiment_name: name });
    return decodeExperiment(out.experiment);
  }

  /** One page of experiments. */
  async search(options: SearchExperimentsOptions = {}): Promise<Page<Experiment>> {
    const out = await this.http.mlflow<{ experiments?: Json[]; next_page_token?: string }>(
      'POST',
      '/experiments/search',
      {
        filter: options.filter,
        view_type: options.viewType,
        max_results: options.maxResults,
        order_by: options.orderBy,
        page_token: options.pageToken,
      },
      { idempotent: true },
    );
    return { items: (out.experiments ?? []).map(decodeExperiment), ...(out.next_page_token ? { nextPageToken: out.next_page_token } : {}) };
  }

  /** Every matching experiment, following page tokens (up to `limit`). */
  async searchAll(options: Omit<SearchExperimentsOptions, 'pageToken' | 'maxResults'> = {}, limit = Infinity): Promise<Experiment[]> {
    const all: Experiment[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.search({ ...options, pageToken, maxResults: Math.min(1000, limit - all.length) });
      all.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken && all.length < limit);
    return all;
  }

  async rename(experimentId: string, newName: string): Promise<void> {
    await this.http.mlflow('POST', '/experiments/update', { experiment_id: experimentId, new_name: newName }, { idempotent: true });
  }

  async delete(experimentId: string): Promise<void> {
    await this.http.mlflow('POST', '/experiments/delete', { experiment_id: experimentId }, { idempotent: true });
  }

  async restore(experimentId: string): Promise<void> {
    await this.http.mlflow('POST', '/experiments/restore', { experiment_id: experimentId });
  }

  async setTag(experimentId: string, key: string, value: string): Promise<void> {
    await this.http.mlflow('POST', '/experiments/set-experiment-tag', { experiment_id: experimentId, key, value }, { idempotent: true });
  }

  /** An experiment by id, or by name when no experiment has that id. */
  async resolve(idOrName: string): Promise<Experiment> {
    if (/^\d+$/.test(idOrName)) {
      try {
        return await this.get(idOrName);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
    try {
      return await this.getByName(idOrName);
    } catch (err) {
      if (err instanceof NotFoundError) throw new NotFoundError(`No experiment with id or name '${idOrName}'.`);
      throw err;
    }
  }
}

/** Runs: MLflow's /runs/* and /metrics/* endpoints. */
export class RunsApi {
  /** Set by Ferry once the artifacts API exists. */
  artifacts!: ArtifactsApi;

  constructor(
    private readonly http: HttpClient,
    private readonly experiments: ExperimentsApi,
  ) {}

  /** Creates a run and returns it as an ActiveRun that buffers what you log. */
  async create(options: StartRunOptions = {}): Promise<ActiveRun> {
    let experimentId = options.experimentId ?? '0';
    if (options.experimentName !== undefined) experimentId = await this.experimentIdFor(options.experimentName);
    const tags = toTagList(options.tags);
    const userId = options.userId ?? osUser();
    if (userId && !tags.some((t) => t.key === 'mlflow.user')) tags.push({ key: 'mlflow.user', value: userId });
    const out = await this.http.mlflow<{ run: Json }>('POST', '/runs/create', {
      experiment_id: experimentId,
      run_name: options.runName,
      start_time: options.startTime ?? Date.now(),
      user_id: userId,
      tags,
    });
    return new ActiveRun(this, decodeRun(out.run), options.buffer);
  }

  /** Same as `create`. */
  start(options: StartRunOptions = {}): Promise<ActiveRun> {
    return this.create(options);
  }

  async get(runId: string): Promise<Run> {
    const out = await this.http.mlflow<{ run: Json }>('GET', '/runs/get', { run_id: runId });
    return decodeRun(out.run);
  }

  /** One page of runs. */
  async search(options: SearchRunsOptions): Promise<Page<Run>> {
    const out = await this.http.mlflow<{ runs?: Json[]; next_page_token?: string }>(
      'POST',
      '/runs/search',
      {
        experiment_ids: options.experimentIds,
        filter: options.filter,
        run_view_type: options.viewType,
        max_results: options.maxResults,
        order_by: options.orderBy,
        page_token: options.pageToken,
      },
      { idempotent: true },
    );
    return { items: (out.runs ?? []).map(decodeRun), ...(out.next_page_token ? { nextPageToken: out.next_page_token } : {}) };
  }

  async update(runId: string, patch: { status?: RunStatus; endTime?: number; runName?: string }): Promise<RunInfo> {
    const out = await this.http.mlflow<{ run_info: Json }>(
      'POST',
      '/runs/update',
      { run_id: runId, status: patch.status, end_time: patch.endTime, run_name: patch.runName },
      { idempotent: true },
    );
    return decodeRunInfo(out.run_info);
  }

  async delete(runId: string): Promise<void> {
    await this.http.mlflow('POST', '/runs/delete', { run_id: runId }, { idempotent: true });
  }

  async restore(runId: string): Promise<void> {
    await this.http.mlflow('POST', '/runs/restore', { run_id: runId }, { idempotent: true });
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.http.mlflow('POST', '/runs/set-tag', { run_id: runId, key, value }, { idempotent: true });
  }

  /** Logs one param. Params are immutable: a different value for a logged key throws InvalidArgumentError. */
  async logParam(runId: string, key: string, value: string | number | boolean): Promise<void> {
    await this.http.mlflow('POST', '/runs/log-parameter', { run_id: runId, key, value: String(value) }, { idempotent: true });
  }

  /** Logs one metric point right away (an ActiveRun batches instead). The server stores identical points once, so retries are safe. */
  async logMetric(runId: string, key: string, value: number, options: { step?: number; timestamp?: number } = {}): Promise<void> {
    const m = encodeMetric({ key, value, step: options.step ?? 0, timestamp: options.timestamp ?? Date.now() });
    await this.http.mlflow('POST', '/runs/log-metric', { run_id: runId, ...m }, { idempotent: true });
  }

  /** Logs metrics, params and tags, split into requests within MLflow's batch limits. Each request is atomic; the whole call is not. */
  async logBatch(input: LogBatchInput): Promise<void> {
    const metrics = input.metrics ?? [];
    const params = input.params ?? [];
    const tags = input.tags ?? [];
    let [m, p, t] = [0, 0, 0];
    do {
      const np = Math.min(params.length - p, LIMITS.maxParamsTagsPerBatch);
      const nt = Math.min(tags.length - t, LIMITS.maxParamsTagsPerBatch);
      const nm = Math.min(metrics.length - m, LIMITS.maxMetricsPerBatch, LIMITS.maxEntitiesPerBatch - np - nt);
      await this.http.mlflow(
        'POST',
        '/runs/log-batch',
        {
          run_id: input.runId,
          metrics: metrics.slice(m, m + nm).map(encodeMetric),
          params: params.slice(p, p + np),
          tags: tags.slice(t, t + nt),
        },
        { idempotent: true },
      );
      [m, p, t] = [m + nm, p + np, t + nt];
    } while (m < metrics.length || p < params.length || t < tags.length);
  }

  /** A metric's whole history, ordered by step and timestamp; follows page tokens. */
  async metricHistory(runId: string, key: string, options: { pageSize?: number } = {}): Promise<Metric[]> {
    const all: Metric[] = [];
    let pageToken: string | undefined;
    do {
      const out = await this.http.mlflow<{ metrics?: Json[]; next_page_token?: string }>('GET', '/metrics/get-history', {
        run_id: runId,
        metric_key: key,
        max_results: options.pageSize ?? 25_000,
        page_token: pageToken,
      });
      all.push(...(out.metrics ?? []).map(decodeMetric));
      pageToken = out.next_page_token || undefined;
    } while (pageToken);
    return all;
  }

  /** The direct children of `path` in the run's artifacts ('' for the root). */
  async listArtifacts(runId: string, path = ''): Promise<ArtifactFile[]> {
    const out = await this.http.mlflow<{ files?: Json[] }>('GET', '/artifacts/list', { run_id: runId, path: path || undefined });
    return decodeArtifactFiles(out.files);
  }

  private async experimentIdFor(name: string): Promise<string> {
    try {
      return (await this.experiments.getByName(name)).experimentId;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    try {
      return await this.experiments.create(name);
    } catch (err) {
      // Someone else created it meanwhile.
      if (err instanceof AlreadyExistsError) return (await this.experiments.getByName(name)).experimentId;
      throw err;
    }
  }
}

function osUser(): string | undefined {
  try {
    return userInfo().username || undefined;
  } catch {
    return undefined;
  }
}
