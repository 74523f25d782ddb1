import { InvalidArgumentError } from '../errors.js';
import type { ArtifactStore } from './artifacts/artifact-store.js';
import { LocalArtifactStore } from './artifacts/local-artifact-store.js';

/** A URL scheme such as "s3:"; a lone drive letter ("C:\dir") is a path, not a scheme. */
function schemeOf(url: string): string | undefined {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url)?.[1];
  return scheme === undefined || scheme.length === 1 ? undefined : scheme.toLowerCase();
}

/**
 * Opens the artifact store named by `url`: `file:///abs/path` or a plain
 * directory path for local files, `s3://bucket/optional/prefix` for S3 (the
 * AWS SDK loads only then). Throws InvalidArgumentError for any other scheme.
 */
export async function createArtifactStore(url: string): Promise<ArtifactStore> {
  const scheme = schemeOf(url);
  if (scheme === undefined || scheme === 'file') return new LocalArtifactStore(url);
  if (scheme === 's3') {
    const { createS3ArtifactStore } = await import('./artifacts/s3-artifact-store.js');
    return createS3ArtifactStore(url);
  }
  throw new InvalidArgumentError(
    `Unsupported artifact store URL scheme "${scheme}:" in ${JSON.stringify(url)}; supported: file:// (or a plain path), s3://`,
  );
}
