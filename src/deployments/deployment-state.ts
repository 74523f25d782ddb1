import type { Deployment, DeploymentEvent, DeploymentObserver, LiveVariant, ModelRef, PredictionEvent } from './deployment-types.js';
import type { DeploymentStore } from './deployment-store.js';
import { ShadowComparator } from './shadow-comparator.js';
import { isActive, neededRefs, type PlannedEvent } from './status-plan.js';
import { servedName, type VariantPool } from './variant-pool.js';
import { VariantStats, type CounterSnapshot } from './variant-stats.js';
import { notifyWebhook } from './webhook-notifier.js';

/** Time and timers, injectable so tests can run roll-outs on a clock of their own. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // Roll-out timers must not keep a process alive that is otherwise done.
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface DeploymentLogger {
  warn(message: string, data?: Record<string, unknown>): void;
}

export const silentLogger: DeploymentLogger = { warn: () => undefined };

/** A live variant with the served model behind it. */
export interface RoutedVariant extends LiveVariant {
  servedName: string;
}

/** The analysis window of a roll-out step: both versions' counters when it began. */
export interface RolloutWindow {
  startedAt: number;
  stable: CounterSnapshot;
  canary: CounterSnapshot;
}

/** A deployment as the request path sees it: its stored record and its routing table. Replaced whole on each change. */
export interface LiveDeployment {
  record: Deployment;
  variants: RoutedVariant[];
  stats: VariantStats;
  shadow?: ShadowComparator;
  window?: RolloutWindow;
  /** Served models this deployment holds loaded. */
  loaded: Set<string>;
}

/**
 * The in-memory side of deployments that the service, the roll-out
 * controller and the request path share: live routing tables, a lock per
 * deployment for changes, and `commit`, the one way a change is stored,
 * installed and announced.
 */
export class DeploymentState {
  readonly live = new Map<string, LiveDeployment>();
  private readonly locks = new Map<string, Promise<unknown>>();
  private readonly observers: DeploymentObserver[] = [];

  constructor(
    readonly store: DeploymentStore,
    readonly pool: VariantPool,
    readonly clock: Clock,
    public logger: DeploymentLogger,
  ) {}

  /** Runs `fn` after every earlier change of the same deployment has settled. */
  withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const prior = this.locks.get(name) ?? Promise.resolve();
    const next = prior.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.locks.set(name, settled);
    void settled.then(() => {
      if (this.locks.get(name) === settled) this.locks.delete(name);
    });
    return next;
  }

  addObserver(observer: DeploymentObserver): () => void {
    this.observers.push(observer);
    return () => {
      const i = this.observers.indexOf(observer);
      if (i >= 0) this.observers.splice(i, 1);
    };
  }

  notifyPrediction(event: PredictionEvent): void {
    for (const o of this.observers) {
      try {
        o.onPrediction?.(event);
      } catch (err) {
        this.logger.warn('a deployment observer failed', { err: (err as Error).message });
      }
    }
  }

  /**
   * Loads and warms the versions `name` will need, before any of them gets
   * traffic. On failure, unloads those this call loaded and rethrows.
   * @returns warm-up warnings (zeros that a model refused), by version.
   */
  async prepare(name: string, refs: ModelRef[], warm: boolean): Promise<string[]> {
    const held = this.live.get(name)?.loaded ?? new Set<string>();
    const fresh: string[] = [];
    const warnings: string[] = [];
    try {
      for (const ref of refs) {
        const served = servedName(name, ref);
        if (!held.has(served)) fresh.push(served);
        const r = await this.pool.ensure(served, ref, warm);
        if (r.warning) warnings.push(`models:/${ref.model}/${ref.version}: ${r.warning}`);
      }
    } catch (err) {
      for (const served of fresh) void this.pool.release(served);
      throw err;
    }
    return warnings;
  }

  /**
   * Stores `next` with its transitions, then switches the routing table to
   * it in one step (requests already routed finish on the version that took
   * them), announces the transitions, and unloads versions no longer needed.
   * Call under the deployment's lock, after `prepare` loaded what `next` needs.
   */
  async commit(next: Deployment, events: PlannedEvent[], actor: string): Promise<DeploymentEvent[]> {
    const at = this.clock.now();
    let saved: DeploymentEvent[];
    try {
      saved = await this.store.save(
        next,
        events.map((e) => ({ deployment: next.name, at, actor, ...e })),
      );
    } catch (err) {
      // Nothing switched: unload what was loaded for this change alone.
      const held = this.live.get(next.name)?.loaded ?? new Set<string>();
      for (const ref of neededRefs(next.status, at)) {
        const served = servedName(next.name, ref);
        if (!held.has(served)) void this.pool.release(served);
      }
      throw err;
    }
    const live = this.install(next);
    const needed = new Set(neededRefs(next.status, at).map((r) => servedName(next.name, r)));
    for (const served of live.loaded) if (!needed.has(served)) void this.pool.release(served);
    live.loaded = needed;
    this.announce(next, saved);
    return saved;
  }

  /** Forgets a deployment: stops routing to it and unloads its versions once their requests finish. */
  async remove(name: string, events: PlannedEvent[], actor: string, record: Deployment): Promise<void> {
    const at = this.clock.now();
    const saved = await this.store.delete(name, events.map((e) => ({ deployment: name, at, actor, ...e })));
    const live = this.live.get(name);
    this.live.delete(name);
    for (const served of live?.loaded ?? []) void this.pool.release(served);
    this.announce(record, saved);
  }

  /** Builds and swaps in the routing table of `record`; counters and the shadow comparison carry over where the versions stay. */
  install(record: Deployment): LiveDeployment {
    const prev = this.live.get(record.name);
    const stats = prev?.stats ?? new VariantStats();
    const variants = record.status.variants.map((v) => ({ ...v, servedName: servedName(record.name, v) }));
    stats.retain(variants);
    const shadowVariant = variants.find((v) => v.role === 'shadow');
    const prevShadow = prev?.variants.find((v) => v.role === 'shadow');
    const tolerance = record.spec.shadow?.tolerance ?? 0;
    const keepShadow = prev?.shadow && prevShadow?.servedName === shadowVariant?.servedName && prev.shadow.tolerance === tolerance;
    const shadow = shadowVariant ? (keepShadow ? prev!.shadow : new ShadowComparator(tolerance)) : undefined;
    const live: LiveDeployment = { record, variants, stats, loaded: prev?.loaded ?? new Set(), ...(shadow ? { shadow } : {}) };
    const rollout = record.status.rollout;
    if (isActive(rollout)) {
      const stable = variants.find((v) => v.role === 'stable');
      const canary = variants.find((v) => v.role === 'canary');
      if (stable && canary) {
        live.window =
          prev?.window && prev.window.startedAt === rollout.stepStartedAt
            ? prev.window
            : { startedAt: rollout.stepStartedAt, stable: stats.of(stable).snapshot(), canary: stats.of(canary).snapshot() };
      }
    }
    this.live.set(record.name, live);
    return live;
  }

  private announce(record: Deployment, events: DeploymentEvent[]): void {
    for (const e of events) {
      for (const o of this.observers) {
        try {
          o.onTransition?.(e);
        } catch (err) {
          this.logger.warn('a deployment observer failed', { err: (err as Error).message });
        }
      }
      if (record.spec.webhook) notifyWebhook(record.spec.webhook, e, this.logger);
    }
  }
}
