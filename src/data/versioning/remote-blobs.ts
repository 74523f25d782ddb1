import type { ArtifactStore } from '../../backends/artifacts/artifact-store.js';
import { digestHex } from './pointer-file.js';
import { runLimited } from './run-limited.js';

/**
 * Where blobs live in an artifact store, relative to its root. The dataset
 * registry reads the same layout: `ferry-data/sha256/<2 hex>/<62 hex>`, with
 * directory manifests stored as blobs too.
 */
export const REMOTE_BLOB_ROOT = 'ferry-data/sha256';

/** The artifact-store path of a blob. */
export function remoteBlobPath(digest: string): string {
  const hex = digestHex(digest);
  return `${REMOTE_BLOB_ROOT}/${hex.slice(0, 2)}/${hex.slice(2)}`;
}

/** Prefix folders listed at once when checking what a remote holds. */
const LIST_CONCURRENCY = 16;

/**
 * The digests among `blobs` that the remote lacks, or holds with a size other
 * than the one given (a truncated upload). One listing per `<2 hex>` folder
 * that any blob falls in — at most 256 — rather than one request per blob.
 */
export async function remoteMissing(store: ArtifactStore, blobs: { digest: string; size?: number }[]): Promise<Set<string>> {
  const byPrefix = new Map<string, { digest: string; size?: number }[]>();
  for (const b of blobs) {
    const prefix = digestHex(b.digest).slice(0, 2);
    const group = byPrefix.get(prefix) ?? [];
    group.push(b);
    byPrefix.set(prefix, group);
  }
  const missing = new Set<string>();
  await runLimited([...byPrefix.entries()], LIST_CONCURRENCY, async ([prefix, group]) => {
    const listed = await store.list(`${REMOTE_BLOB_ROOT}/${prefix}`);
    const sizes = new Map(listed.filter((e) => !e.isDir).map((e) => [e.path.slice(e.path.lastIndexOf('/') + 1), e.size]));
    for (const b of group) {
      const size = sizes.get(digestHex(b.digest).slice(2));
      if (size === undefined || (b.size !== undefined && size !== b.size)) missing.add(b.digest);
    }
  });
  return missing;
}
