import { FerryError, InvalidArgumentError, NotFoundError, PermissionDeniedError, UnavailableError } from '../errors.js';
import type { ModelRuntimeFactory, RuntimeOptions } from './model-runtime.js';
import type { ModelStatsSnapshot, ServingObserver } from './model-stats.js';
import { createOnnxRuntime } from './onnx-runtime.js';
import { isLocalPackageUri, locatePackage, type PackageSourceDeps } from './package-source.js';
import { ServedModel } from './served-model.js';
import { DEFAULT_BATCHING, type BatchingOptions, type InferenceRequest, type InferenceResult, type ModelIndexEntry, type ModelState, type ServedModelSpec } from './serving-types.js';

export interface ServingServiceOptions extends PackageSourceDeps {
  /** Creates each model's runtime; default ONNX Runtime. */
  createRuntime?: ModelRuntimeFactory;
  /** Settings every model starts from; a model's own spec overrides them. */
  defaults?: { runtime?: RuntimeOptions; batching?: Partial<BatchingOptions> };
  observer?: ServingObserver;
}

export interface LoadOptions {
  /**
   * Allow a local directory as the source. Off for requests that come over
   * HTTP: a path on the server's disk is the operator's choice (FERRY_SERVE_MODELS), not a client's.
   */
  allowLocalPaths?: boolean;
}

interface Entry {
  name: string;
  uri: string;
  spec: ServedModelSpec;
  state: ModelState;
  reason: string;
  version?: string;
  model?: ServedModel;
  /** The registered model version being served, for a models:/ URI. */
  registered?: { name: string; version: number };
  /** Loaded at startup: the server is ready only once it is. */
  startup: boolean;
}

/** Served names appear in URL paths, so they cannot hold '/' or control characters. */
const NAME = /^[^/\u0000-\u001f\u007f]{1,256}$/;

function checkBatching(b: BatchingOptions): BatchingOptions {
  const ok = (v: number, min: number) => Number.isInteger(v) && v >= min;
  if (!ok(b.maxBatchSize, 1) || !ok(b.maxQueueSize, 1) || !(Number.isFinite(b.maxQueueDelayMs) && b.maxQueueDelayMs >= 0)) {
    throw new InvalidArgumentError(
      `Batching settings need maxBatchSize ≥ 1 and maxQueueSize ≥ 1 (integers) and maxQueueDelayMs ≥ 0; got ${JSON.stringify(b)}.`,
    );
  }
  return b;
}

/**
 * The model repository of one serving process, independent of any protocol:
 * many models by name, each loaded, reloaded and unloaded while the others
 * keep serving. A model that fails to load is listed UNAVAILABLE with the
 * reason; the others are not affected. Loads of one name run one at a time;
 * a reload keeps the old version serving until the new one is ready, then
 * lets the old one finish its queued requests.
 */
export class ServingService {
  private readonly entries = new Map<string, Entry>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly createRuntime: ModelRuntimeFactory;
  private readonly observers: ServingObserver[] = [];
  /** Passed to every model: tells each observer added so far, so observers added later see models loaded earlier. */
  private readonly fanout: ServingObserver = {
    onRequest: (e) => this.observers.forEach((o) => o.onRequest?.(e)),
    onExecution: (e) => this.observers.forEach((o) => o.onExecution?.(e)),
  };
  private closed = false;

  constructor(private readonly options: ServingServiceOptions = {}) {
    this.createRuntime = options.createRuntime ?? createOnnxRuntime;
    if (options.observer) this.observers.push(options.observer);
  }

  /** Tells `observer` about every request and runtime call from now on (e.g. one app's Prometheus metrics). Returns its removal. */
  addObserver(observer: ServingObserver): () => void {
    this.observers.push(observer);
    return () => {
      const i = this.observers.indexOf(observer);
      if (i >= 0) this.observers.splice(i, 1);
    };
  }

  /**
   * Loads the model, or reloads it (re-resolving an alias) when already loaded.
   * Without `spec.uri`, reuses the URI it was last loaded from, else `models:/NAME/latest`.
   * @throws NotFoundError when a models:/ URI names nothing (nothing is recorded).
   * @throws InvalidArgumentError for a bad name, URI or settings, or a package that does not load (then listed UNAVAILABLE,
   *   unless an older version keeps serving).
   * @throws PermissionDeniedError for a local path without `allowLocalPaths`.
   */
  async load(name: string, spec: Partial<ServedModelSpec> = {}, options: LoadOptions & { startup?: boolean } = {}): Promise<ModelIndexEntry> {
    if (typeof name !== 'string' || !NAME.test(name)) {
      throw new InvalidArgumentError(`Model name ${JSON.stringify(name)} cannot be served: use 1 to 256 characters without '/' or control characters.`);
    }
    const previous = this.entries.get(name);
    const full: ServedModelSpec = { ...previous?.spec, ...spec, uri: spec.uri ?? previous?.uri ?? `models:/${name}/latest` };
    if (typeof full.uri !== 'string' || full.uri === '') throw new InvalidArgumentError('The model URI must be a non-empty string.');
    if (isLocalPackageUri(full.uri) && !options.allowLocalPaths) {
      throw new PermissionDeniedError(
        `'${full.uri}' is a local path; over the API models load from the registry (models:/NAME/VERSION or models:/NAME@alias). Serve local packages with FERRY_SERVE_MODELS.`,
      );
    }
    const batching = checkBatching({ ...DEFAULT_BATCHING, ...this.options.defaults?.batching, ...full.batching });
    if (options.startup) {
      // Listed before the first await, so the server is not ready until it has loaded.
      const entry = previous ?? { name, uri: full.uri, spec: full, state: 'LOADING' as const, reason: '', startup: true };
      entry.startup = true;
      this.entries.set(name, entry);
    }
    return this.withLock(name, () => this.doLoad(name, full, batching));
  }

  private async doLoad(name: string, spec: ServedModelSpec, batching: BatchingOptions): Promise<ModelIndexEntry> {
    if (this.closed) throw new UnavailableError('The serving service is shutting down.');
    let entry = this.entries.get(name);
    let located;
    try {
      located = await locatePackage(spec.uri, this.options);
    } catch (err) {
      // A URI that names nothing leaves the repository as it was; a startup model shows why it is missing.
      if (entry && !entry.model) this.fail(entry, err);
      throw err;
    }
    if (!entry) {
      entry = { name, uri: spec.uri, spec, state: 'LOADING', reason: '', startup: false };
      this.entries.set(name, entry);
    }
    entry.uri = spec.uri;
    entry.spec = spec;
    if (!entry.model) Object.assign(entry, { state: 'LOADING', reason: '', version: located.version });
    let model: ServedModel;
    try {
      const pkg = await located.read();
      const runtime = this.createRuntime({ ...this.options.defaults?.runtime, ...spec.runtime });
      model = await ServedModel.load(name, located.version, pkg, runtime, batching, this.fanout);
    } catch (err) {
      if (entry.model) entry.reason = `reload of version ${located.version} failed: ${(err as Error).message}`;
      else this.fail(entry, err);
      throw err;
    }
    const old = entry.model;
    Object.assign(entry, { model, version: located.version, registered: located.registered, state: 'READY', reason: '' });
    await old?.unload();
    return this.describe(entry);
  }

  private fail(entry: Entry, err: unknown): void {
    entry.state = 'UNAVAILABLE';
    entry.reason = err instanceof FerryError ? err.message : `load failed: ${(err as Error)?.message ?? String(err)}`;
  }

  /**
   * Stops serving the model: new requests are refused at once, queued ones finish, then its runtime is freed.
   * @throws NotFoundError for a name never loaded.
   */
  async unload(name: string): Promise<void> {
    if (!this.entries.has(name)) throw new NotFoundError(`Model '${name}' is not in the repository.`);
    return this.withLock(name, async () => {
      const entry = this.entries.get(name)!;
      const model = entry.model;
      entry.model = undefined;
      entry.state = 'UNLOADING';
      await model?.unload();
      entry.state = 'UNAVAILABLE';
      entry.reason = 'unloaded';
    });
  }

  /**
   * Loads models configured at startup without waiting for them; the server
   * is ready once all are. Failures are listed in the index, not thrown.
   */
  preload(models: Array<{ name: string; spec: ServedModelSpec }>): Promise<void> {
    return Promise.all(models.map((m) => this.load(m.name, m.spec, { allowLocalPaths: true, startup: true }).catch(() => undefined))).then(() => undefined);
  }

  /** Every model the repository knows, by name (Triton's repository index). */
  index(readyOnly = false): ModelIndexEntry[] {
    return [...this.entries.values()]
      .filter((e) => !readyOnly || e.state === 'READY')
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((e) => this.describe(e));
  }

  /** True once every model loaded at startup is ready (models loaded later by API do not count). */
  isReady(): boolean {
    return !this.closed && [...this.entries.values()].every((e) => !e.startup || e.state === 'READY');
  }

  /**
   * The model serving under `name` (and `version`, if given).
   * @throws NotFoundError for a model or version not loaded.
   * @throws UnavailableError for one still loading or that failed to load.
   */
  model(name: string, version?: string): ServedModel {
    const entry = this.entries.get(name);
    if (!entry || entry.reason === 'unloaded') throw new NotFoundError(`Model '${name}' is not loaded.`);
    if (!entry.model) {
      if (entry.state === 'LOADING') throw new UnavailableError(`Model '${name}' is still loading.`, { details: { retryAfterSeconds: 1 } });
      throw new UnavailableError(`Model '${name}' is not available: ${entry.reason || entry.state}.`);
    }
    if (version !== undefined && version !== entry.model.version) {
      throw new NotFoundError(`Model '${name}' version '${version}' is not loaded; version ${entry.model.version} is.`);
    }
    return entry.model;
  }

  /**
   * What the repository holds under `name`, without throwing: the per-request
   * metrics hook asks this of every name a client sends, and building an error
   * (with its stack) per request cost a deployment endpoint ~5 % of its throughput.
   */
  lookup(name: string): { state: 'ready'; version: string } | { state: 'unavailable' } | undefined {
    const entry = this.entries.get(name);
    if (!entry || entry.reason === 'unloaded') return undefined;
    return entry.model ? { state: 'ready', version: entry.model.version } : { state: 'unavailable' };
  }

  /** Whether the model (version) can take requests now. @throws NotFoundError for one not in the repository. */
  isModelReady(name: string, version?: string): boolean {
    try {
      this.model(name, version);
      return true;
    } catch (err) {
      if (err instanceof UnavailableError) return false;
      throw err;
    }
  }

  /** Runs one request on the named model. See `ServedModel.infer` for what it throws. */
  async infer(name: string, version: string | undefined, request: InferenceRequest): Promise<InferenceResult> {
    return this.model(name, version).infer(request);
  }

  /**
   * Statistics of loaded models: all, one model's, or one version's.
   * @throws NotFoundError for a name or version that is not loaded.
   */
  statistics(name?: string, version?: string): ModelStatsSnapshot[] {
    if (name === undefined) return this.index().flatMap((e) => this.entries.get(e.name)!.model?.statistics() ?? []);
    const entry = this.entries.get(name);
    if (!entry) throw new NotFoundError(`Model '${name}' is not in the repository.`);
    if (version === undefined) return entry.model ? [entry.model.statistics()] : [];
    return [this.model(name, version).statistics()];
  }

  /**
   * The models serving a registered model (or one of its versions), described
   * for the registry's deletion guard: a served version must not vanish.
   */
  async servedUses(target: { name: string; version?: number }): Promise<string[]> {
    return [...this.entries.values()]
      .filter((e) => e.model && e.registered?.name === target.name && (target.version === undefined || e.registered.version === target.version))
      .map((e) => `version ${e.registered!.version} is served as model '${e.name}' (unload it first: POST /v2/repository/models/${e.name}/unload)`);
  }

  /** Unloads every model (queued requests finish first). */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.entries.keys()].map((name) => this.unload(name).catch(() => undefined)));
  }

  private describe(e: Entry): ModelIndexEntry {
    return { name: e.name, ...(e.version === undefined ? {} : { version: e.version }), state: e.state, reason: e.reason, uri: e.uri };
  }

  /** Runs `fn` after every earlier call for the same name has settled. */
  private withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prior = this.locks.get(name) ?? Promise.resolve();
    const next = prior.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.locks.set(name, settled);
    void settled.then(() => {
      if (this.locks.get(name) === settled) this.locks.delete(name);
    });
    return next;
  }
}
