import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, realpath, rename, rm, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { FerryError, InternalError, InvalidArgumentError, NotFoundError, PermissionDeniedError } from '../../errors.js';
import { normalizeArtifactPath } from './artifact-path.js';
import type { ArtifactEntry, ArtifactStore } from './artifact-store.js';

/** Prefix of in-flight upload files; `list` hides them. */
const TEMP_PREFIX = '.ferry-upload-';

/**
 * Artifacts as files under a root directory, given as `file:///abs/path` or a
 * plain path (relative paths resolve against the working directory). The root
 * is created on the first write.
 *
 * Writes go to a temp file in the target's directory, are fsynced, then
 * renamed into place, so readers never see a partial file and an acknowledged
 * write survives a crash. Every path is checked to stay inside the root after
 * resolving symlinks, so a symlink inside the root cannot expose other files.
 */
export class LocalArtifactStore implements ArtifactStore {
  readonly url: string;
  /** Absolute root directory, as configured (may itself be or contain a symlink). */
  readonly root: string;

  constructor(url: string) {
    this.url = url;
    this.root = toRootDirectory(url);
  }

  async put(path: string, body: Readable | Buffer): Promise<number> {
    const file = await this.resolveFile(path, 'write');
    const dir = dirname(file);
    await mkdir(dir, { recursive: true }).catch((err: unknown) => {
      throw translateFsError(err, path);
    });
    const temp = join(dir, `${TEMP_PREFIX}${randomUUID()}`);
    let handle: FileHandle | undefined;
    try {
      handle = await open(temp, 'wx');
      const written = await writeAll(handle, body);
      // fsync before rename: otherwise a crash can leave the new name pointing
      // at an empty or truncated file on filesystems that reorder metadata.
      await handle.sync();
      await handle.close();
      handle = undefined;
      await rename(temp, file);
      await syncDirectory(dir);
      return written;
    } catch (err) {
      await handle?.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw translateFsError(err, path);
    }
  }

  async get(path: string): Promise<{ stream: Readable; size: number }> {
    const file = await this.resolveFile(path, 'read');
    let handle: FileHandle;
    try {
      handle = await open(file, 'r');
    } catch (err) {
      if (isErrno(err, 'ENOENT', 'ENOTDIR', 'EISDIR')) {
        throw new NotFoundError(`Artifact ${JSON.stringify(path)} does not exist`, { cause: err });
      }
      throw translateFsError(err, path);
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new NotFoundError(`Artifact ${JSON.stringify(path)} is not a file`);
      // createReadStream closes the handle when the stream ends or is destroyed.
      return { stream: handle.createReadStream(), size: info.size };
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw translateFsError(err, path);
    }
  }

  async list(path: string): Promise<ArtifactEntry[]> {
    const rel = normalizeArtifactPath(path);
    const dir = this.absolute(rel);
    await this.assertInsideRoot(dir);
    let dirents;
    try {
      dirents = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      // MLflow lists a missing directory (or a file) as empty.
      if (isErrno(err, 'ENOENT', 'ENOTDIR')) return [];
      throw translateFsError(err, path);
    }
    const entries: ArtifactEntry[] = [];
    for (const dirent of dirents) {
      if (dirent.name.startsWith(TEMP_PREFIX)) continue;
      const entryPath = rel === '' ? dirent.name : `${rel}/${dirent.name}`;
      const abs = join(dir, dirent.name);
      if (dirent.isSymbolicLink() && !(await this.isInsideRoot(abs))) continue;
      const info = await stat(abs).catch(() => undefined);
      if (info === undefined) continue; // vanished meanwhile, or a dangling symlink
      if (info.isDirectory()) entries.push({ path: entryPath, isDir: true });
      else if (info.isFile()) entries.push({ path: entryPath, isDir: false, size: info.size });
    }
    return entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  async delete(path: string): Promise<void> {
    await this.deleteMany([path]);
  }

  async deleteMany(paths: string[]): Promise<void> {
    // Validate everything first so a bad path deletes nothing.
    const targets: string[] = [];
    for (const path of paths) {
      const rel = normalizeArtifactPath(path);
      if (rel === '') throw new InvalidArgumentError('Refusing to delete the artifact store root; name a file or directory');
      const abs = this.absolute(rel);
      // Only the parent must resolve inside the root: rm removes a symlink
      // itself, never what it points to.
      await this.assertInsideRoot(dirname(abs));
      targets.push(abs);
    }
    for (const [i, abs] of targets.entries()) {
      await rm(abs, { recursive: true, force: true }).catch((err: unknown) => {
        throw translateFsError(err, paths[i] ?? '');
      });
    }
  }

  async close(): Promise<void> {}

  /** Resolves a path that must name a file; checks the target itself when reading. */
  private async resolveFile(path: string, mode: 'read' | 'write'): Promise<string> {
    const rel = normalizeArtifactPath(path);
    if (rel === '') throw new InvalidArgumentError('Artifact path is empty; name a file');
    const abs = this.absolute(rel);
    // A write renames over the target, replacing a symlink rather than
    // following it, so only its parent matters; a read follows the target.
    await this.assertInsideRoot(mode === 'read' ? abs : dirname(abs));
    return abs;
  }

  private absolute(rel: string): string {
    return rel === '' ? this.root : join(this.root, ...rel.split('/'));
  }

  private async assertInsideRoot(abs: string): Promise<void> {
    if (!(await this.isInsideRoot(abs))) {
      throw new InvalidArgumentError(`Artifact path ${JSON.stringify(relative(this.root, abs))} resolves outside the artifact root`);
    }
  }

  /**
   * Whether `abs`, with every existing symlink along it resolved, stays inside
   * the (likewise resolved) root. The root may itself be a symlink, e.g. /tmp
   * on macOS.
   */
  private async isInsideRoot(abs: string): Promise<boolean> {
    const [realRoot, realTarget] = await Promise.all([realpathExisting(this.root), realpathExisting(abs)]);
    const rel = relative(realRoot, realTarget);
    return rel === '' || (!isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${sep}`));
  }
}

function toRootDirectory(url: string): string {
  if (url === '') throw new InvalidArgumentError('Artifact store URL is empty; give file:///abs/path or a directory');
  if (!url.startsWith('file:')) return resolve(url);
  try {
    return resolve(fileURLToPath(url));
  } catch (err) {
    throw new InvalidArgumentError(`Invalid file URL ${JSON.stringify(url)}; use file:///absolute/path`, { cause: err });
  }
}

/**
 * realpath of the longest existing prefix of `abs`, with the missing tail
 * appended (a missing component cannot be a symlink).
 */
async function realpathExisting(abs: string): Promise<string> {
  let existing = abs;
  const tail: string[] = [];
  for (;;) {
    try {
      return join(await realpath(existing), ...tail.reverse());
    } catch (err) {
      if (!isErrno(err, 'ENOENT', 'ENOTDIR')) throw translateFsError(err, abs);
      const parent = dirname(existing);
      if (parent === existing) return abs;
      tail.push(basename(existing));
      existing = parent;
    }
  }
}

async function writeAll(handle: FileHandle, body: Readable | Buffer): Promise<number> {
  if (Buffer.isBuffer(body)) {
    await handle.writeFile(body);
    return body.length;
  }
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    // writeFile loops until every byte is written; write() may write fewer.
    await handle.writeFile(buf);
    total += buf.length;
  }
  return total;
}

/** Makes a rename durable: the new directory entry is on disk once this returns. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    // Some platforms (Windows) cannot open or fsync a directory.
    if (!isErrno(err, 'EISDIR', 'EPERM', 'EINVAL', 'EACCES')) throw err;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

function isErrno(err: unknown, ...codes: string[]): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && codes.includes(code);
}

/** Maps a Node fs error to the Ferry error a caller can act on. */
function translateFsError(err: unknown, path: string): FerryError {
  if (err instanceof FerryError) return err;
  const name = JSON.stringify(path);
  if (isErrno(err, 'ENOENT')) return new NotFoundError(`Artifact ${name} does not exist`, { cause: err });
  if (isErrno(err, 'EISDIR')) return new InvalidArgumentError(`Artifact ${name} is a directory; name a file`, { cause: err });
  if (isErrno(err, 'ENOTDIR', 'EEXIST', 'ENOTEMPTY')) {
    return new InvalidArgumentError(`Artifact ${name} clashes with an existing file or directory on its path`, { cause: err });
  }
  if (isErrno(err, 'ENAMETOOLONG')) {
    return new InvalidArgumentError(`Artifact path ${JSON.stringify(path.slice(0, 200))}… is too long for the file system; shorten it`, { cause: err });
  }
  if (isErrno(err, 'EACCES', 'EPERM', 'EROFS')) {
    return new PermissionDeniedError(`The server may not access artifact ${name} on disk`, { cause: err });
  }
  return new InternalError(`Local artifact store failed on ${name}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
}
