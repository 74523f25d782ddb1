import { lstat } from 'node:fs/promises';
import type { ArtifactStore } from '../../backends/artifacts/artifact-store.js';
import { comparePaths, digestOf, formatManifest, type ManifestFile } from './data-manifest.js';
import { stampOf } from './data-state.js';
import { listDirectory, type DataWorkspace } from './data-workspace.js';
import type { PointerRef } from './pointer-scan.js';
import { remoteMissing } from './remote-blobs.js';

/** The workspace side of one pointer, like `dvc status`. */
export type WorkspaceState = 'in sync' | 'modified' | 'missing';

/** Status of one pointer. */
export interface StatusEntry {
  pointer: string;
  path: string;
  kind: 'file' | 'directory';
  workspace: WorkspaceState;
  /** For a modified directory whose manifest is in the cache: which files differ (relative paths). */
  changes?: { added: string[]; modified: string[]; deleted: string[] };
  /** Blobs the pointer needs (manifest included) and how many the cache lacks; `manifestMissing` when the file list itself is unknown. */
  cache: { blobs: number; missing: number; manifestMissing: boolean };
  /** With a remote: how many of those blobs it lacks. */
  remote?: { blobs: number; missing: number };
}

/**
 * `ferry data status`: for each pointer, whether the workspace matches it
 * (a directory is compared by its manifest digest, so no manifest is needed),
 * which blobs the cache lacks and, given a remote, which the remote lacks.
 * Unchanged files are vouched for by the state index, not re-read.
 */
export async function dataStatus(ws: DataWorkspace, refs: PointerRef[], remote?: ArtifactStore): Promise<StatusEntry[]> {
  const entries: StatusEntry[] = [];
  const needs: { entry: StatusEntry; blobs: { digest: string; size?: number }[] }[] = [];
  for (const ref of refs) {
    const { pointer } = ref;
    const manifest = pointer.kind === 'directory' ? await ws.cache.readManifest(pointer.digest).catch(() => undefined) : undefined;
    const entry: StatusEntry = {
      pointer: ref.name,
      path: ref.dataPath,
      kind: pointer.kind,
      workspace: 'in sync',
      cache: { blobs: 0, missing: 0, manifestMissing: pointer.kind === 'directory' && manifest === undefined },
    };
    await compareWorkspace(ws, ref, manifest, entry);
    const blobs: { digest: string; size?: number }[] =
      pointer.kind === 'file'
        ? [{ digest: pointer.digest, size: pointer.size }]
        : [{ digest: pointer.digest }, ...(manifest ?? []).map((f) => ({ digest: f.digest, size: f.size }))];
    const unique = [...new Map(blobs.map((b) => [b.digest, b])).values()];
    const present = unique.map((b) => ws.cache.hasSync(b.digest, b.size));
    entry.cache.blobs = unique.length;
    entry.cache.missing = present.filter((p) => !p).length;
    entries.push(entry);
    needs.push({ entry, blobs: unique });
  }
  if (remote) {
    const missing = await remoteMissing(remote, needs.flatMap((n) => n.blobs));
    for (const n of needs) n.entry.remote = { blobs: n.blobs.length, missing: n.blobs.filter((b) => missing.has(b.digest)).length };
  }
  return entries;
}

async function compareWorkspace(ws: DataWorkspace, ref: PointerRef, manifest: ManifestFile[] | undefined, entry: StatusEntry): Promise<void> {
  const info = await lstat(ref.dataPath, { bigint: true }).catch(() => undefined);
  if (!info) {
    entry.workspace = 'missing';
    return;
  }
  if (ref.pointer.kind === 'file') {
    if (!info.isFile()) {
      entry.workspace = 'modified';
      return;
    }
    const [d] = await ws.digestFiles([{ abs: ref.dataPath, size: Number(info.size), stamp: stampOf(info) }], { store: false });
    entry.workspace = d?.ok && d.digest === ref.pointer.digest ? 'in sync' : 'modified';
    return;
  }
  if (!info.isDirectory()) {
    entry.workspace = 'modified';
    return;
  }
  const { files, skipped } = await listDirectory(ref.dataPath);
  const digests = await ws.digestFiles(files, { store: false });
  const current: ManifestFile[] = files.map((f, i) => {
    const d = digests[i]!;
    return { path: f.rel, digest: d.ok ? d.digest : 'unreadable', size: f.size };
  });
  const same = skipped.length === 0 && digests.every((d) => d.ok) && digestOf(formatManifest(current)) === ref.pointer.digest;
  entry.workspace = same ? 'in sync' : 'modified';
  if (same || !manifest) return;
  const now = new Map(current.map((f) => [f.path, f.digest]));
  const then = new Map(manifest.map((f) => [f.path, f.digest]));
  const sort = (xs: string[]) => xs.sort(comparePaths);
  entry.changes = {
    added: sort([...current.map((f) => f.path), ...skipped].filter((p) => !then.has(p))),
    modified: sort(manifest.filter((f) => now.has(f.path) && now.get(f.path) !== f.digest).map((f) => f.path)),
    deleted: sort(manifest.filter((f) => !now.has(f.path)).map((f) => f.path)),
  };
}
