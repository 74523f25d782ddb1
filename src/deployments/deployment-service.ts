import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '../errors.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import type { ServingService } from '../serving/serving-service.js';
import { checkDeploymentName, modelUri, parseDeploymentDocument, parseDuration, parseModelRef } from './deployment-spec.js';
import type { DeploymentState } from './deployment-state.js';
import type { DeploymentAnswer, DeploymentCall, DeploymentTraffic } from './deployment-traffic.js';
import type {
  ApplyResult,
  Deployment,
  DeploymentDocument,
  DeploymentEvent,
  DeploymentSpec,
  LiveVariant,
  ShadowStats,
  WindowSummary,
} from './deployment-types.js';
import type { RolloutController } from './rollout-controller.js';
import { diffDocuments, formatChange } from './spec-diff.js';
import { isActive, neededRefs, planStatus, type PlannedEvent } from './status-plan.js';
import { summarize } from './variant-stats.js';

/** A live variant with what it has done: since it went live, and in the current roll-out window. */
export interface VariantView extends LiveVariant {
  servedName: string;
  loaded: boolean;
  total: WindowSummary;
  /** Since the current analysis window began (canary roll-outs only). */
  window?: WindowSummary;
  consecutiveErrors: number;
}

/** A deployment with its live numbers, for `ferry rollout status` and the status API. */
export interface DeploymentView {
  deployment: Deployment;
  variants: VariantView[];
  shadow?: ShadowStats;
}

export interface ApplyOptions {
  /** The name addressed (a URL path); the document's metadata.name may then be left out. */
  name?: string;
  /** Report what would change, and change nothing. */
  dryRun?: boolean;
  /** Refuse an existing deployment (create, not apply). */
  createOnly?: boolean;
  actor: string;
}

export interface DeploymentServiceDeps {
  state: DeploymentState;
  controller: RolloutController;
  traffic: DeploymentTraffic;
  serving: ServingService;
  registry?: ModelRegistry;
}

/** The spec as a document again, for diffs and `ferry deployments show`. */
export function toDocument(d: Pick<Deployment, 'name' | 'description' | 'spec'>): DeploymentDocument {
  return { apiVersion: 'ferry/v1', kind: 'Deployment', metadata: { name: d.name, ...(d.description === undefined ? {} : { description: d.description }) }, spec: d.spec };
}

/**
 * Deployments: declarative create-or-update with a diff (`apply`), listing,
 * deletion, roll-out commands and the request path. Changes to one
 * deployment run one at a time; a version is loaded and warmed before the
 * routing table switches to it.
 */
export class DeploymentService {
  private starting?: Promise<void>;

  constructor(private readonly deps: DeploymentServiceDeps) {}

  /**
   * Loads every stored deployment's versions and resumes its roll-out where
   * it was stored (a step's window restarts: its counters were in memory). A
   * version that no longer loads marks its deployment failed; the others serve.
   * Requests and changes wait for this, and start it if nobody did. Idempotent; after a failure the next call tries again.
   * @throws what reading the stored deployments throws (a database that is down or not migrated).
   */
  start(): Promise<void> {
    this.starting ??= this.load().catch((err) => {
      this.starting = undefined;
      throw err;
    });
    return this.starting;
  }

  private async load(): Promise<void> {
    const { state, controller } = this.deps;
    for (const stored of await state.store.list()) {
      await state.withLock(stored.name, async () => {
        const now = state.clock.now();
        const status = { ...stored.status, updatedAt: now };
        const r = status.rollout;
        if (isActive(r)) status.rollout = { ...r, stepStartedAt: now, nextAnalysisAt: now + parseDuration(stored.spec.canary?.interval ?? '1m') };
        const events: PlannedEvent[] = [];
        try {
          await state.prepare(stored.name, neededRefs(status, now), stored.spec.warmup);
        } catch (err) {
          const message = `versions failed to load at startup: ${(err as Error).message}`;
          Object.assign(status, { phase: 'failed', message });
          events.push({ kind: 'load_failed', message, data: {} });
        }
        await state.commit({ ...stored, status }, events, 'ferry');
        controller.schedule(stored.name);
      });
    }
  }

  /**
   * Creates the deployment or brings it to `raw`'s spec (idempotent: the same
   * spec again changes nothing and reports `unchanged`).
   * @throws InvalidArgumentError naming the field for a bad spec or a version the registry lacks, or for a version that fails to load.
   * @throws AlreadyExistsError with `createOnly` for an existing deployment, or for a name a served model already uses.
   */
  async apply(raw: unknown, options: ApplyOptions): Promise<ApplyResult> {
    const doc = parseDeploymentDocument(raw, options.name);
    const name = doc.metadata.name;
    const dryRun = options.dryRun === true;
    await this.start();
    const { state, controller } = this.deps;
    return state.withLock(name, async () => {
      const current = state.live.get(name)?.record;
      if (current && options.createOnly) throw new AlreadyExistsError(`Deployment '${name}' already exists; update it with PUT (ferry apply).`);
      const changes = diffDocuments(current && toDocument(current), doc);
      if (current && changes.length === 0) {
        // The same spec again retries a deployment whose versions failed to load.
        if (current.status.phase !== 'failed' || dryRun) return { action: 'unchanged', dryRun, changes, deployment: current };
        return { action: 'configured', dryRun, changes, deployment: await this.reload(current, options.actor) };
      }
      if (!current) this.checkNameFree(name);
      await this.checkModels(doc.spec);
      const now = state.clock.now();
      const generation = (current?.generation ?? 0) + 1;
      const plan = planStatus(current?.status, doc.spec, generation, now);
      const next: Deployment = {
        name,
        ...(doc.metadata.description === undefined ? {} : { description: doc.metadata.description }),
        spec: doc.spec,
        status: plan.status,
        generation,
        createdAt: current?.createdAt ?? now,
        createdBy: current?.createdBy ?? options.actor,
        updatedAt: now,
        updatedBy: options.actor,
      };
      const action = current ? 'configured' : 'created';
      if (dryRun) return { action, dryRun, changes, deployment: next };
      const warnings = await state.prepare(name, neededRefs(plan.status, now), doc.spec.warmup);
      if (warnings.length > 0) next.status = { ...next.status, message: `${next.status.message} (${warnings.join('; ')})` };
      const lines = changes.map(formatChange);
      const summary = current ? (lines.length > 8 ? `${lines.slice(0, 8).join('; ')}; and ${lines.length - 8} more` : lines.join('; ')) : `${doc.spec.strategy} deployment`;
      await state.commit(next, [{ kind: current ? 'updated' : 'created', message: summary, data: { generation, changes } }, ...plan.events], options.actor);
      controller.schedule(name);
      return { action, dryRun, changes, deployment: next };
    });
  }

  /** Loads a failed deployment's versions again and puts it back in the phase its status holds. */
  private async reload(current: Deployment, actor: string): Promise<Deployment> {
    const { state } = this.deps;
    const now = state.clock.now();
    await state.prepare(current.name, neededRefs(current.status, now), current.spec.warmup);
    const r = current.status.rollout;
    const message = `versions loaded again: ${current.status.variants.map((v) => `${v.name} ${modelUri(v)}`).join(', ')}`;
    const next: Deployment = { ...current, status: { ...current.status, phase: isActive(r) ? (r.state === 'paused' ? 'paused' : 'progressing') : 'ready', message, updatedAt: now } };
    await state.commit(next, [{ kind: 'updated', message, data: { reloaded: true } }], actor);
    this.deps.controller.schedule(current.name);
    return next;
  }

  async list(): Promise<Deployment[]> {
    await this.start();
    return [...this.deps.state.live.values()].map((l) => l.record).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** @throws NotFoundError for an unknown name. */
  async get(name: string): Promise<Deployment> {
    await this.start();
    const live = this.deps.state.live.get(name);
    if (!live) throw new NotFoundError(`Deployment '${name}' does not exist.`);
    return live.record;
  }

  /** Whether `name` is a deployment now (for routes that share a namespace with served models). */
  has(name: string): boolean {
    return this.deps.state.live.has(name);
  }

  /** The deployment with its variants' live counters and shadow comparison. @throws NotFoundError for an unknown name. */
  async view(name: string): Promise<DeploymentView> {
    const deployment = await this.get(name);
    const live = this.deps.state.live.get(name)!;
    const { pool } = this.deps.state;
    const variants = live.variants.map((v): VariantView => {
      const counters = live.stats.of(v);
      const inWindow = live.window && (v.role === 'stable' || v.role === 'canary') ? summarize(counters.since(v.role === 'stable' ? live.window.stable : live.window.canary)) : undefined;
      return { ...v, loaded: pool.isLoaded(v.servedName), total: summarize(counters.since()), ...(inWindow ? { window: inWindow } : {}), consecutiveErrors: counters.consecutiveErrors };
    });
    const shadowVariant = variants.find((v) => v.role === 'shadow');
    const stableVariant = variants.find((v) => v.role === 'stable');
    const shadow = live.shadow?.stats({ shadowP99Ms: shadowVariant?.total.p99Ms ?? 0, stableP99Ms: stableVariant?.total.p99Ms ?? 0 });
    return { deployment, variants, ...(shadow ? { shadow } : {}) };
  }

  /**
   * Deletes the deployment: it stops answering at once, its versions unload once their requests finish. Its history stays.
   * @throws NotFoundError for an unknown name.
   */
  async delete(name: string, actor: string): Promise<void> {
    await this.start();
    const { state, controller } = this.deps;
    await state.withLock(name, async () => {
      const live = state.live.get(name);
      if (!live) throw new NotFoundError(`Deployment '${name}' does not exist.`);
      await state.remove(name, [{ kind: 'deleted', message: `deleted by ${actor}`, data: { generation: live.record.generation } }], actor, live.record);
      controller.schedule(name);
    });
  }

  /** The deployment's recorded transitions, oldest first (also after deletion). */
  async events(name: string, options: { afterId?: number; limit?: number } = {}): Promise<DeploymentEvent[]> {
    checkDeploymentName(name, 'name');
    return this.deps.state.store.events(name, options);
  }

  /** Calls `listener` with each transition of `name` from now on. Returns its removal. */
  watch(name: string, listener: (event: DeploymentEvent) => void): () => void {
    return this.deps.state.addObserver({ onTransition: (e) => e.deployment === name && listener(e) });
  }

  promote(name: string, actor: string): Promise<DeploymentEvent[]> {
    return this.deps.controller.promote(name, actor);
  }

  abort(name: string, actor: string): Promise<DeploymentEvent[]> {
    return this.deps.controller.abort(name, actor);
  }

  rollback(name: string, actor: string): Promise<DeploymentEvent[]> {
    return this.deps.controller.rollback(name, actor);
  }

  /**
   * The deployment as an OIP model: the inputs and outputs of the version
   * that answers by default (or of `version`), and every version it serves.
   * @throws NotFoundError for an unknown deployment or version; UnavailableError while the version is not loaded.
   */
  async metadata(name: string, version?: number): Promise<{ name: string; versions: string[]; platform: string; inputs: unknown[]; outputs: unknown[] }> {
    await this.get(name);
    const live = this.deps.state.live.get(name)!;
    const answering = live.variants.filter((v) => v.role !== 'shadow');
    const variant = version === undefined ? (answering.find((v) => v.role === 'stable') ?? [...answering].sort((a, b) => b.weight - a.weight)[0]) : live.variants.find((v) => v.version === version);
    if (!variant) throw new NotFoundError(`Deployment '${name}' does not serve version ${version}.`);
    const model = this.deps.state.pool.peek(variant.servedName);
    const versions = [...new Set(answering.map((v) => String(v.version)))];
    return { name, versions, platform: model.platform, inputs: model.inputs, outputs: model.outputs };
  }

  /** Whether every version taking traffic is loaded. @throws NotFoundError for an unknown deployment. */
  async isReady(name: string): Promise<boolean> {
    await this.get(name);
    const live = this.deps.state.live.get(name)!;
    return live.variants.every((v) => this.deps.state.pool.isLoaded(v.servedName));
  }

  /** Answers one request through the deployment's routing. See `DeploymentTraffic.infer`. */
  async infer(name: string, call: DeploymentCall): Promise<DeploymentAnswer> {
    await this.start();
    return this.deps.traffic.infer(name, call);
  }

  close(): void {
    this.deps.controller.close();
  }

  /** A deployment's name is also its OIP model name, so it must not hide a model served directly. */
  private checkNameFree(name: string): void {
    if (this.deps.serving.index().some((e) => e.name === name)) {
      throw new AlreadyExistsError(`A model is already served as '${name}'; a deployment answers at /v2/models/${name} too, so pick another name or unload that model.`);
    }
  }

  /** Every version the spec names must exist in the registry, or the field naming it is the error. */
  private async checkModels(spec: DeploymentSpec): Promise<void> {
    const fields: Array<[string, string]> = [];
    if (spec.model) fields.push(['spec.model', spec.model]);
    spec.variants?.forEach((v, i) => fields.push([`spec.variants[${i}].model`, v.model]));
    if (spec.shadow) fields.push(['spec.shadow.model', spec.shadow.model]);
    const registry = this.deps.registry;
    if (!registry) throw new InvalidArgumentError('Deployments serve registered model versions, but this server has no model registry.');
    for (const [field, uri] of fields) {
      const ref = parseModelRef(uri, field);
      try {
        await registry.versions.get(ref.model, ref.version);
      } catch (err) {
        if (err instanceof NotFoundError) {
          throw new InvalidArgumentError(`${field}: ${modelUri(ref)} is not in the registry (${err.message})`, { details: { field } });
        }
        throw err;
      }
    }
  }
}
