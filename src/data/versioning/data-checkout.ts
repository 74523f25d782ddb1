import { lstat, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { corruptBlobError } from './data-cache.js';
import type { ManifestFile } from './data-manifest.js';
import { stampOf } from './data-state.js';
import { listDirectory, type DataWorkspace, type ProgressListener, type WorkspaceFile } from './data-workspace.js';
import { digestHex } from './pointer-file.js';
import type { PointerRef } from './pointer-scan.js';

export interface CheckoutOptions {
  /** Overwrite modified files and delete files a tracked directory does not list (default: leave them and report a conflict). */
  force?: boolean;
  onProgress?: ProgressListener;
}

/** What checkout did for one pointer. */
export interface CheckoutResult {
  pointer: string;
  path: string;
  /** unchanged: already matched; restored: files written; conflict: local changes left in place; failed: see errors. */
  status: 'unchanged' | 'restored' | 'conflict' | 'failed';
  restored: number;
  removed: number;
  /** Paths (inside a directory: relative to it) with local changes that were not overwritten. */
  conflicts: string[];
  errors: string[];
}

interface Restore {
  result: CheckoutResult;
  digest: string;
  size: number;
  dest: string;
}

/**
 * `ferry data checkout`: makes workspace data match its pointers, copying
 * (or hard-linking, with `link: 'hardlink'`) blobs out of the cache. Every
 * blob is hashed as it is copied and a file appears only if the digest
 * matches, so a corrupt cache blob is reported — with its path and digest —
 * and never lands in the workspace. Missing files are always restored;
 * modified or extra files only with `force`.
 */
export async function checkoutData(ws: DataWorkspace, refs: PointerRef[], options: CheckoutOptions = {}): Promise<CheckoutResult[]> {
  const results: CheckoutResult[] = [];
  const restores: Restore[] = [];
  const removals: string[] = [];
  for (const ref of refs) {
    const result: CheckoutResult = { pointer: ref.name, path: ref.dataPath, status: 'unchanged', restored: 0, removed: 0, conflicts: [], errors: [] };
    results.push(result);
    try {
      await plan(ws, ref, result, restores, removals, options.force ?? false);
    } catch (err) {
      result.errors.push((err as Error).message);
    }
  }
  for (const path of removals) await rm(path, { recursive: true, force: true });

  const runnable: Restore[] = [];
  const checkedDirs = new Set<string>();
  for (const r of restores) {
    if (r.result.errors.length > 0) continue;
    if (!ws.cache.hasSync(r.digest)) {
      r.result.errors.push(`${r.digest} (for ${r.dest}) is not in the cache; run \`ferry data pull\`.`);
      continue;
    }
    const unsafe = await symlinkOnTheWay(r.result.path, r.dest, checkedDirs);
    if (unsafe) r.result.errors.push(`refusing to write ${r.dest} through the symlink ${unsafe}`);
    else runnable.push(r);
  }
  const totalBytes = runnable.reduce((s, r) => s + r.size, 0);
  let bytes = 0;
  options.onProgress?.({ phase: 'checking out', bytes, totalBytes, files: 0, totalFiles: runnable.length });
  const outcomes = await ws.pool.run(
    runnable.map((r) => ({
      src: ws.cache.blobPath(r.digest),
      size: r.size,
      sink: { kind: 'file' as const, path: r.dest },
      expect: digestHex(r.digest),
      link: ws.link,
    })),
    (n) => {
      bytes += n;
      options.onProgress?.({ phase: 'checking out', bytes, totalBytes, files: 0, totalFiles: runnable.length });
    },
  );
  const startedAt = Date.now();
  await Promise.all(
    runnable.map(async (r, i) => {
      const o = outcomes[i]!;
      if (o.ok) {
        r.result.restored++;
        const s = await lstat(r.dest, { bigint: true }).catch(() => undefined);
        if (s) ws.state.record(r.dest, stampOf(s), r.digest, startedAt);
      } else if (o.reason === 'mismatch') {
        r.result.errors.push(corruptBlobError(r.digest, ws.cache.blobPath(r.digest), o.sha256 ?? '?').message);
      } else {
        r.result.errors.push(o.message);
      }
    }),
  );
  for (const r of results) {
    if (r.errors.length > 0) r.status = 'failed';
    else if (r.conflicts.length > 0) r.status = 'conflict';
    else if (r.restored > 0 || r.removed > 0) r.status = 'restored';
  }
  return results;
}

async function plan(ws: DataWorkspace, ref: PointerRef, result: CheckoutResult, restores: Restore[], removals: string[], force: boolean): Promise<void> {
  const { pointer, dataPath } = ref;
  const info = await lstat(dataPath).catch(() => undefined);
  if (pointer.kind === 'file') {
    const restore = { result, digest: pointer.digest, size: pointer.size, dest: dataPath };
    if (!info) return void restores.push(restore);
    if (info.isFile()) {
      const [d] = await ws.digestFiles([await fileOf(dataPath)], { store: false });
      if (d?.ok && d.digest === pointer.digest) return;
    }
    if (!force) return void result.conflicts.push(pointer.path);
    if (!info.isFile()) {
      removals.push(dataPath);
      result.removed++;
    }
    restores.push(restore);
    return;
  }

  const manifest = await ws.cache.readManifest(pointer.digest);
  let present: (WorkspaceFile & { rel: string })[] = [];
  let oddities: string[] = [];
  if (info && !info.isDirectory()) {
    if (!force) return void result.conflicts.push(pointer.path);
    removals.push(dataPath);
    result.removed++;
  } else if (info) {
    ({ files: present, skipped: oddities } = await listDirectory(dataPath));
  }
  const byPath = new Map(present.map((f) => [f.rel, f]));
  const listed = new Set(manifest.map((m) => m.path));
  const kept: ManifestFile[] = manifest.filter((m) => byPath.has(m.path));
  const digests = await ws.digestFiles(
    kept.map((m) => byPath.get(m.path)!),
    { store: false },
  );
  const modified = kept.filter((m, i) => {
    const d = digests[i]!;
    return !(d.ok && d.digest === m.digest);
  });
  const extra = [...present.map((f) => f.rel), ...oddities].filter((rel) => !listed.has(rel));
  const blocked: ManifestFile[] = [];
  for (const m of manifest) {
    if (byPath.has(m.path)) continue;
    const dest = join(dataPath, ...m.path.split('/'));
    // Something other than a regular file (a folder, a symlink) holds the name.
    if (info && (await lstat(dest).catch(() => undefined))) blocked.push(m);
    else restores.push({ result, digest: m.digest, size: m.size, dest });
  }
  if (!force) {
    result.conflicts.push(...modified.map((m) => m.path), ...blocked.map((m) => m.path), ...extra);
    return;
  }
  for (const m of blocked) {
    const dest = join(dataPath, ...m.path.split('/'));
    removals.push(dest);
    result.removed++;
    restores.push({ result, digest: m.digest, size: m.size, dest });
  }
  for (const m of modified) restores.push({ result, digest: m.digest, size: m.size, dest: join(dataPath, ...m.path.split('/')) });
  for (const rel of extra) removals.push(join(dataPath, ...rel.split('/')));
  result.removed += extra.length;
}

async function fileOf(abs: string): Promise<WorkspaceFile> {
  const s = await lstat(abs, { bigint: true });
  return { abs, size: Number(s.size), stamp: stampOf(s) };
}

/**
 * The first symlink among the folders between a tracked directory and a file
 * to write in it: following one could write outside the directory.
 */
async function symlinkOnTheWay(base: string, dest: string, checked: Set<string>): Promise<string | undefined> {
  const parts = dest.slice(base.length + 1).split(/[\\/]/).slice(0, -1);
  let dir = base;
  for (const part of parts) {
    dir = join(dir, part);
    if (checked.has(dir)) continue;
    const s = await lstat(dir).catch(() => undefined);
    if (s?.isSymbolicLink()) return dir;
    checked.add(dir);
  }
  return undefined;
}
