import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { proxyPathOf } from '../backends/artifacts/artifact-path.js';
import type { ArtifactStore } from '../backends/artifacts/artifact-store.js';
import { InvalidArgumentError } from '../errors.js';
import { loadModelPackage, loadModelPackageDir, type LoadedModelPackage } from '../registry/model-package/index.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import type { LoadablePackage } from './model-runtime.js';

/** Where serving reads packages from. */
export interface PackageSourceDeps {
  registry?: ModelRegistry;
  artifacts?: ArtifactStore;
}

/** The package a URI names, found but not read yet, with the version it will be served as. */
export interface LocatedPackage {
  /** The registry's version number, or '1' for a local directory. */
  version: string;
  /** For a registry URI: the registered model it resolved to. */
  registered?: { name: string; version: number };
  /** Reads and checks the package (see `inspectModelPackage` for what it refuses). */
  read(): Promise<LoadablePackage>;
}

/** True for what serving reads as a local package directory: an absolute or relative path, or a file: URI. */
export function isLocalPackageUri(uri: string): boolean {
  return uri.startsWith('file:') || !/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(uri);
}

function localDir(uri: string): string {
  if (uri.startsWith('file:')) {
    try {
      return fileURLToPath(uri);
    } catch (err) {
      throw new InvalidArgumentError(`'${uri}' is not a usable file: URI: ${(err as Error).message}`);
    }
  }
  return isAbsolute(uri) ? uri : resolve(uri);
}

function loadable(p: LoadedModelPackage): LoadablePackage {
  const { onnxFiles, ...info } = p;
  return { info, ...(onnxFiles ? { onnx: onnxFiles } : {}) };
}

/** Reads a registered version's files from wherever its storage location points. */
async function readStored(location: string, artifacts: ArtifactStore | undefined): Promise<LoadedModelPackage> {
  const proxied = proxyPathOf(location);
  const root = artifacts?.url.replace(/\/+$/, '');
  if (artifacts && proxied !== undefined) return loadModelPackage(artifacts, proxied);
  if (artifacts && root && location.startsWith(`${root}/`)) return loadModelPackage(artifacts, decodeURIComponent(location.slice(root.length + 1)));
  // The registry accepts a local source only inside its run's artifact folder, so reading it is safe.
  if (location.startsWith('file:') || location.startsWith('/')) return loadModelPackageDir(localDir(location));
  throw new InvalidArgumentError(
    `The model version's files are at '${location}', which this server cannot read: it reads its artifact store (${artifacts?.url ?? 'none'}) and local folders.`,
    { details: { reason: 'unreadable_location' } },
  );
}

/**
 * Finds the package a URI names: `models:/…` through the registry, otherwise
 * a local package directory. Reads nothing yet.
 * @throws NotFoundError for a registry URI that names nothing.
 * @throws InvalidArgumentError for a malformed URI or an unreadable location.
 */
export async function locatePackage(uri: string, deps: PackageSourceDeps): Promise<LocatedPackage> {
  if (uri.startsWith('models:')) {
    if (!deps.registry) throw new InvalidArgumentError(`'${uri}' names a registered model, but this server has no model registry.`);
    const mv = await deps.registry.resolveModelUri(uri);
    const location = mv.storageLocation || mv.source;
    if (!location) throw new InvalidArgumentError(`Model '${mv.name}' version ${mv.version} records no storage location.`);
    return { version: String(mv.version), registered: { name: mv.name, version: mv.version }, read: async () => loadable(await readStored(location, deps.artifacts)) };
  }
  if (!isLocalPackageUri(uri)) {
    throw new InvalidArgumentError(`Cannot serve '${uri}': give models:/NAME/VERSION, models:/NAME@alias, or the path of a local package directory.`);
  }
  const dir = localDir(uri);
  return { version: '1', read: async () => loadable(await loadModelPackageDir(dir)) };
}
