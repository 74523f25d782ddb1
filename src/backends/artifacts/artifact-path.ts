import { InvalidArgumentError } from '../../errors.js';

// C0 controls and DEL: never meaningful in an artifact name, and NUL truncates
// paths in some C libraries (a classic way to smuggle a different file name).
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
const WINDOWS_DRIVE = /^[A-Za-z]:/;

/**
 * Turns a client-supplied artifact path into a safe relative path with '/'
 * separators: trailing slashes, repeated slashes and '.' segments are dropped
 * ("a//./b/" → "a/b"); '' and '.' both become '', the store root.
 *
 * Rejects, with InvalidArgumentError, anything that could name a file outside
 * the store root or mean different things on different systems: '..'
 * segments, absolute paths ("/etc/passwd" — a leading '/' is NOT stripped,
 * because silently re-rooting an absolute path hides client bugs), Windows
 * drive paths ("C:/x"), backslashes, NUL and other control characters.
 *
 * Percent-decoding is the caller's job: this function sees the decoded path,
 * so "%2e%2e" must already be "..".
 */
export function normalizeArtifactPath(p: string): string {
  if (typeof p !== 'string') {
    throw new InvalidArgumentError(`Artifact path must be a string, got ${typeof p}`);
  }
  if (CONTROL_CHARS.test(p)) {
    throw new InvalidArgumentError(`Artifact path ${JSON.stringify(p)} contains a control character; remove it`);
  }
  if (p.includes('\\')) {
    throw new InvalidArgumentError(`Artifact path ${JSON.stringify(p)} contains a backslash; use '/' as the separator`);
  }
  if (p.startsWith('/')) {
    throw new InvalidArgumentError(
      `Artifact path ${JSON.stringify(p)} is absolute; give a path relative to the artifact root (no leading '/')`,
    );
  }
  if (WINDOWS_DRIVE.test(p)) {
    throw new InvalidArgumentError(
      `Artifact path ${JSON.stringify(p)} starts with a drive letter; give a path relative to the artifact root`,
    );
  }
  const segments: string[] = [];
  for (const segment of p.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      throw new InvalidArgumentError(`Artifact path ${JSON.stringify(p)} contains '..'; remove the parent-directory segment`);
    }
    segments.push(segment);
  }
  return segments.join('/');
}

/**
 * Joins artifact path parts with '/', normalizing each one (so every part
 * obeys the rules of `normalizeArtifactPath`). Empty parts are skipped:
 * `joinArtifactPath('', 'a/', 'b')` is "a/b".
 */
export function joinArtifactPath(...parts: string[]): string {
  return parts
    .map(normalizeArtifactPath)
    .filter((part) => part !== '')
    .join('/');
}

const MLFLOW_ARTIFACTS = 'mlflow-artifacts:';

/**
 * The artifact proxy's path for an artifact URI: `mlflow-artifacts:/0/abc/artifacts`
 * (or `mlflow-artifacts://host/0/…`) → `0/abc/artifacts`. Undefined for URIs
 * the server does not proxy (s3://, file://), whose bytes live elsewhere.
 */
export function proxyPathOf(artifactUri: string): string | undefined {
  if (!artifactUri.startsWith(MLFLOW_ARTIFACTS)) return undefined;
  let rest = artifactUri.slice(MLFLOW_ARTIFACTS.length);
  if (rest.startsWith('//')) rest = rest.slice(2).replace(/^[^/]*/, '');
  return normalizeArtifactPath(rest.replace(/^\/+/, ''));
}
