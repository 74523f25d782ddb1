import { AlreadyExistsError, InternalError, NotFoundError } from '../errors.js';
import type { LineageGraph, LineageQuery } from '../registry/lineage-types.js';
import type { AuditEntry, ModelVersion, Page, RegisteredModel } from '../registry/registry-types.js';
import type { HttpClient, Json, QueryValue } from './http-client.js';
import { toTagList, type TagsInput } from './mlflow-decode.js';
import { decodeAuditEntry, decodeModelVersion, decodeRegisteredModel } from './registry-decode.js';

export interface SearchRegistryOptions {
  /** MLflow's registry filter, e.g. `name LIKE 'fraud%'` or `name = 'fraud' AND tags.team = 'risk'`. */
  filter?: string;
  maxResults?: number;
  /** e.g. `['name ASC']`, `['version_number DESC']`. */
  orderBy?: string[];
  pageToken?: string;
}

export interface CreateModelVersionOptions {
  /** The run the files came from; filled from a `runs:/` source when left out. */
  runId?: string;
  /** MLflow 3's logged model (`m-…`) the files came from. */
  modelId?: string;
  description?: string;
  tags?: TagsInput;
  runLink?: string;
}

export interface AuditQueryOptions {
  model?: string;
  version?: number;
  maxResults?: number;
  pageToken?: string;
}

/**
 * The model registry: MLflow's /registered-models and /model-versions
 * endpoints, plus Ferry's lineage and audit history.
 *
 * @example
 * const v = await ferry.registry.register(`runs:/${run.id}/model`, 'fraud');
 * await ferry.registry.setAlias('fraud', 'champion', v.version);
 * const graph = await ferry.registry.lineage({ model: 'fraud', alias: 'champion' });
 */
export class RegistryApi {
  constructor(private readonly http: HttpClient) {}

  /** Throws AlreadyExistsError for a taken name. */
  async createModel(name: string, options: { description?: string; tags?: TagsInput } = {}): Promise<RegisteredModel> {
    const out = await this.http.mlflow<{ registered_model: Json }>('POST', '/registered-models/create', {
      name,
      description: options.description,
      tags: toTagList(options.tags),
    });
    return decodeRegisteredModel(out.registered_model);
  }

  async getModel(name: string): Promise<RegisteredModel> {
    const out = await this.http.mlflow<{ registered_model: Json }>('GET', '/registered-models/get', { name });
    return decodeRegisteredModel(out.registered_model);
  }

  async searchModels(options: SearchRegistryOptions = {}): Promise<Page<RegisteredModel>> {
    const out = await this.http.mlflow<{ registered_models?: Json[]; next_page_token?: string }>('GET', '/registered-models/search', searchFields(options));
    return { items: (out.registered_models ?? []).map(decodeRegisteredModel), ...(out.next_page_token ? { nextPageToken: out.next_page_token } : {}) };
  }

  /** Versions across models, e.g. `{ filter: "name = 'fraud'" }`. */
  async searchVersions(options: SearchRegistryOptions = {}): Promise<Page<ModelVersion>> {
    const out = await this.http.mlflow<{ model_versions?: Json[]; next_page_token?: string }>('GET', '/model-versions/search', searchFields(options));
    return { items: (out.model_versions ?? []).map(decodeModelVersion), ...(out.next_page_token ? { nextPageToken: out.next_page_token } : {}) };
  }

  /** A new version of an existing model from `source` (`runs:/<run>/model`, `models:/m-…`, an artifact URI). */
  async createVersion(name: string, source: string, options: CreateModelVersionOptions = {}): Promise<ModelVersion> {
    const out = await this.http.mlflow<{ model_version: Json }>('POST', '/model-versions/create', {
      name,
      source,
      run_id: options.runId,
      model_id: options.modelId,
      description: options.description,
      run_link: options.runLink,
      tags: toTagList(options.tags),
    });
    return decodeModelVersion(out.model_version);
  }

  async getVersion(name: string, version: number | string): Promise<ModelVersion> {
    const out = await this.http.mlflow<{ model_version: Json }>('GET', '/model-versions/get', { name, version: String(version) });
    return decodeModelVersion(out.model_version);
  }

  /** Where the version's files are. */
  async getDownloadUri(name: string, version: number | string): Promise<string> {
    const out = await this.http.mlflow<{ artifact_uri?: string }>('GET', '/model-versions/get-download-uri', { name, version: String(version) });
    return out.artifact_uri ?? '';
  }

  /** As `mlflow.register_model`: creates the registered model when missing, then a version from `source`. */
  async register(source: string, name: string, options: CreateModelVersionOptions = {}): Promise<ModelVersion> {
    try {
      await this.getModel(name);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      try {
        await this.createModel(name);
      } catch (createErr) {
        // Someone else created it in between: register into theirs.
        if (!(createErr instanceof AlreadyExistsError)) throw createErr;
      }
    }
    return this.createVersion(name, source, options);
  }

  /** Points `alias` at `version`, moving it if it pointed elsewhere. */
  async setAlias(name: string, alias: string, version: number | string): Promise<void> {
    await this.http.mlflow('POST', '/registered-models/alias', { name, alias, version: String(version) }, { idempotent: true });
  }

  /** Removes `alias`; removing one that is not there is no error. */
  async deleteAlias(name: string, alias: string): Promise<void> {
    const res = await this.http.send('DELETE', '/api/2.0/mlflow/registered-models/alias', { query: { name, alias }, idempotent: true });
    await res.body?.cancel();
  }

  /** The version `alias` points at (`latest`: the newest version). */
  async getByAlias(name: string, alias: string): Promise<ModelVersion> {
    const out = await this.http.mlflow<{ model_version: Json }>('GET', '/registered-models/alias', { name, alias });
    return decodeModelVersion(out.model_version);
  }

  /** The lineage graph of a model version, a run or a dataset (`GET /api/ferry/v1/lineage`). */
  async lineage(query: LineageQuery): Promise<LineageGraph> {
    const q: Record<string, QueryValue> =
      'runId' in query
        ? { run: query.runId }
        : 'dataset' in query
          ? { dataset: query.dataset, digest: query.digest }
          : 'alias' in query
            ? { model: query.model, alias: query.alias }
            : { model: query.model, version: String(query.version) };
    return this.ferryGet<LineageGraph>('/api/ferry/v1/lineage', q);
  }

  /** One page of the registry's audit history, oldest first (`GET /api/ferry/v1/audit`). */
  async audit(options: AuditQueryOptions = {}): Promise<Page<AuditEntry>> {
    const out = await this.ferryGet<{ entries?: Json[]; nextPageToken?: string }>('/api/ferry/v1/audit', {
      model: options.model,
      version: options.version,
      max_results: options.maxResults,
      page_token: options.pageToken,
    });
    return { items: (out.entries ?? []).map(decodeAuditEntry), ...(out.nextPageToken ? { nextPageToken: out.nextPageToken } : {}) };
  }

  private async ferryGet<T>(path: string, query: Record<string, QueryValue>): Promise<T> {
    const res = await this.http.send('GET', path, { query, idempotent: true });
    const text = await res.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new InternalError(`The server at ${this.http.baseUrl} answered GET ${path} with something that is not JSON: ${text.slice(0, 200)}`);
    }
  }
}

function searchFields(o: SearchRegistryOptions): Json {
  return { filter: o.filter, max_results: o.maxResults, order_by: o.orderBy, page_token: o.pageToken };
}
