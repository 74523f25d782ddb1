import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import YAML from 'yaml';
import { InvalidArgumentError } from '../../errors.js';
import { checkRelativePath, comparePaths } from './data-manifest.js';

/** One output of a `.dvc` file, as far as Ferry can import it. */
export interface DvcOut {
  /** As written in the `.dvc` file, relative to its folder. */
  path: string;
  /** The data's absolute path. */
  dataPath: string;
  /** 32 hex digits; for a directory without its `.dir` suffix. */
  md5: string;
  isDir: boolean;
  /** DVC 2 hashes (no `hash: md5` field): text files were hashed with CRLF turned into LF. */
  legacy: boolean;
}

/** A `.dvc` file's outputs; outputs Ferry cannot import come back as errors. */
export interface DvcFile {
  path: string;
  outs: DvcOut[];
  errors: { path: string; message: string }[];
}

const MD5 = /^[0-9a-f]{32}$/;

/**
 * Parses a `.dvc` file: YAML with `outs: [{md5, size, nfiles?, path, hash?}]`,
 * where an md5 ending in `.dir` names a directory's manifest. Output paths
 * must stay inside `root`.
 * @throws InvalidArgumentError when the file is not a `.dvc` file at all.
 */
export async function readDvcFile(file: string, root: string): Promise<DvcFile> {
  let raw: unknown;
  try {
    raw = YAML.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new InvalidArgumentError(`${file} is not a readable .dvc file: ${(err as Error).message}`);
  }
  const outs = (raw as { outs?: unknown } | null)?.outs;
  if (!Array.isArray(outs)) throw new InvalidArgumentError(`${file} is not a .dvc file: it has no 'outs' list.`);
  const result: DvcFile = { path: file, outs: [], errors: [] };
  for (const [i, entry] of outs.entries()) {
    const o = (entry ?? {}) as Record<string, unknown>;
    const label = typeof o.path === 'string' ? o.path : `outs[${i}]`;
    const fail = (message: string) => result.errors.push({ path: label, message });
    if (typeof o.path !== 'string' || o.path === '') {
      fail("no 'path'");
      continue;
    }
    const dataPath = resolve(dirname(file), o.path);
    const rel = relative(root, dataPath);
    if (isAbsolute(o.path) || rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      fail(`path ${JSON.stringify(o.path)} leads outside the repository ${root}; only data inside it can be imported`);
      continue;
    }
    const md5 = typeof o.md5 === 'string' ? o.md5 : undefined;
    if (md5 === undefined) {
      fail(`no md5 (only local outputs hashed with md5 can be imported; this one has ${Object.keys(o).filter((k) => k !== 'path').join(', ') || 'nothing'})`);
      continue;
    }
    const isDir = md5.endsWith('.dir');
    const hex = isDir ? md5.slice(0, -'.dir'.length) : md5;
    if (!MD5.test(hex)) {
      fail(`md5 ${JSON.stringify(md5)} is not 32 hex digits`);
      continue;
    }
    result.outs.push({ path: o.path, dataPath, md5: hex, isDir, legacy: o.hash !== 'md5' });
  }
  return result;
}

/** The nearest folder at or above `start` holding `.dvc/`. */
export function findDvcRoot(start: string): string | undefined {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (isDir(join(dir, '.dvc'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * The DVC cache folder of a repository: `cache.dir` from `.dvc/config.local`
 * or `.dvc/config` (relative to `.dvc/`), else `.dvc/cache`.
 */
export async function dvcCacheDir(dvcRoot: string): Promise<string> {
  for (const name of ['config.local', 'config']) {
    const text = await readFile(join(dvcRoot, '.dvc', name), 'utf8').catch(() => undefined);
    const dir = text === undefined ? undefined : iniValue(text, 'cache', 'dir');
    if (dir) return resolve(dvcRoot, '.dvc', dir);
  }
  return join(dvcRoot, '.dvc', 'cache');
}

/** Where an object may be in a DVC cache: DVC 3's `files/md5/<2>/<30>` first, then DVC 2's `<2>/<30>`. */
export function dvcObjectPaths(cacheDir: string, md5: string, isDir = false): string[] {
  const name = `${md5.slice(2)}${isDir ? '.dir' : ''}`;
  return [join(cacheDir, 'files', 'md5', md5.slice(0, 2), name), join(cacheDir, md5.slice(0, 2), name)];
}

/** One entry of a DVC `.dir` manifest. */
export interface DvcDirEntry {
  md5: string;
  relpath: string;
}

/**
 * Parses a `.dir` manifest (a JSON list of `{md5, relpath}`) and checks every
 * relpath stays inside the directory.
 * @throws InvalidArgumentError naming the bad entry.
 */
export function parseDvcDir(bytes: Buffer, source: string): DvcDirEntry[] {
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new InvalidArgumentError(`${source} is not JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(raw)) throw new InvalidArgumentError(`${source} is not a DVC directory manifest (expected a JSON list)`);
  return raw.map((e: unknown, i: number) => {
    const entry = (e ?? {}) as Record<string, unknown>;
    if (typeof entry.relpath !== 'string' || typeof entry.md5 !== 'string' || !MD5.test(entry.md5)) {
      throw new InvalidArgumentError(`${source}: entry ${i} needs a relpath and a 32-hex-digit md5`);
    }
    return { md5: entry.md5, relpath: checkRelativePath(entry.relpath, source) };
  });
}

/**
 * The MD5 DVC gives a directory: that of `json.dumps(entries, sort_keys=True)`
 * in Python, entries sorted by relpath — used to check a workspace directory
 * when its `.dir` manifest is not in the cache.
 */
export function dvcDirMd5(entries: DvcDirEntry[]): string {
  const sorted = [...entries].sort((a, b) => comparePaths(a.relpath, b.relpath));
  const json = `[${sorted.map((e) => `{"md5": ${pyString(e.md5)}, "relpath": ${pyString(e.relpath)}}`).join(', ')}]`;
  return createHash('md5').update(json, 'utf8').digest('hex');
}

/** A JSON string as Python's json.dumps writes it (ensure_ascii: every non-ASCII UTF-16 unit escaped). */
function pyString(s: string): string {
  return JSON.stringify(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The MD5 of manifest bytes, plain or (for DVC 2) with CRLF as LF. */
export function manifestMd5s(bytes: Buffer): string[] {
  const plain = createHash('md5').update(bytes).digest('hex');
  const text = createHash('md5').update(bytes.toString('latin1').replaceAll('\r\n', '\n'), 'latin1').digest('hex');
  return [plain, text];
}

function iniValue(text: string, section: string, key: string): string | undefined {
  let current = '';
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[\s*([^\]]+?)\s*\]\s*$/.exec(line);
    if (header) {
      current = header[1]!.replace(/^'|'$/g, '');
      continue;
    }
    const kv = /^\s*([^=#;]+?)\s*=\s*(.*?)\s*$/.exec(line);
    if (kv && current === section && kv[1] === key) return kv[2];
  }
  return undefined;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
