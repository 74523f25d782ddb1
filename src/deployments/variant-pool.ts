import { InvalidArgumentError } from '../errors.js';
import type { ServedModel } from '../serving/served-model.js';
import type { ServingService } from '../serving/serving-service.js';
import { modelUri } from './deployment-spec.js';
import type { ModelRef } from './deployment-types.js';
import { readServingExample, warmUp, type WarmupSource } from './warmup.js';

/** The name a deployment's version is served under in the serving repository (and its /v2 index). */
export const servedName = (deployment: string, ref: ModelRef): string => `${deployment}--${ref.model}-v${ref.version}`;

interface Slot {
  inFlight: number;
  drained: Array<() => void>;
  /** Set while it waits to be unloaded; `ensure` clears it to keep the model. */
  doomed: boolean;
  unloading?: Promise<void>;
}

/**
 * The served models behind deployments: loads and warms a version before it
 * gets traffic, counts requests in flight on each, and unloads a version
 * only once its in-flight requests (shadow copies included) have finished —
 * unless it was wanted again meanwhile.
 */
export class VariantPool {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly serving: ServingService,
    private readonly source: WarmupSource,
  ) {}

  private slot(name: string): Slot {
    let s = this.slots.get(name);
    if (!s) {
      s = { inFlight: 0, drained: [], doomed: false };
      this.slots.set(name, s);
    }
    return s;
  }

  /** Whether the version is loaded and ready now (from `uri`, when given). */
  isLoaded(name: string, uri?: string): boolean {
    return this.serving.index(true).some((e) => e.name === name && (uri === undefined || e.uri === uri));
  }

  /**
   * Loads `ref` under `name` unless it is loaded already, then warms it.
   * @returns how it was warmed ('loaded' when it already was), and a warning when zeros failed.
   * @throws NotFoundError for a version the registry does not have; InvalidArgumentError for one that does not load or fails its warm-up example.
   */
  async ensure(name: string, ref: ModelRef, warm: boolean): Promise<{ warmup: 'loaded' | 'example' | 'zeros' | 'skipped'; warning?: string }> {
    const s = this.slot(name);
    s.doomed = false;
    await s.unloading;
    // Checked by URI too: a model someone loaded by hand under this name is replaced, not borrowed.
    if (this.isLoaded(name, modelUri(ref))) return { warmup: 'loaded' };
    await this.serving.load(name, { uri: modelUri(ref) });
    if (!warm) return { warmup: 'skipped' };
    try {
      const example = await readServingExample(this.source, ref);
      return { ...(await warmUp(this.serving.model(name), example)), warmup: example === undefined ? 'zeros' : 'example' };
    } catch (err) {
      await this.serving.unload(name).catch(() => undefined);
      throw new InvalidArgumentError(`${modelUri(ref)} failed its warm-up inference on its input example: ${(err as Error).message}`);
    }
  }

  /** The loaded model, counted as in flight until `done`. Synchronous, so a request can take it and queue on it without yielding. */
  take(name: string): ServedModel {
    const model = this.serving.model(name);
    this.slot(name).inFlight++;
    return model;
  }

  /** The loaded model, for metadata (not counted as in flight). @throws what `ServingService.model` throws. */
  peek(name: string): ServedModel {
    return this.serving.model(name);
  }

  done(name: string): void {
    const s = this.slots.get(name);
    if (!s) return;
    s.inFlight--;
    if (s.inFlight === 0) s.drained.splice(0).forEach((f) => f());
  }

  /** Unloads `name` once nothing is in flight on it, unless `ensure` claims it first. Resolves when done (or kept). */
  release(name: string): Promise<void> {
    const s = this.slot(name);
    s.doomed = true;
    const drained = s.inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => s.drained.push(resolve));
    return drained.then(async () => {
      if (!s.doomed || s.unloading) return;
      s.doomed = false;
      s.unloading = this.serving.unload(name).catch(() => undefined);
      await s.unloading;
      s.unloading = undefined;
    });
  }
}
