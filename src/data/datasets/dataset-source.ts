import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ArtifactStore } from '../../backends/artifacts/artifact-store.js';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../errors.js';
import type { ResolvedTable, SourceScheme } from '../sources/data-source-resolver.js';
import { tableFormatOf, type TableFormat } from '../table/table-format.js';
import { MAX_MANIFEST_BYTES, parseManifest } from '../versioning/data-manifest.js';
import type { DatasetService } from './dataset-service.js';
import { blobPath, datasetRef, parseDatasetRef, type DatasetVersion } from './dataset-types.js';

export interface DatasetSchemeOptions {
  /** Where downloads go while a table is read (default: the OS temp folder). Must hold no glob characters. */
  tempRoot?: string;
  /** Files of a directory dataset fetched at once (default 4). */
  concurrency?: number;
}

/**
 * The `datasets` scheme for `DataSourceResolver`: resolves
 * `datasets:/NAME/VERSION` to local files by downloading the version's blobs
 * from the artifact store (`ferry-data/sha256/<2 hex>/<62 hex>`), checking each
 * one's SHA-256 as it arrives. A file dataset becomes one temporary file; a
 * directory dataset its table files in a temporary folder, resolved to a glob
 * DuckDB reads as one table (`DIR/**\/*.parquet`). `release()` deletes them.
 */
export function createDatasetScheme(datasets: DatasetService, artifacts: ArtifactStore, options: DatasetSchemeOptions = {}): SourceScheme {
  return async (rest, ref) => {
    const { name, version } = parseDatasetRef(rest);
    const v = await datasets.getVersion(name, version);
    const dir = await mkdtemp(join(options.tempRoot ?? tmpdir(), 'ferry-dataset-'));
    const release = async () => rm(dir, { recursive: true, force: true });
    try {
      const table = v.kind === 'file' ? await fetchFile(artifacts, v, dir) : await fetchDirectory(artifacts, v, dir, options.concurrency ?? 4);
      return { ref, ...table, release };
    } catch (err) {
      await release();
      throw err;
    }
  };
}

async function fetchFile(artifacts: ArtifactStore, v: DatasetVersion, dir: string): Promise<Omit<ResolvedTable, 'ref' | 'release'>> {
  const format = v.schema?.format ?? formatFromSource(v);
  const path = join(dir, `data.${format}`);
  await downloadVerified(artifacts, v, v.digest, path);
  return { path, format };
}

async function fetchDirectory(artifacts: ArtifactStore, v: DatasetVersion, dir: string, concurrency: number): Promise<Omit<ResolvedTable, 'ref' | 'release'>> {
  const manifest = parseManifest(await readVerified(artifacts, v, v.digest), `The manifest of ${label(v)}`);
  // Hidden files are no part of the table, as `ferry data add` summarised it (editor and Spark sidecars).
  const formatOf = (path: string): TableFormat | undefined => {
    if (path.slice(path.lastIndexOf('/') + 1).startsWith('.')) return undefined;
    try {
      return tableFormatOf(path);
    } catch {
      return undefined;
    }
  };
  const known = [...new Set(manifest.map((f) => formatOf(f.path)).filter((f): f is TableFormat => f !== undefined))];
  const format = v.schema?.format ?? (known.length === 1 ? known[0]! : undefined);
  if (!format) {
    throw new InvalidArgumentError(
      `Cannot tell which table files of ${label(v)} to read: ${known.length === 0 ? 'none has a .csv, .parquet or .jsonl name' : `it mixes ${known.join(', ')}`} and no schema format was registered.`,
    );
  }
  const tables = manifest.filter((f) => formatOf(f.path) === format);
  if (tables.length === 0) throw new InvalidArgumentError(`${label(v)} holds no ${format} files to read.`);
  const root = join(dir, 'files');
  let next = 0;
  const worker = async () => {
    while (next < tables.length) {
      const file = tables[next++]!;
      const path = join(root, ...file.path.split('/'));
      await mkdir(dirname(path), { recursive: true });
      await downloadVerified(artifacts, v, file.digest, path, file.path);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, tables.length)) }, worker));
  const extensions = new Set(tables.map((f) => extname(f.path).toLowerCase()));
  // One extension: name it, so the glob says what it reads; several (.csv and .tsv): every file here is a table of the format.
  const pattern = extensions.size === 1 ? `*${[...extensions][0]}` : '*';
  return { path: `${root}/**/${pattern}`, format };
}

function formatFromSource(v: DatasetVersion): TableFormat {
  try {
    return tableFormatOf(v.source ?? '');
  } catch {
    throw new InvalidArgumentError(`Cannot tell the table format of ${label(v)}: it was registered without a schema, and its source does not end in .csv, .parquet or .jsonl.`);
  }
}

const label = (v: DatasetVersion): string => datasetRef(v.name, v.version);

async function openBlob(artifacts: ArtifactStore, v: DatasetVersion, digest: string, what?: string) {
  try {
    return await artifacts.get(blobPath(digest));
  } catch (err) {
    if (err instanceof NotFoundError) {
      throw new NotFoundError(
        `The bytes of ${label(v)}${what ? ` (file ${what})` : ''} are not in the artifact store (${blobPath(digest)}): push them with \`ferry data push\`.`,
        { cause: err },
      );
    }
    throw err;
  }
}

function mismatch(v: DatasetVersion, expected: string, actual: string, what?: string): ConflictError {
  return new ConflictError(
    `The stored bytes of ${label(v)}${what ? ` (file ${what})` : ''} do not match their digest: expected ${expected}, got ${actual}. ` +
      `The blob ${blobPath(expected)} is damaged; push the data again with \`ferry data push\`.`,
    { details: { expected, actual, blob: blobPath(expected) } },
  );
}

/** Streams a blob to `dest`, hashing as it goes; a mismatch deletes the file and throws ConflictError. */
async function downloadVerified(artifacts: ArtifactStore, v: DatasetVersion, digest: string, dest: string, what?: string): Promise<void> {
  const { stream } = await openBlob(artifacts, v, digest, what);
  const hash = createHash('sha256');
  await pipeline(
    stream,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        hash.update(chunk);
        yield chunk;
      }
    },
    createWriteStream(dest),
  );
  const actual = `sha256:${hash.digest('hex')}`;
  if (actual !== digest) {
    await rm(dest, { force: true });
    throw mismatch(v, digest, actual, what);
  }
}

/** Reads a small blob (a manifest) into memory, verified. */
async function readVerified(artifacts: ArtifactStore, v: DatasetVersion, digest: string): Promise<Buffer> {
  const { stream, size } = await openBlob(artifacts, v, digest, 'manifest');
  if (size > MAX_MANIFEST_BYTES) {
    stream.destroy();
    throw new InvalidArgumentError(`The manifest of ${label(v)} is ${size} bytes, more than the ${MAX_MANIFEST_BYTES} a directory manifest may have.`);
  }
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const bytes = Buffer.concat(chunks);
  const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (actual !== digest) throw mismatch(v, digest, actual, 'manifest');
  return bytes;
}
