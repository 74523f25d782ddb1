/**
 * Where a new model version's files are: MLflow's source checks
 * (`_validate_source_run`, `_validate_non_local_source_contains_relative_paths`)
 * and the resolution of `runs:/` and `models:/` sources to an artifact URI.
 */
import { posix } from 'node:path';
import { proxyPathOf } from '../backends/artifacts/artifact-path.js';
import type { ArtifactStore } from '../backends/artifacts/artifact-store.js';
import { InvalidArgumentError } from '../errors.js';
import { appendToUri } from '../tracking/experiment-service.js';
import type { LoggedModelService } from '../tracking/logged-model-service.js';
import type { RunService } from '../tracking/run-service.js';
import type { ModelVersion } from './registry-types.js';

export interface ResolvedSource {
  storageLocation: string;
  runId: string | null;
  modelId: string | null;
}

export interface SourceDeps {
  runs: RunService;
  loggedModels?: LoggedModelService;
  artifacts?: ArtifactStore;
  resolveModelUri(uri: string): Promise<ModelVersion>;
}

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

function schemeOf(uri: string): string {
  return SCHEME.exec(uri)?.[1]?.toLowerCase() ?? '';
}

/** MLflow's `is_local_uri`: a plain path or a file: URI (without a remote host). */
export function isLocalUri(uri: string): boolean {
  const scheme = schemeOf(uri);
  if (scheme === '') return true;
  if (scheme !== 'file') return false;
  const rest = uri.slice('file:'.length);
  return !rest.startsWith('//') || rest.startsWith('///') || /^\/\/localhost(\/|$)/.test(rest);
}

function localPath(uri: string): string {
  if (schemeOf(uri) !== 'file') return posix.resolve(uri);
  return posix.resolve(decodeURIComponent(uri.slice('file:'.length).replace(/^\/\/(localhost)?/, '')));
}

function fullyUnquote(s: string): string {
  let current = s;
  for (let i = 0; i < 10; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current.replace(/\+/g, ' '));
    } catch {
      return current;
    }
    if (next === current) return current;
    current = next;
  }
  return current;
}

/** The path part of a URI as Python's urlparse gives it (no scheme, host, query or fragment). */
function uriPath(uri: string): string {
  let rest = uri.replace(SCHEME, '');
  if (rest.startsWith('//')) rest = rest.slice(2).replace(/^[^/?#]*/, '');
  return rest.replace(/[?#].*$/s, '');
}

function invalidSource(source: string): never {
  throw new InvalidArgumentError(
    `Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ftp, objectstore, ` +
      'or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.',
  );
}

/** Refuses `..` and `.` segments and NUL, even percent-encoded, which could reach files outside the artifact root. */
export function checkNoRelativePaths(source: string): void {
  const unquoted = fullyUnquote(source);
  const path = uriPath(unquoted).replace(/\/+/g, '/').replace(/\/$/, '');
  if (path.includes('\u0000') || unquoted.split('/').some((p) => p === '..')) invalidSource(source);
  if (path !== '' && posix.normalize(path) !== path) invalidSource(source);
}

/**
 * Checks a source as MLflow's server does: a local path must lie inside the
 * artifact directory of the given run (or logged model); any other URI must
 * hold no relative path segments. Prompts (MLflow 3) may use placeholder
 * sources but no local files.
 * @throws InvalidArgumentError naming the bad source.
 */
export async function checkSource(
  source: string,
  input: { runId?: string; modelId?: string; isPrompt: boolean },
  deps: Pick<SourceDeps, 'runs' | 'loggedModels'>,
): Promise<void> {
  if (input.isPrompt) {
    if (schemeOf(source) === 'file' || (schemeOf(source) === '' && source.startsWith('/'))) {
      throw new InvalidArgumentError(`Invalid prompt source: '${source}'. Local source paths are not allowed for prompts.`);
    }
    if (schemeOf(source) !== '') checkNoRelativePaths(source);
    return;
  }
  if (isLocalUri(source)) {
    const owner = input.modelId ? 'model_id' : 'run_id';
    let root: string | undefined;
    if (input.modelId && deps.loggedModels) root = (await deps.loggedModels.get(input.modelId)).artifactUri;
    else if (input.runId) root = (await deps.runs.getInfo(input.runId)).artifactUri;
    if (root !== undefined && isLocalUri(root)) {
      const dir = localPath(root);
      const path = localPath(source);
      if (path === dir || path.startsWith(`${dir}/`)) return;
    }
    throw new InvalidArgumentError(
      `Invalid model version source: '${source}'. To use a local path as a model version source, the ${owner} request parameter ` +
        `has to be specified and the local path has to be contained within the artifact directory of the run specified by the ${owner}.`,
    );
  }
  checkNoRelativePaths(source);
}

/** `runs:/<run_id>/<path>` → run id and run-relative path. */
export function parseRunsUri(uri: string): { runId: string; path: string } {
  const m = /^runs:\/+([^/]+)(?:\/(.*))?$/.exec(uri);
  if (!m) {
    throw new InvalidArgumentError(`Not a proper runs:/ URI: ${uri}. Runs URIs must be of the form 'runs:/<run_id>/run-relative/path/to/artifact'`);
  }
  return { runId: m[1]!, path: (m[2] ?? '').replace(/\/+$/, '') };
}

/** A `models:/<id>` URI naming one of MLflow 3's logged models rather than a registered version. */
export function loggedModelIdOf(uri: string): string | undefined {
  const m = /^models:\/([^/@]+)$/.exec(uri);
  return m ? m[1] : undefined;
}

function quote(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** Whether the folder at artifact URI `uri` holds an MLmodel file; undefined when Ferry cannot look (not proxied). */
async function hasMlmodel(artifacts: ArtifactStore | undefined, uri: string): Promise<boolean | undefined> {
  const path = artifacts ? proxyPathOf(uri) : undefined;
  if (!artifacts || path === undefined) return undefined;
  const entries = await artifacts.list(path);
  return entries.some((e) => !e.isDir && e.path.split('/').pop() === 'MLmodel');
}

/**
 * Resolves a version's source to where its files are:
 * - `runs:/<run>/<path>`: the run's artifact URI + path (the run must exist). When
 *   nothing is there but the run logged an MLflow 3 model of that name, its files
 *   (and id) are used instead, as MLflow 3's `register_model` does on the client side.
 * - `models:/m-<id>`: the logged model's artifact location; its source run fills run_id.
 * - `models:/<name>/<version|stage|latest>` or `models:/<name>@<alias>`: that version's files.
 * - anything else (mlflow-artifacts:/, s3://, file://): the source itself.
 */
export async function resolveSource(source: string, input: { runId?: string; modelId?: string }, deps: SourceDeps): Promise<ResolvedSource> {
  let runId = input.runId || null;
  let modelId = input.modelId || null;
  if (modelId && deps.loggedModels) {
    // A named logged model must exist (its run fills run_id), so a version never points at nothing.
    const named = await deps.loggedModels.get(modelId);
    runId ??= named.sourceRunId ?? null;
  }
  if (source.startsWith('runs:')) {
    const parsed = parseRunsUri(source);
    const run = await deps.runs.getInfo(parsed.runId);
    runId ??= run.runId;
    let storageLocation = parsed.path ? appendToUri(run.artifactUri, parsed.path) : run.artifactUri;
    if (deps.loggedModels && parsed.path && !modelId && (await hasMlmodel(deps.artifacts, storageLocation)) === false) {
      const page = await deps.loggedModels.search({
        experimentIds: [run.experimentId],
        filter: `name = ${quote(parsed.path)} AND source_run_id = ${quote(run.runId)}`,
        orderBy: [{ fieldName: 'creation_timestamp', ascending: false }],
      });
      const model = page.items[0];
      if (model) {
        storageLocation = model.artifactUri;
        modelId = model.modelId;
      }
    }
    return { storageLocation, runId, modelId };
  }
  if (source.startsWith('models:')) {
    const id = loggedModelIdOf(source);
    if (id !== undefined && deps.loggedModels) {
      const model = await deps.loggedModels.get(id);
      return { storageLocation: model.artifactUri, runId: runId ?? model.sourceRunId ?? null, modelId: modelId ?? model.modelId };
    }
    const version = await deps.resolveModelUri(source);
    return { storageLocation: version.storageLocation ?? version.source ?? source, runId: runId ?? version.runId, modelId: modelId ?? version.modelId };
  }
  return { storageLocation: source, runId, modelId };
}
