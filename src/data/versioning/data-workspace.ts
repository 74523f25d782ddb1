import { lstatSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DataCache } from './data-cache.js';
import { openDataProject, type DataProject } from './data-project.js';
import { DataState, stampOf } from './data-state.js';
import type { FileStamp, HashResult, LinkMode } from './hash-job.js';
import { HashPool, type HashPoolOptions } from './hash-pool.js';

export interface DataWorkspaceOptions extends HashPoolOptions {
  /** Folder the command runs in (default: the process's). */
  cwd?: string;
  /** Blob cache folder (default: FERRY_DATA_CACHE, else `<project>/.ferry/cache`). */
  cache?: string;
  /** How files enter the cache and the workspace (default 'copy'). */
  link?: LinkMode;
  env?: NodeJS.ProcessEnv;
}

/** Progress of long work, for a progress bar: bytes and files done out of totals. */
export interface DataProgress {
  phase: string;
  bytes: number;
  totalBytes: number;
  files: number;
  totalFiles: number;
}

export type ProgressListener = (p: DataProgress) => void;

/** A workspace file to hash, with its stat. */
export interface WorkspaceFile {
  abs: string;
  size: number;
  stamp: FileStamp;
}

/** A file's digest, or why it has none. */
export type FileDigest = { ok: true; digest: string; size: number; stored?: 'new' | 'existing' } | { ok: false; message: string };

/**
 * One project's data versioning machinery: its cache, state index and
 * hashing threads. `close()` saves the state and stops the threads.
 */
export class DataWorkspace {
  readonly cache: DataCache;
  readonly pool: HashPool;
  readonly link: LinkMode;
  /** The folder relative paths given by the user start from. */
  readonly cwd: string;

  private constructor(
    readonly project: DataProject,
    readonly state: DataState,
    options: DataWorkspaceOptions,
  ) {
    this.cache = new DataCache(project.cacheDir);
    this.pool = new HashPool(options);
    this.link = options.link ?? 'copy';
    this.cwd = resolve(options.cwd ?? process.cwd());
  }

  static async open(options: DataWorkspaceOptions = {}): Promise<DataWorkspace> {
    const project = openDataProject(options);
    const state = await DataState.open(project.statePath, project.root);
    return new DataWorkspace(project, state, options);
  }

  async close(): Promise<void> {
    try {
      await this.state.save();
    } finally {
      await this.pool.close();
    }
  }

  /**
   * Digests of workspace files, hashing only those the state index does not
   * vouch for. With `store`, every file's blob ends up in the cache (copied or
   * linked as `link` says; files whose blob is already there are not copied).
   */
  async digestFiles(files: WorkspaceFile[], options: { store: boolean; onProgress?: ProgressListener; phase?: string }): Promise<FileDigest[]> {
    const out: FileDigest[] = new Array(files.length);
    const todo: number[] = [];
    files.forEach((f, i) => {
      const known = this.state.lookup(f.abs, f.stamp);
      if (known !== undefined && (!options.store || this.cache.hasSync(known, f.size))) out[i] = { ok: true, digest: known, size: f.size };
      else todo.push(i);
    });
    const totalBytes = todo.reduce((s, i) => s + files[i]!.size, 0);
    let bytes = 0;
    const phase = options.phase ?? 'hashing';
    const report = () => options.onProgress?.({ phase, bytes, totalBytes, files: 0, totalFiles: todo.length });
    report();
    const startedAt = Date.now();
    const results: HashResult[] = await this.pool.run(
      todo.map((i) => ({
        src: files[i]!.abs,
        size: files[i]!.size,
        sink: options.store ? { kind: 'cache' as const, root: this.cache.root } : undefined,
        link: this.link,
      })),
      (n) => {
        bytes += n;
        report();
      },
    );
    todo.forEach((i, k) => {
      const r = results[k]!;
      if (r.ok) {
        this.state.record(files[i]!.abs, r.stamp, `sha256:${r.sha256}`, startedAt);
        out[i] = { ok: true, digest: `sha256:${r.sha256}`, size: r.size, stored: r.stored };
      } else {
        this.state.forget(files[i]!.abs);
        out[i] = { ok: false, message: r.message };
      }
    });
    return out;
  }
}

/**
 * Regular files under `dir`, recursively, with '/'-separated relative paths;
 * symlinks and other entries are listed apart. Synchronous calls: stat of
 * cached metadata costs microseconds, a thread-pool round trip more.
 */
export async function listDirectory(dir: string): Promise<{ files: (WorkspaceFile & { rel: string })[]; skipped: string[] }> {
  const files: (WorkspaceFile & { rel: string })[] = [];
  const skipped: string[] = [];
  const walk = (abs: string, rel: string): void => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const childAbs = join(abs, e.name);
      const childRel = rel === '' ? e.name : `${rel}/${e.name}`;
      if (isFerryTemp(e.name)) continue;
      if (e.isDirectory()) walk(childAbs, childRel);
      else if (!e.isFile()) skipped.push(childRel);
      else {
        const s = lstatSync(childAbs, { bigint: true });
        files.push({ abs: childAbs, rel: childRel, size: Number(s.size), stamp: stampOf(s) });
      }
    }
  };
  walk(dir, '');
  return { files, skipped: skipped.sort() };
}

/** Temp files Ferry writes beside workspace files while checking out (see hash-job). */
export function isFerryTemp(name: string): boolean {
  return name.startsWith('.') && name.endsWith('.ferry-tmp');
}
