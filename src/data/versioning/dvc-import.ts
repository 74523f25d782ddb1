import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { NotFoundError } from '../../errors.js';
import { formatManifest, type ManifestFile } from './data-manifest.js';
import { FERRY_DIR } from './data-project.js';
import { listDirectory, type DataWorkspace, type ProgressListener } from './data-workspace.js';
import { dvcCacheDir, dvcDirMd5, dvcObjectPaths, findDvcRoot, manifestMd5s, parseDvcDir, readDvcFile, type DvcDirEntry, type DvcOut } from './dvc-files.js';
import type { HashResult } from './hash-job.js';
import type { SizedHashJob } from './hash-pool.js';
import { POINTER_SUFFIX, writePointer, type DataPointer } from './pointer-file.js';
import { tableSchema } from './table-schema.js';

export interface DvcImportOptions {
  /** The DVC cache folder (default: `cache.dir` from `.dvc/config`, else `.dvc/cache` of the DVC repository). */
  dvcCache?: string;
  /** Record a schema summary for table data (default true). */
  schema?: boolean;
  onProgress?: ProgressListener;
}

/** What happened to one output of one `.dvc` file. */
export interface DvcImportResult {
  dvcFile: string;
  /** The data, relative to the project root. */
  path: string;
  status: 'imported' | 'failed';
  pointerPath?: string;
  pointer?: DataPointer;
  /** Files read from the workspace and from the DVC cache. */
  fromWorkspace: number;
  fromDvcCache: number;
  errors: string[];
}

interface Item {
  rel: string;
  md5: string;
  candidates: string[];
  /** What was wrong with the workspace copy, and with each DVC cache copy found. */
  workspace?: string;
  cache: string[];
  result?: HashResult & { ok: true };
  source?: 'workspace' | 'cache';
}

/** `.dvc` files named by `targets` (files, or folders searched), or all under `cwd`; `.git`, `.dvc` and `.ferry` are skipped. */
export async function findDvcFiles(cwd: string, targets: string[]): Promise<string[]> {
  const found = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (e.isFile() && e.name.endsWith('.dvc')) found.add(join(dir, e.name));
      else if (e.isDirectory() && !['.git', '.dvc', FERRY_DIR].includes(e.name)) await walk(join(dir, e.name));
    }
  };
  if (targets.length === 0) await walk(cwd);
  for (const t of targets) {
    const abs = resolve(cwd, t);
    const s = await stat(abs).catch(() => undefined);
    if (s?.isDirectory()) await walk(abs);
    else if (s?.isFile()) found.add(abs);
    else if (existsSync(`${abs}.dvc`)) found.add(`${abs}.dvc`);
    else throw new NotFoundError(`No .dvc file ${t}.`);
  }
  return [...found].sort();
}

/**
 * `ferry data import-dvc`: registers data tracked by DVC. For each output of
 * each `.dvc` file, every file is read once — from the workspace when it is
 * there and has the recorded MD5, else from the DVC cache — hashing MD5 (to
 * check it) and SHA-256 (for Ferry) while copying it into Ferry's cache. Only
 * when every file checks out is the `.ferry` pointer written beside the
 * data; a mismatch is reported per file. The workspace is not changed.
 */
export async function importDvc(ws: DataWorkspace, dvcFiles: string[], options: DvcImportOptions = {}): Promise<DvcImportResult[]> {
  const results: DvcImportResult[] = [];
  for (const file of dvcFiles) {
    const dvcRoot = findDvcRoot(file) ?? ws.project.root;
    const cacheDir = options.dvcCache ? resolve(options.dvcCache) : await dvcCacheDir(dvcRoot);
    const parsed = await readDvcFile(file, dvcRoot);
    const dvcFile = relative(ws.project.root, file).split(sep).join('/');
    for (const e of parsed.errors) results.push({ dvcFile, path: e.path, status: 'failed', fromWorkspace: 0, fromDvcCache: 0, errors: [e.message] });
    for (const out of parsed.outs) results.push(await importOut(ws, out, dvcFile, cacheDir, options));
  }
  return results;
}

async function importOut(ws: DataWorkspace, out: DvcOut, dvcFile: string, cacheDir: string, options: DvcImportOptions): Promise<DvcImportResult> {
  const result: DvcImportResult = {
    dvcFile,
    path: relative(ws.project.root, out.dataPath).split(sep).join('/'),
    status: 'failed',
    fromWorkspace: 0,
    fromDvcCache: 0,
    errors: [],
  };
  const md5Mode: 'legacy' | 'plain' = out.legacy ? 'legacy' : 'plain';
  let items: Item[];
  if (!out.isDir) {
    items = [{ rel: basename(out.dataPath), md5: out.md5, candidates: [out.dataPath, ...dvcObjectPaths(cacheDir, out.md5)], cache: [] }];
  } else {
    const entries = await dirEntries(ws, out, cacheDir, result);
    if (!entries) return result;
    items = entries.map((e) => ({
      rel: e.relpath,
      md5: e.md5,
      candidates: [join(out.dataPath, ...e.relpath.split('/')), ...dvcObjectPaths(cacheDir, e.md5)],
      cache: [],
    }));
  }

  // Round k tries each unresolved file's k-th copy: workspace, DVC 3 cache, DVC 2 cache.
  const startedAt = Date.now();
  const progress = { phase: 'importing', bytes: 0, totalBytes: 0, files: 0, totalFiles: items.length };
  for (let round = 0; round < 3; round++) {
    const pending = items.filter((it) => !it.result && it.candidates[round] !== undefined);
    const sizes = await Promise.all(pending.map((it) => stat(it.candidates[round]!).then((s) => (s.isFile() ? s.size : -1), () => -1)));
    const runnable: Item[] = [];
    const jobs: SizedHashJob[] = [];
    for (const [i, it] of pending.entries()) {
      if (sizes[i]! < 0) {
        if (round === 0) it.workspace = 'it is not in the workspace';
        continue;
      }
      runnable.push(it);
      jobs.push({ src: it.candidates[round]!, size: sizes[i]!, sink: { kind: 'cache' as const, root: ws.cache.root }, md5: md5Mode, expectMd5: it.md5 });
      progress.totalBytes += sizes[i]!;
    }
    const outcomes = await ws.pool.run(jobs, (n) => {
      progress.bytes += n;
      options.onProgress?.({ ...progress });
    });
    runnable.forEach((it, i) => {
      const o = outcomes[i]!;
      const where = round === 0 ? 'the workspace copy' : `the DVC cache copy ${it.candidates[round]}`;
      if (o.ok) {
        it.result = o;
        it.source = round === 0 ? 'workspace' : 'cache';
        if (round === 0) ws.state.record(it.candidates[0]!, o.stamp, `sha256:${o.sha256}`, startedAt);
      } else {
        const note = o.reason === 'mismatch' ? `${where} has md5 ${out.legacy && o.md5Text ? o.md5Text : o.md5}` : `${where}: ${o.message}`;
        if (round === 0) it.workspace = note;
        else it.cache.push(note);
      }
    });
  }

  for (const it of items) {
    if (it.result) continue;
    // Only copies that exist are named: a DVC 2 cache has no DVC 3 path and vice versa.
    const cache = it.cache.length > 0 ? it.cache.join('; ') : `not in the DVC cache ${cacheDir}`;
    const text = it.workspace === 'it is not in the workspace' && it.cache.length === 0 ? `${it.workspace} and ${cache}` : `${it.workspace}; ${cache}`;
    result.errors.push(`${out.isDir ? `${it.rel}: ` : ''}expected md5 ${it.md5}, but ${text}`);
  }
  if (result.errors.length > 0) return result;
  result.fromWorkspace = items.filter((it) => it.source === 'workspace').length;
  result.fromDvcCache = items.length - result.fromWorkspace;

  const size = items.reduce((s, it) => s + it.result!.size, 0);
  const pointer: DataPointer = out.isDir
    ? {
        ferry: 1,
        path: basename(out.dataPath),
        kind: 'directory',
        digest: await ws.cache.putBytes(formatManifest(items.map((it): ManifestFile => ({ path: it.rel, digest: `sha256:${it.result!.sha256}`, size: it.result!.size })))),
        size,
        files: items.length,
      }
    : { ferry: 1, path: basename(out.dataPath), kind: 'file', digest: `sha256:${items[0]!.result!.sha256}`, size, files: 1 };
  if (options.schema ?? true) {
    // Read the blobs just stored: the workspace may lack some files.
    const schema = await tableSchema(items.map((it) => ({ abs: ws.cache.blobPath(`sha256:${it.result!.sha256}`), rel: it.rel, size: it.result!.size })));
    if (schema) pointer.schema = schema;
  }
  result.pointerPath = `${out.dataPath}${POINTER_SUFFIX}`;
  await writePointer(result.pointerPath, pointer);
  result.pointer = pointer;
  result.status = 'imported';
  return result;
}

/**
 * A directory's entries: from its `.dir` manifest in the DVC cache (checked
 * against its MD5), else — when the manifest is gone — from the workspace
 * folder, if hashing it the way DVC does gives the recorded directory MD5.
 */
async function dirEntries(ws: DataWorkspace, out: DvcOut, cacheDir: string, result: DvcImportResult): Promise<DvcDirEntry[] | undefined> {
  const notes: string[] = [];
  for (const path of dvcObjectPaths(cacheDir, out.md5, true)) {
    const bytes = await readFile(path).catch(() => undefined);
    if (!bytes) continue;
    if (!manifestMd5s(bytes).includes(out.md5)) {
      notes.push(`the manifest ${path} is corrupt (its md5 is ${manifestMd5s(bytes)[0]})`);
      continue;
    }
    try {
      return parseDvcDir(bytes, path);
    } catch (err) {
      notes.push((err as Error).message);
    }
  }
  if (notes.length === 0) notes.push(`its manifest ${out.md5}.dir is not in the DVC cache ${cacheDir}`);
  const info = await stat(out.dataPath).catch(() => undefined);
  if (info?.isDirectory()) {
    const { files } = await listDirectory(out.dataPath);
    const hashed = await ws.pool.run(files.map((f) => ({ src: f.abs, size: f.size, md5: out.legacy ? ('legacy' as const) : ('plain' as const) })));
    if (hashed.every((h) => h.ok)) {
      const entries = files.map((f, i) => {
        const h = hashed[i] as HashResult & { ok: true };
        return { relpath: f.rel, md5: (out.legacy ? h.md5Text : undefined) ?? h.md5! };
      });
      if (dvcDirMd5(entries) === out.md5) return entries;
    }
    notes.push('the workspace folder does not match the recorded directory md5');
  } else {
    notes.push('the folder is not in the workspace');
  }
  result.errors.push(`cannot list the files of ${out.path}: ${notes.join('; ')}`);
  return undefined;
}
