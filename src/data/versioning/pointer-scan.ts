import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { NotFoundError } from '../../errors.js';
import { FERRY_DIR } from './data-project.js';
import { POINTER_SUFFIX, readPointer, type DataPointer } from './pointer-file.js';

/** A pointer file, parsed, with where its data lives. */
export interface PointerRef {
  pointerPath: string;
  /** The data's absolute path: the pointer's folder joined with its `path`. */
  dataPath: string;
  /** The pointer file relative to the project root, '/'-separated, for messages and JSON. */
  name: string;
  pointer: DataPointer;
}

/** Folders never searched for pointers. */
const SKIP_DIRS = new Set(['.git', FERRY_DIR, '.dvc']);

/**
 * The pointers `targets` name: each a pointer file, data with a pointer
 * beside it, or a folder searched recursively; with no targets, every
 * `*.ferry` under `cwd` (skipping `.git`, `.ferry`, `.dvc` and tracked data
 * folders). Sorted by path.
 * @throws NotFoundError for a target that is none of these; InvalidArgumentError for a malformed pointer.
 */
export async function findPointers(root: string, cwd: string, targets: string[]): Promise<PointerRef[]> {
  const paths = new Set<string>();
  if (targets.length === 0) for (const p of await scan(cwd)) paths.add(p);
  for (const target of targets) {
    const abs = resolve(cwd, target);
    if (abs.endsWith(POINTER_SUFFIX) && existsSync(abs)) paths.add(abs);
    else if (existsSync(`${abs}${POINTER_SUFFIX}`)) paths.add(`${abs}${POINTER_SUFFIX}`);
    else if (await isDirectory(abs)) for (const p of await scan(abs)) paths.add(p);
    else throw new NotFoundError(`No pointer for ${target}: expected ${target}${target.endsWith(POINTER_SUFFIX) ? '' : POINTER_SUFFIX}; run \`ferry data add ${target}\` first.`);
  }
  const refs = await Promise.all([...paths].sort().map((p) => loadPointer(root, p)));
  return refs;
}

/** Parses one pointer file into a ref. */
export async function loadPointer(root: string, pointerPath: string): Promise<PointerRef> {
  const pointer = await readPointer(pointerPath);
  return {
    pointerPath,
    dataPath: join(dirname(pointerPath), pointer.path),
    name: relative(root, pointerPath).split(sep).join('/'),
    pointer,
  };
}

async function scan(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (abs: string): Promise<void> => {
    const entries = await readdir(abs, { withFileTypes: true }).catch(() => []);
    const names = new Set(entries.map((e) => e.name));
    await Promise.all(
      entries.map(async (e) => {
        const child = join(abs, e.name);
        if (e.isFile() && e.name.endsWith(POINTER_SUFFIX) && e.name.length > POINTER_SUFFIX.length) found.push(child);
        // A tracked folder holds data, not pointers: no need to walk it.
        else if (e.isDirectory() && !SKIP_DIRS.has(e.name) && !names.has(`${e.name}${POINTER_SUFFIX}`)) await walk(child);
      }),
    );
  };
  await walk(dir);
  return found;
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

