import { InvalidArgumentError } from '../../errors.js';

/** The dataset registry in Ferry's words: named datasets, numbered versions, each version one digest. */

/** One column of a table dataset, with DuckDB's type name (as `ferry data add` records it). */
export interface DatasetColumn {
  name: string;
  type: string;
}

/** The shape of a table dataset: the pointer file's `schema`. */
export interface DatasetSchema {
  /** How the table files are written, when known. */
  format?: 'csv' | 'parquet' | 'jsonl';
  /** Rows in total, when known. */
  rows?: number;
  columns: DatasetColumn[];
}

export type DatasetKind = 'file' | 'directory';

/** One version of a dataset: exactly the bytes named by `digest`. */
export interface DatasetVersion {
  name: string;
  version: number;
  /** `sha256:<64 hex>`: of the file, or of a directory's manifest blob. */
  digest: string;
  kind: DatasetKind;
  /** Bytes in total. */
  size: number;
  /** 1 for a file, the number of files for a directory. */
  files: number;
  /** Where the data came from, free text (a git path, an s3:// URL); null when not given. */
  source: string | null;
  schema: DatasetSchema | null;
  /** Statistics or anything else the registrant recorded, as JSON. */
  profile: Record<string, unknown> | null;
  description: string | null;
  tags: Record<string, string>;
  /** Who registered it: the token's name with auth on, else the request's `user_id`. */
  createdBy: string | null;
  creationTime: number;
  lastUpdatedTime: number;
}

/** A named dataset and its newest version. */
export interface RegisteredDataset {
  name: string;
  description: string | null;
  tags: Record<string, string>;
  creationTime: number;
  lastUpdatedTime: number;
  /** Versions that exist now (deleted ones are gone). */
  versionCount: number;
  /** The highest-numbered version that exists; null once every version was deleted. */
  latestVersion: DatasetVersion | null;
}

/** What registering a version takes; `description` and `tags` describe the version (and a new dataset). */
export interface RegisterDatasetInput {
  name: string;
  digest: string;
  kind: DatasetKind;
  size: number;
  files: number;
  source?: string | null;
  schema?: DatasetSchema | null;
  profile?: Record<string, unknown> | null;
  description?: string | null;
  tags?: Record<string, string>;
  createdBy?: string | null;
}

/** The result of registering: the version, and whether this call created it (false: the digest was already registered). */
export interface RegisterDatasetResult {
  version: DatasetVersion;
  created: boolean;
}

/** A change to a dataset's or version's description and tags: a tag set to null is removed, description null clears it. */
export interface DatasetPatch {
  description?: string | null;
  tags?: Record<string, string | null>;
}

export interface DatasetPage<T> {
  items: T[];
  nextPageToken?: string;
}

export interface ListDatasetsQuery {
  /** Only names containing this text, any case. */
  nameContains?: string;
  maxResults?: number;
  pageToken?: string;
}

export interface ListVersionsQuery {
  /** Only the version with this digest. */
  digest?: string;
  maxResults?: number;
  pageToken?: string;
}

/** The URI scheme of registered datasets: `datasets:/NAME/VERSION`, `datasets:/NAME@latest`. */
export const DATASETS_SCHEME = 'datasets';

/** Where dataset blobs live in the artifact store, relative to its root. */
export const DATASET_BLOB_ROOT = 'ferry-data/sha256';

/** The reference of one version, as the data API and run inputs take it. */
export function datasetRef(name: string, version: number): string {
  return `${DATASETS_SCHEME}:/${name}/${version}`;
}

/** The artifact-store path of a blob: `ferry-data/sha256/<2 hex>/<62 hex>`. */
export function blobPath(digest: string): string {
  const hex = digest.slice('sha256:'.length);
  return `${DATASET_BLOB_ROOT}/${hex.slice(0, 2)}/${hex.slice(2)}`;
}

/**
 * The digest a run input records for a version. MLflow caps a dataset digest
 * at 36 characters (its SQL column and validation, mirrored in
 * `tracking-limits.ts`), so a full `sha256:` digest (71) cannot go there; the
 * first 32 hex digits (128 bits) do, and the input's profile carries the
 * full digest.
 */
export function runInputDigest(digest: string): string {
  return digest.slice('sha256:'.length, 'sha256:'.length + 32);
}

const FORMS = 'datasets:/NAME/VERSION or datasets:/NAME@latest';

/**
 * What a `datasets:` reference names: `/NAME/VERSION`, `/NAME/latest` or
 * `/NAME@latest` (the part after `datasets:`).
 * @throws InvalidArgumentError for any other form, naming the accepted ones.
 */
export function parseDatasetRef(rest: string): { name: string; version: number | 'latest' } {
  const m = /^\/*([^/@]+)(?:\/([^/]+)|@(latest))\/?$/.exec(rest);
  if (m) {
    const version = m[3] ?? m[2]!;
    if (version === 'latest') return { name: m[1]!, version: 'latest' };
    if (/^\d{1,15}$/.test(version) && Number(version) > 0) return { name: m[1]!, version: Number(version) };
  }
  throw new InvalidArgumentError(`Cannot read 'datasets:${rest.slice(0, 200)}' as a dataset reference: use ${FORMS}.`);
}
