import { existsSync } from 'node:fs';
import { appendFile, lstat, readFile } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { InvalidArgumentError, NotFoundError } from '../../errors.js';
import { digestOf, formatManifest, type ManifestFile } from './data-manifest.js';
import { ensureFerryDir, FERRY_DIR } from './data-project.js';
import { stampOf } from './data-state.js';
import { listDirectory, type DataWorkspace, type ProgressListener, type WorkspaceFile } from './data-workspace.js';
import { POINTER_SUFFIX, readPointer, writePointer, type DataPointer, type PointerSchema } from './pointer-file.js';
import { tableSchema } from './table-schema.js';

export interface AddOptions {
  /** Record a schema summary for table files (default true). */
  schema?: boolean;
  /** In a git repository, list the data in the `.gitignore` beside it (default true). */
  gitignore?: boolean;
  onProgress?: ProgressListener;
}

/** What `addData` did for one path. */
export interface AddResult {
  /** The data, relative to the project root. */
  path: string;
  pointerPath: string;
  pointer: DataPointer;
  /** Whether the pointer file was written or changed (false: re-adding unchanged data). */
  changed: boolean;
  /** Files whose bytes were hashed (not vouched for by the state index). */
  hashedFiles: number;
  /** Blobs new to the cache. */
  newBlobs: number;
  /** Symlinks and special files inside a directory, which are not tracked. */
  skipped: string[];
}

/**
 * `ferry data add`: hashes a file or directory into the cache and writes its
 * pointer `PATH.ferry` beside it. Unchanged files (same size, mtime, inode as
 * last hashed) are not read again; re-adding unchanged data writes nothing.
 * @throws NotFoundError for a missing path; InvalidArgumentError for paths
 *   that cannot be tracked (the project root, `.ferry/`, a pointer, data inside
 *   a tracked directory) and for files that fail to hash.
 */
export async function addData(ws: DataWorkspace, target: string, options: AddOptions = {}): Promise<AddResult> {
  const abs = resolve(ws.cwd, target);
  const info = await lstat(abs).catch(() => undefined);
  if (!info) throw new NotFoundError(`Cannot add ${target}: no such file or directory.`);
  checkTrackable(ws, abs, target);
  if (!info.isFile() && !info.isDirectory()) throw new InvalidArgumentError(`Cannot add ${target}: only regular files and directories can be tracked.`);
  await ensureFerryDir(ws.project);
  const pointerPath = `${abs}${POINTER_SUFFIX}`;
  const previous = await readPointer(pointerPath).catch(() => undefined);

  let files: (WorkspaceFile & { rel: string })[];
  let skipped: string[] = [];
  if (info.isFile()) {
    const s = await lstat(abs, { bigint: true });
    files = [{ abs, rel: basename(abs), size: Number(s.size), stamp: stampOf(s) }];
  } else {
    ({ files, skipped } = await listDirectory(abs));
    const nested = files.find((f) => f.rel.endsWith(POINTER_SUFFIX));
    if (nested) {
      throw new InvalidArgumentError(`Cannot add ${target}: it holds the pointer ${nested.rel}, data tracked on its own; remove that pointer or add the parts separately.`);
    }
  }

  const digests = await ws.digestFiles(files, { store: true, onProgress: options.onProgress, phase: 'adding' });
  const failed = digests.flatMap((d, i) => (d.ok ? [] : [`${files[i]!.rel}: ${d.message}`]));
  if (failed.length > 0) throw new InvalidArgumentError(`Cannot add ${target}: ${failed.slice(0, 5).join('; ')}${failed.length > 5 ? ` (and ${failed.length - 5} more)` : ''}`);
  const hashedFiles = digests.filter((d) => d.ok && d.stored !== undefined).length;
  let newBlobs = digests.filter((d) => d.ok && d.stored === 'new').length;

  let pointer: DataPointer;
  const size = digests.reduce((s, d) => s + (d.ok ? d.size : 0), 0);
  if (info.isFile()) {
    const d = digests[0]!;
    pointer = { ferry: 1, path: basename(abs), kind: 'file', digest: d.ok ? d.digest : '', size, files: 1 };
  } else {
    const manifest: ManifestFile[] = files.map((f, i) => {
      const d = digests[i]!;
      return { path: f.rel, digest: d.ok ? d.digest : '', size: d.ok ? d.size : 0 };
    });
    const bytes = formatManifest(manifest);
    if (!(await ws.cache.has(digestOf(bytes), bytes.length))) newBlobs++;
    const digest = await ws.cache.putBytes(bytes);
    pointer = { ferry: 1, path: basename(abs), kind: 'directory', digest, size, files: files.length };
  }
  const schema = await schemaFor(pointer, previous, files, options.schema ?? true);
  if (schema) pointer.schema = schema;

  const changed = await writePointer(pointerPath, pointer);
  if (options.gitignore ?? true) await ignoreInGit(ws.project.root, abs);
  return { path: relative(ws.project.root, abs).split(sep).join('/'), pointerPath, pointer, changed, hashedFiles, newBlobs, skipped };
}

/** Unchanged data keeps its recorded schema (no DuckDB scan on a re-add); anything else is summarised afresh. */
async function schemaFor(pointer: DataPointer, previous: DataPointer | undefined, files: { abs: string; rel: string; size: number }[], wanted: boolean): Promise<PointerSchema | undefined> {
  if (!wanted) return undefined;
  if (previous?.schema && previous.digest === pointer.digest && previous.kind === pointer.kind) return previous.schema;
  return tableSchema(files);
}

function checkTrackable(ws: DataWorkspace, abs: string, target: string): void {
  const root = ws.project.root;
  const rel = relative(root, abs);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || resolve(root, rel) !== abs) {
    throw new InvalidArgumentError(`Cannot add ${target}: track a file or folder inside the project ${root}, not the project itself or anything outside it.`);
  }
  const parts = rel.split(sep);
  if (parts[0] === FERRY_DIR || parts.includes('.git')) throw new InvalidArgumentError(`Cannot add ${target}: it is inside ${parts[0] === FERRY_DIR ? FERRY_DIR : '.git'}/.`);
  if (abs.endsWith(POINTER_SUFFIX)) throw new InvalidArgumentError(`Cannot add ${target}: it is a pointer file; add the data it points to instead.`);
  for (let dir = dirname(abs); dir.length > root.length; dir = dirname(dir)) {
    if (existsSync(`${dir}${POINTER_SUFFIX}`)) {
      throw new InvalidArgumentError(`Cannot add ${target}: it is inside ${relative(root, dir)}, which is tracked as a whole by ${relative(root, dir)}${POINTER_SUFFIX}; add that folder again instead.`);
    }
  }
}

/**
 * Lists the data in the `.gitignore` of its folder (like `dvc add`), so only
 * the pointer is committed. Only inside a git repository.
 */
async function ignoreInGit(root: string, abs: string): Promise<void> {
  if (!existsSync(join(root, '.git'))) return;
  const file = join(dirname(abs), '.gitignore');
  const line = `/${escapeGitignore(basename(abs))}`;
  const text = await readFile(file, 'utf8').catch(() => '');
  if (text.split(/\r?\n/).includes(line)) return;
  await appendFile(file, `${text === '' || text.endsWith('\n') ? '' : '\n'}${line}\n`);
}

function escapeGitignore(name: string): string {
  return name.replace(/[\\*?[\]]/g, '\\$&').replace(/^([#!])/, '\\$1').replace(/ $/, '\\ ');
}
