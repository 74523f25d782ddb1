import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { pipeline } from 'node:stream';
import type { ArtifactStore } from '../../backends/artifacts/artifact-store.js';
import { NotFoundError } from '../../errors.js';
import type { ManifestFile } from './data-manifest.js';
import type { DataWorkspace, ProgressListener } from './data-workspace.js';
import type { PointerRef } from './pointer-scan.js';
import { remoteBlobPath, remoteMissing } from './remote-blobs.js';
import { runLimited } from './run-limited.js';

export interface TransferOptions {
  /** Blobs moved at once (default 8). */
  jobs?: number;
  /** push: upload every referenced blob, even those the remote already has (repairs a damaged remote). */
  force?: boolean;
  onProgress?: ProgressListener;
}

/** A blob that could not be moved, and why. */
export interface TransferFailure {
  digest: string;
  /** The pointer that needs it. */
  pointer: string;
  message: string;
}

/** What a push or pull did. */
export interface TransferResult {
  /** Distinct blobs the pointers reference (manifests included, as far as known). */
  blobs: number;
  /** Blobs already at the destination. */
  present: number;
  transferred: number;
  bytes: number;
  failed: TransferFailure[];
}

interface Blob {
  digest: string;
  size?: number;
  pointer: string;
  /** For a manifest: the digests it lists, uploaded before it. */
  members?: string[];
}

/**
 * `ferry data push`: uploads the blobs the pointers need that the remote
 * lacks (all of them with `force`), several at once. Each blob is hashed as
 * it streams out of the cache and the upload fails if it is corrupt. A
 * directory's manifest goes up only after all its files, so a remote that has
 * a manifest has its files.
 */
export async function pushData(ws: DataWorkspace, store: ArtifactStore, refs: PointerRef[], options: TransferOptions = {}): Promise<TransferResult> {
  const failed: TransferFailure[] = [];
  const blobs = new Map<string, Blob>();
  for (const ref of refs) {
    const { pointer } = ref;
    if (pointer.kind === 'file') {
      addBlob(blobs, { digest: pointer.digest, size: pointer.size, pointer: ref.name });
      continue;
    }
    let manifest: ManifestFile[];
    try {
      manifest = await ws.cache.readManifest(pointer.digest);
    } catch (err) {
      failed.push({ digest: pointer.digest, pointer: ref.name, message: (err as Error).message });
      continue;
    }
    for (const f of manifest) addBlob(blobs, { digest: f.digest, size: f.size, pointer: ref.name });
    addBlob(blobs, { digest: pointer.digest, pointer: ref.name, members: manifest.map((f) => f.digest) });
  }
  const all = [...blobs.values()];
  const local = await Promise.all(all.map((b) => stat(ws.cache.blobPath(b.digest)).catch(() => undefined)));
  const available: Blob[] = [];
  all.forEach((b, i) => {
    const s = local[i];
    if (!s?.isFile()) failed.push({ digest: b.digest, pointer: b.pointer, message: `${b.digest} is not in the cache; run \`ferry data add\` or \`ferry data pull\` first.` });
    else available.push({ ...b, size: s.size });
  });
  const missing = options.force ? new Set(available.map((b) => b.digest)) : await remoteMissing(store, available);
  const toSend = available.filter((b) => missing.has(b.digest));
  const result: TransferResult = { blobs: all.length, present: available.length - toSend.length, transferred: 0, bytes: 0, failed };
  const progress = tracker(toSend, 'pushing', options.onProgress);
  const failedDigests = new Set(failed.map((f) => f.digest));
  const upload = async (b: Blob) => {
    if (b.members?.some((d) => failedDigests.has(d))) {
      failed.push({ digest: b.digest, pointer: b.pointer, message: `manifest ${b.digest} not uploaded: some of its files failed` });
      return;
    }
    const source = createReadStream(ws.cache.blobPath(b.digest), { highWaterMark: 1 << 20 });
    const verify = ws.cache.verifier(b.digest, progress.bytes);
    // pipeline carries a read error or a digest mismatch into the upload, which then fails instead of completing.
    pipeline(source, verify, () => undefined);
    try {
      await store.put(remoteBlobPath(b.digest), verify);
      result.transferred++;
      result.bytes += b.size ?? 0;
    } catch (err) {
      verify.destroy();
      failedDigests.add(b.digest);
      failed.push({ digest: b.digest, pointer: b.pointer, message: (err as Error).message });
    }
    progress.file();
  };
  const jobs = options.jobs ?? 8;
  await runLimited(toSend.filter((b) => !b.members), jobs, upload);
  await runLimited(toSend.filter((b) => b.members), jobs, upload);
  return result;
}

/**
 * `ferry data pull` without the checkout: downloads the blobs the pointers
 * need that the cache lacks, several at once, hashing each as it arrives; a
 * blob whose bytes do not match its digest is reported and not kept.
 * Directory manifests come first, to learn which files to fetch.
 */
export async function fetchData(ws: DataWorkspace, store: ArtifactStore, refs: PointerRef[], options: TransferOptions = {}): Promise<TransferResult> {
  const failed: TransferFailure[] = [];
  const result: TransferResult = { blobs: 0, present: 0, transferred: 0, bytes: 0, failed };
  const jobs = options.jobs ?? 8;
  const download = async (b: Blob, onBytes?: (n: number) => void) => {
    try {
      const { stream } = await store.get(remoteBlobPath(b.digest));
      const n = await ws.cache.receive(b.digest, stream, `the remote ${store.url}`, onBytes);
      result.bytes += n;
      result.transferred++;
      return true;
    } catch (err) {
      const message = err instanceof NotFoundError ? `${b.digest} is not on the remote ${store.url} (${remoteBlobPath(b.digest)}); push it from a copy that has it.` : (err as Error).message;
      failed.push({ digest: b.digest, pointer: b.pointer, message });
      return false;
    }
  };

  const blobs = new Map<string, Blob>();
  const dirs = refs.filter((r) => r.pointer.kind === 'directory');
  const manifests = await Promise.all(dirs.map((r) => ws.cache.readManifest(r.pointer.digest).catch(() => undefined)));
  result.blobs += dirs.length;
  result.present += manifests.filter(Boolean).length;
  await runLimited(dirs, jobs, async (ref, i) => {
    if (manifests[i]) return;
    if (await download({ digest: ref.pointer.digest, pointer: ref.name })) {
      manifests[i] = await ws.cache.readManifest(ref.pointer.digest).catch((err: Error) => {
        failed.push({ digest: ref.pointer.digest, pointer: ref.name, message: err.message });
        return undefined;
      });
    }
  });
  for (const ref of refs) if (ref.pointer.kind === 'file') addBlob(blobs, { digest: ref.pointer.digest, size: ref.pointer.size, pointer: ref.name });
  dirs.forEach((ref, i) => {
    for (const f of manifests[i] ?? []) addBlob(blobs, { digest: f.digest, size: f.size, pointer: ref.name });
  });
  const all = [...blobs.values()];
  const present = all.map((b) => ws.cache.hasSync(b.digest, b.size));
  const toFetch = all.filter((_, i) => !present[i]);
  result.blobs += all.length;
  result.present += all.length - toFetch.length;
  const progress = tracker(toFetch, 'pulling', options.onProgress);
  await runLimited(toFetch, jobs, async (b) => {
    await download(b, progress.bytes);
    progress.file();
  });
  return result;
}

function addBlob(blobs: Map<string, Blob>, blob: Blob): void {
  if (!blobs.has(blob.digest)) blobs.set(blob.digest, blob);
}

function tracker(blobs: Blob[], phase: string, listener?: ProgressListener): { bytes: (n: number) => void; file: () => void } {
  const state = { phase, bytes: 0, totalBytes: blobs.reduce((s, b) => s + (b.size ?? 0), 0), files: 0, totalFiles: blobs.length };
  listener?.({ ...state });
  return {
    bytes: (n) => {
      state.bytes += n;
      listener?.({ ...state });
    },
    file: () => {
      state.files++;
      listener?.({ ...state });
    },
  };
}
