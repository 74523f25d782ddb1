import { createHash } from 'node:crypto';
import { normalizeArtifactPath } from '../../backends/artifacts/artifact-path.js';
import { InvalidArgumentError } from '../../errors.js';

/** One file of a directory: its path inside the directory ('/' separators), digest and size. */
export interface ManifestFile {
  path: string;
  digest: string;
  size: number;
}

/** Manifests are small JSON; refuse anything that could exhaust memory. */
export const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * Checks a path inside a tracked directory: relative, '/'-separated, with no
 * '..', '.', empty or absolute segments, backslashes or control characters —
 * nothing that could name a file outside the directory when joined to it.
 * @throws InvalidArgumentError naming the path and what is wrong with it.
 */
export function checkRelativePath(path: string, source: string): string {
  let normal: string;
  try {
    normal = normalizeArtifactPath(path);
  } catch (err) {
    throw new InvalidArgumentError(`${source}: unsafe path ${JSON.stringify(path)}: ${(err as Error).message}`);
  }
  if (normal === '' || normal !== path) {
    throw new InvalidArgumentError(`${source}: path ${JSON.stringify(path)} is not a plain relative path (no '.', empty or trailing segments)`);
  }
  return path;
}

/** Code-point order of the UTF-8 bytes: the same in every language, unlike UTF-16 comparison. */
export function comparePaths(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The canonical manifest bytes of a directory, as `pointer-file.ts` defines
 * them: `{"ferry":1,"files":[{"path","digest","size"},…]}`, sorted by path
 * (UTF-8 byte order), no whitespace. Its SHA-256 is the directory's digest.
 */
export function formatManifest(files: ManifestFile[]): Buffer {
  const sorted = [...files].sort((a, b) => comparePaths(a.path, b.path));
  const body = sorted.map((f) => ({ path: f.path, digest: f.digest, size: f.size }));
  return Buffer.from(JSON.stringify({ ferry: 1, files: body }), 'utf8');
}

/** `sha256:` + the SHA-256 of `bytes`. */
export function digestOf(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * Parses a manifest blob and checks every entry: safe relative paths, no
 * duplicates, well-formed digests and sizes.
 * @throws InvalidArgumentError naming the manifest and the bad entry.
 */
export function parseManifest(bytes: Buffer, source: string): ManifestFile[] {
  if (bytes.length > MAX_MANIFEST_BYTES) throw new InvalidArgumentError(`${source}: manifest is larger than ${MAX_MANIFEST_BYTES} bytes`);
  let raw: unknown;
  try {
    raw = JSON.parse(bytes.toString('utf8'));
  } catch (err) {
    throw new InvalidArgumentError(`${source}: manifest is not JSON: ${(err as Error).message}`);
  }
  const files = (raw as { ferry?: unknown; files?: unknown } | null)?.files;
  if ((raw as { ferry?: unknown } | null)?.ferry !== 1 || !Array.isArray(files)) {
    throw new InvalidArgumentError(`${source}: not a Ferry directory manifest (expected {"ferry":1,"files":[…]})`);
  }
  const seen = new Set<string>();
  return files.map((entry: unknown, i: number) => {
    const f = entry as Partial<ManifestFile> | null;
    if (!f || typeof f.path !== 'string') throw new InvalidArgumentError(`${source}: file ${i} has no path`);
    checkRelativePath(f.path, source);
    if (seen.has(f.path)) throw new InvalidArgumentError(`${source}: ${JSON.stringify(f.path)} is listed twice`);
    seen.add(f.path);
    if (typeof f.digest !== 'string' || !DIGEST.test(f.digest)) throw new InvalidArgumentError(`${source}: ${JSON.stringify(f.path)} has no valid sha256 digest`);
    if (!Number.isSafeInteger(f.size) || (f.size as number) < 0) throw new InvalidArgumentError(`${source}: ${JSON.stringify(f.path)} has no valid size`);
    return { path: f.path, digest: f.digest, size: f.size as number };
  });
}
