import type { Database } from '../../backends/database/database.js';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../errors.js';
import { DatasetStore } from './dataset-store.js';
import type {
  DatasetPage,
  DatasetPatch,
  DatasetVersion,
  ListDatasetsQuery,
  ListVersionsQuery,
  RegisterDatasetInput,
  RegisterDatasetResult,
  RegisteredDataset,
} from './dataset-types.js';
import { validateDatasetName, validateDigest, validatePatch, validateRegisterInput, validateVersionNumber } from './dataset-validation.js';

const DEFAULT_PAGE = 100;
const MAX_PAGE = 1000;

/**
 * The dataset registry: names, numbered versions and the digest of each.
 * Registering is idempotent by digest — the same bytes under the same name
 * are one version however often they are registered — and version numbers
 * are never reused, so `datasets:/NAME/3` means the same bytes forever.
 */
export class DatasetService {
  readonly store: DatasetStore;

  constructor(
    database: Database,
    private readonly clock: () => number = Date.now,
  ) {
    this.store = new DatasetStore(database);
  }

  /**
   * Registers `digest` as a version of `name`, creating the dataset on first use
   * (the version's description becomes the dataset's too).
   * @returns the existing version (`created: false`) when the digest is already registered, else version N+1.
   * @throws InvalidArgumentError for a malformed field; ConflictError when the digest is
   *   registered with a different kind, size or file count (one digest is one set of bytes).
   */
  async register(input: RegisterDatasetInput | Record<string, unknown>): Promise<RegisterDatasetResult> {
    const v = validateRegisterInput(input);
    const now = this.clock();
    const { version, created } = await this.store.transaction(async (trx) => {
      const isNew = await this.store.ensureDataset(trx, v.name, v.description ?? null, now);
      if (!isNew) await this.store.lock(trx, v.name);
      const existing = isNew ? undefined : await this.store.versionNumberByDigest(trx, v.name, v.digest);
      if (existing !== undefined) return { version: existing, created: false };
      const number = await this.store.nextVersion(trx, v.name, now);
      await this.store.insertVersion(
        trx,
        {
          name: v.name,
          version: number,
          digest: v.digest,
          kind: v.kind,
          size: v.size,
          files: v.files,
          source: v.source ?? null,
          schema: v.schema ?? null,
          profile: v.profile ?? null,
          description: v.description ?? null,
          createdBy: v.createdBy ?? null,
          creationTime: now,
        },
        v.tags ?? {},
      );
      return { version: number, created: true };
    });
    const stored = await this.getVersion(v.name, version);
    if (!created && (stored.kind !== v.kind || stored.size !== v.size || stored.files !== v.files)) {
      throw new ConflictError(
        `Digest ${v.digest} is already version ${version} of '${v.name}' as a ${stored.kind} of ${stored.size} bytes in ${stored.files} file(s); ` +
          `this registration says a ${v.kind} of ${v.size} bytes in ${v.files} file(s). One digest is one set of bytes: check the pointer file.`,
        { details: { version } },
      );
    }
    return { version: stored, created };
  }

  /** @throws NotFoundError when there is no such dataset. */
  async get(name: unknown): Promise<RegisteredDataset> {
    const n = validateDatasetName(name);
    const dataset = await this.store.getDataset(this.store.db, n);
    if (!dataset) throw new NotFoundError(`No dataset '${n}'. Register one with \`ferry data register\` or POST /api/ferry/v1/datasets.`);
    return dataset;
  }

  /**
   * One version, by number or `latest` (the highest that exists).
   * @throws NotFoundError when the dataset or the version does not exist.
   */
  async getVersion(name: unknown, version: unknown): Promise<DatasetVersion> {
    const n = validateDatasetName(name);
    let number: number;
    if (version === 'latest') {
      const latest = await this.store.latestVersionNumber(this.store.db, n);
      if (latest === undefined) {
        await this.get(n);
        throw new NotFoundError(`Dataset '${n}' has no versions.`);
      }
      number = latest;
    } else {
      number = validateVersionNumber(version);
    }
    const found = await this.store.getVersion(this.store.db, n, number);
    if (!found) {
      await this.get(n);
      throw new NotFoundError(`Dataset '${n}' has no version ${number}.`);
    }
    return found;
  }

  /** Datasets in name order, one page at a time. */
  async list(query: ListDatasetsQuery = {}): Promise<DatasetPage<RegisteredDataset>> {
    const limit = pageSize(query.maxResults);
    const after = query.pageToken ? decodeNameToken(query.pageToken) : undefined;
    if (query.nameContains !== undefined && typeof query.nameContains !== 'string') throw new InvalidArgumentError("'name_contains' must be a string.");
    const names = await this.store.listNames({ nameContains: query.nameContains || undefined, after, limit: limit + 1 });
    const page = names.slice(0, limit);
    const items = await this.store.getDatasets(this.store.db, page);
    return names.length > limit ? { items, nextPageToken: Buffer.from(page[page.length - 1]!, 'utf8').toString('base64url') } : { items };
  }

  /**
   * A dataset's versions, newest first, one page at a time.
   * @throws NotFoundError when there is no such dataset.
   */
  async listVersions(name: unknown, query: ListVersionsQuery = {}): Promise<DatasetPage<DatasetVersion>> {
    const dataset = await this.get(name);
    const limit = pageSize(query.maxResults);
    const before = query.pageToken ? decodeVersionToken(query.pageToken) : undefined;
    const digest = query.digest === undefined || query.digest === '' ? undefined : validateDigest(query.digest);
    const rows = await this.store.listVersions(dataset.name, { digest, before, limit: limit + 1 });
    const items = rows.slice(0, limit);
    return rows.length > limit ? { items, nextPageToken: String(items[items.length - 1]!.version) } : { items };
  }

  /**
   * Changes a dataset's description and tags.
   * @throws NotFoundError when there is no such dataset; InvalidArgumentError for an empty or malformed patch.
   */
  async update(name: unknown, patch: DatasetPatch): Promise<RegisteredDataset> {
    const n = validateDatasetName(name);
    const p = validatePatch(patch);
    const found = await this.store.transaction((trx) => this.store.updateDataset(trx, n, p, this.clock()));
    if (!found) throw new NotFoundError(`No dataset '${n}'.`);
    return this.get(n);
  }

  /** Changes a version's description and tags. @throws NotFoundError when there is no such version. */
  async updateVersion(name: unknown, version: unknown, patch: DatasetPatch): Promise<DatasetVersion> {
    const current = await this.getVersion(name, version);
    const p = validatePatch(patch);
    const found = await this.store.transaction((trx) => this.store.updateVersion(trx, current.name, current.version, p, this.clock()));
    if (!found) throw new NotFoundError(`Dataset '${current.name}' has no version ${current.version}.`);
    return this.getVersion(current.name, current.version);
  }

  /**
   * Deletes one version's registration (the blobs stay in the artifact store,
   * where other versions or datasets may share them). Its number is never given again.
   * @throws NotFoundError when there is no such version.
   */
  async deleteVersion(name: unknown, version: unknown): Promise<void> {
    const n = validateDatasetName(name);
    const number = validateVersionNumber(version);
    const deleted = await this.store.transaction((trx) => this.store.deleteVersion(trx, n, number, this.clock()));
    if (!deleted) {
      await this.get(n);
      throw new NotFoundError(`Dataset '${n}' has no version ${number}.`);
    }
  }
}

function pageSize(maxResults: number | undefined): number {
  if (maxResults === undefined) return DEFAULT_PAGE;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > MAX_PAGE) {
    throw new InvalidArgumentError(`max_results must be an integer from 1 to ${MAX_PAGE}, got ${String(maxResults).slice(0, 50)}.`);
  }
  return maxResults;
}

function badToken(token: string): never {
  throw new InvalidArgumentError(`Invalid page token '${token.slice(0, 100)}': pass the next_page_token of the previous page.`);
}

function decodeNameToken(token: string): string {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(token)) badToken(token);
  const name = Buffer.from(token, 'base64url').toString('utf8');
  if (name === '') badToken(token);
  return name;
}

function decodeVersionToken(token: string): number {
  if (!/^\d{1,15}$/.test(token)) badToken(token);
  return Number(token);
}
