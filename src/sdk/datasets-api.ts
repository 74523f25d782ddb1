import { datasetRunInput } from '../data/datasets/dataset-run-input.js';
import {
  parseDatasetRef,
  type DatasetKind,
  type DatasetPage,
  type DatasetPatch,
  type DatasetSchema,
  type DatasetVersion,
  type RegisteredDataset,
} from '../data/datasets/dataset-types.js';
import type { DataPointer } from '../data/versioning/pointer-file.js';
import { InternalError, InvalidArgumentError } from '../errors.js';
import type { HttpClient, Json, QueryValue } from './http-client.js';

const BASE = '/api/ferry/v1/datasets';
const seg = (s: string | number) => encodeURIComponent(String(s));

/** What `register` sends: a pointer file's fields plus a name and descriptions. */
export interface RegisterDatasetOptions {
  name: string;
  /** `sha256:<64 hex>`, of the file or of a directory's manifest. */
  digest: string;
  kind: DatasetKind;
  size: number;
  files: number;
  /** Where the data came from, free text (a git path, an s3:// URL). */
  source?: string;
  schema?: DatasetSchema;
  profile?: Record<string, unknown>;
  description?: string;
  tags?: Record<string, string>;
}

export interface ListDatasetsOptions {
  /** Only names containing this text, any case. */
  nameContains?: string;
  maxResults?: number;
  pageToken?: string;
}

export interface ListDatasetVersionsOptions {
  /** Only the version holding this digest. */
  digest?: string;
  maxResults?: number;
  pageToken?: string;
}

/** A dataset version as a reference (`datasets:/NAME/VERSION`, `datasets:/NAME@latest`) or as fetched. */
export type DatasetVersionRef = string | Pick<DatasetVersion, 'name' | 'version'>;

/**
 * Ferry's dataset registry over HTTP (`/api/ferry/v1/datasets`): register the
 * digests that `ferry data add` records as numbered versions, find them, and
 * link a version to a run as an input so lineage reaches the exact bytes.
 *
 * @example
 * const { version } = await ferry.datasets.register({ name: 'transactions', ...pointer, source: 'git:data/transactions.parquet' });
 * await ferry.datasets.logToRun(run.id, version, { context: 'training' }); // or 'datasets:/transactions/3'
 */
export class DatasetsApi {
  constructor(
    private readonly http: HttpClient,
    private readonly userId?: string,
  ) {}

  /**
   * Registers a version; idempotent by digest: the same digest again returns
   * the existing version with `created: false`, a new one becomes version N+1.
   * @throws InvalidArgumentError naming a malformed field; ConflictError when the digest is registered with another size.
   */
  async register(options: RegisterDatasetOptions): Promise<{ version: DatasetVersion; created: boolean }> {
    const body = { ...options, ...(this.userId ? { user_id: this.userId } : {}) };
    // Safe to retry: a repeat finds the version the first attempt made.
    const out = await this.json<{ dataset_version: Json; created: boolean }>('POST', BASE, { body, idempotent: true });
    return { version: decodeDatasetVersion(out.dataset_version), created: out.created === true };
  }

  /** Registers the data a pointer file (`PATH.ferry`) names. */
  async registerPointer(pointer: DataPointer, options: Omit<RegisterDatasetOptions, 'digest' | 'kind' | 'size' | 'files' | 'schema'>): Promise<{ version: DatasetVersion; created: boolean }> {
    return this.register({ ...options, digest: pointer.digest, kind: pointer.kind, size: pointer.size, files: pointer.files, ...(pointer.schema ? { schema: pointer.schema } : {}) });
  }

  /** One page of datasets in name order. */
  async list(options: ListDatasetsOptions = {}): Promise<DatasetPage<RegisteredDataset>> {
    const out = await this.json<{ datasets?: Json[]; next_page_token?: string }>('GET', BASE, {
      query: { name_contains: options.nameContains, max_results: options.maxResults, page_token: options.pageToken },
    });
    return { items: (out.datasets ?? []).map(decodeDataset), ...(out.next_page_token ? { nextPageToken: out.next_page_token } : {}) };
  }

  /** Every matching dataset, following page tokens (up to `limit`). */
  async listAll(options: Omit<ListDatasetsOptions, 'pageToken' | 'maxResults'> = {}, limit = Infinity): Promise<RegisteredDataset[]> {
    const all: RegisteredDataset[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.list({ ...options, pageToken, maxResults: Math.min(1000, limit - all.length) });
      all.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken && all.length < limit);
    return all;
  }

  /** @throws NotFoundError when there is no such dataset. */
  async get(name: string): Promise<RegisteredDataset> {
    return decodeDataset((await this.json<{ dataset: Json }>('GET', `${BASE}/${seg(name)}`)).dataset);
  }

  /** One version by number, or `latest`. @throws NotFoundError when it does not exist. */
  async getVersion(name: string, version: number | 'latest'): Promise<DatasetVersion> {
    return decodeDatasetVersion((await this.json<{ dataset_version: Json }>('GET', `${BASE}/${seg(name)}/versions/${seg(version)}`)).dataset_version);
  }

  /** The version a reference names (`datasets:/NAME/VERSION`, `datasets:/NAME@latest`). */
  async resolve(ref: DatasetVersionRef): Promise<DatasetVersion> {
    if (typeof ref !== 'string') return this.getVersion(ref.name, ref.version);
    if (!ref.startsWith('datasets:')) throw new InvalidArgumentError(`'${ref.slice(0, 200)}' is not a dataset reference: use datasets:/NAME/VERSION or datasets:/NAME@latest.`);
    const { name, version } = parseDatasetRef(ref.slice('datasets:'.length));
    return this.getVersion(name, version);
  }

  /** One page of a dataset's versions, newest first. */
  async listVersions(name: string, options: ListDatasetVersionsOptions = {}): Promise<DatasetPage<DatasetVersion>> {
    const out = await this.json<{ versions?: Json[]; next_page_token?: string }>('GET', `${BASE}/${seg(name)}/versions`, {
      query: { digest: options.digest, max_results: options.maxResults, page_token: options.pageToken },
    });
    return { items: (out.versions ?? []).map(decodeDatasetVersion), ...(out.next_page_token ? { nextPageToken: out.next_page_token } : {}) };
  }

  /** Sets a dataset's description and tags (a tag set to null is removed). */
  async update(name: string, patch: DatasetPatch): Promise<RegisteredDataset> {
    return decodeDataset((await this.json<{ dataset: Json }>('PATCH', `${BASE}/${seg(name)}`, { body: patch as Json, idempotent: true })).dataset);
  }

  /** Sets a version's description and tags (a tag set to null is removed). */
  async updateVersion(name: string, version: number, patch: DatasetPatch): Promise<DatasetVersion> {
    const out = await this.json<{ dataset_version: Json }>('PATCH', `${BASE}/${seg(name)}/versions/${seg(version)}`, { body: patch as Json, idempotent: true });
    return decodeDatasetVersion(out.dataset_version);
  }

  /** Deletes a version's registration; its number is never reused. */
  async deleteVersion(name: string, version: number): Promise<void> {
    await this.json('DELETE', `${BASE}/${seg(name)}/versions/${seg(version)}`);
  }

  /**
   * Logs a version as an input of a run through MLflow's `runs/log-inputs`:
   * name = the dataset's name, source_type `ferry`, source `datasets:/NAME/VERSION`,
   * digest the first 32 hex digits of its SHA-256 (MLflow's limit is 36
   * characters), the full digest in the input's profile. Idempotent.
   * @returns the version that was logged.
   */
  async logToRun(runId: string, ref: DatasetVersionRef, options: { context?: string } = {}): Promise<DatasetVersion> {
    const version = await this.resolve(ref);
    await this.http.mlflow('POST', '/runs/log-inputs', { run_id: runId, datasets: [datasetRunInput(version, options.context)] }, { idempotent: true });
    return version;
  }

  private async json<T>(method: string, path: string, options: { body?: unknown; query?: Record<string, QueryValue>; idempotent?: boolean } = {}): Promise<T> {
    const { body } = options;
    const res = await this.http.send(method, path, {
      query: options.query,
      idempotent: options.idempotent,
      ...(body !== undefined ? { body: () => JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
    });
    const text = await res.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new InternalError(`The server at ${this.http.baseUrl} answered ${method} ${path} with something that is not JSON: ${text.slice(0, 200)}`);
    }
  }
}

const optStr = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));
const num = (v: unknown): number => (v === undefined || v === null ? 0 : Number(v));
const obj = <T>(v: unknown): T | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as T) : null);
const tags = (v: unknown): Record<string, string> => ({ ...(obj<Record<string, string>>(v) ?? {}) });

/** A version as the API answers it, in Ferry's words. */
export function decodeDatasetVersion(j: Json): DatasetVersion {
  return {
    name: String(j.name ?? ''),
    version: num(j.version),
    digest: String(j.digest ?? ''),
    kind: j.kind === 'directory' ? 'directory' : 'file',
    size: num(j.size),
    files: num(j.files),
    source: optStr(j.source),
    schema: obj<DatasetSchema>(j.schema),
    profile: obj<Record<string, unknown>>(j.profile),
    description: optStr(j.description),
    tags: tags(j.tags),
    createdBy: optStr(j.created_by),
    creationTime: num(j.creation_time),
    lastUpdatedTime: num(j.last_updated_time),
  };
}

export function decodeDataset(j: Json): RegisteredDataset {
  const latest = obj<Json>(j.latest_version);
  return {
    name: String(j.name ?? ''),
    description: optStr(j.description),
    tags: tags(j.tags),
    creationTime: num(j.creation_time),
    lastUpdatedTime: num(j.last_updated_time),
    versionCount: num(j.version_count),
    latestVersion: latest ? decodeDatasetVersion(latest) : null,
  };
}
