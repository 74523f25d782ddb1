import { randomUUID } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import YAML from 'yaml';
import { InvalidArgumentError, NotFoundError } from '../../errors.js';

/** Pointer files are `PATH.ferry`, beside the data they stand for. */
export const POINTER_SUFFIX = '.ferry';

/** The columns of a table file (or of a directory of same-shaped table files), as DuckDB reads them. */
export interface PointerSchema {
  format: 'csv' | 'parquet' | 'jsonl';
  rows: number;
  columns: { name: string; type: string }[];
}

/**
 * What a pointer file records: committed to git instead of the data, it names
 * the exact bytes. For a file `digest` is `sha256:` + the SHA-256 of its
 * content; for a directory it is that of its manifest — the canonical JSON
 * `{"ferry":1,"files":[{"path","digest","size"},…]}` sorted by path, with
 * `/` separators and no whitespace — which is itself stored as a blob.
 * (Paths sort by their UTF-8 bytes; `formatManifest` in data-manifest.ts
 * writes this form.)
 */
export interface DataPointer {
  /** Format version of the pointer file. */
  ferry: 1;
  /** The data's path relative to the pointer file's folder (its base name). */
  path: string;
  kind: 'file' | 'directory';
  digest: string;
  /** Bytes in total. */
  size: number;
  /** 1 for a file, the number of files for a directory. */
  files: number;
  /** Present when the data is a table DuckDB can read. */
  schema?: PointerSchema;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The hex part of a `sha256:` digest. */
export function digestHex(digest: string): string {
  if (!DIGEST.test(digest)) throw new InvalidArgumentError(`'${digest}' is not a digest of the form sha256:<64 hex digits>.`);
  return digest.slice('sha256:'.length);
}

/** Serialises a pointer as the YAML committed to git, with a comment saying what it is. */
export function formatPointer(pointer: DataPointer): string {
  const body: Record<string, unknown> = {
    ferry: 1,
    path: pointer.path,
    kind: pointer.kind,
    digest: pointer.digest,
    size: pointer.size,
    files: pointer.files,
  };
  if (pointer.schema) body.schema = pointer.schema;
  return `# Ferry data pointer: commit this file instead of the data; \`ferry data pull\` restores it.\n${YAML.stringify(body)}`;
}

/**
 * Parses and checks a pointer file's text.
 * @throws InvalidArgumentError naming the field that is missing or wrong.
 */
export function parsePointer(text: string, source = 'pointer file'): DataPointer {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (err) {
    throw new InvalidArgumentError(`${source} is not valid YAML: ${(err as Error).message}`);
  }
  if (!raw || typeof raw !== 'object') throw new InvalidArgumentError(`${source} is not a Ferry pointer (expected a YAML mapping).`);
  const p = raw as Record<string, unknown>;
  const fail = (field: string, want: string): never => {
    throw new InvalidArgumentError(`${source}: '${field}' must be ${want}.`);
  };
  if (p.ferry !== 1) fail('ferry', '1 (the pointer format version)');
  if (typeof p.path !== 'string' || p.path === '' || p.path.includes('/') || p.path.includes('\\') || p.path === '..' || p.path === '.') {
    fail('path', 'the base name of the data beside the pointer');
  }
  if (p.kind !== 'file' && p.kind !== 'directory') fail('kind', "'file' or 'directory'");
  if (typeof p.digest !== 'string' || !DIGEST.test(p.digest)) fail('digest', 'sha256:<64 hex digits>');
  if (!Number.isSafeInteger(p.size) || (p.size as number) < 0) fail('size', 'a byte count');
  if (!Number.isSafeInteger(p.files) || (p.files as number) < 0) fail('files', 'a file count');
  return p as unknown as DataPointer;
}

/** Reads a pointer file. @throws NotFoundError when it does not exist; InvalidArgumentError when malformed. */
export async function readPointer(path: string): Promise<DataPointer> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new NotFoundError(`No pointer file ${path}; run \`ferry data add\` on the data first.`);
  }
  return parsePointer(text, path);
}

/**
 * Writes a pointer file atomically (temp file beside it, then rename), so an
 * interrupted write leaves the old pointer or the new one, never half of one.
 * @returns whether the file's content changed.
 */
export async function writePointer(path: string, pointer: DataPointer): Promise<boolean> {
  const text = formatPointer(pointer);
  const old = await readFile(path, 'utf8').catch(() => undefined);
  if (old === text) return false;
  const temp = `${path}.${randomUUID()}.tmp`;
  try {
    await writeFile(temp, text);
    await rename(temp, path);
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
  return true;
}
