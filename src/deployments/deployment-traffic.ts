import { NotFoundError, UnavailableError } from '../errors.js';
import type { ServedModel } from '../serving/served-model.js';
import type { InferenceRequest, InferenceResult } from '../serving/serving-types.js';
import type { PredictionEvent } from './deployment-types.js';
import type { DeploymentState, LiveDeployment, RoutedVariant } from './deployment-state.js';
import type { RolloutController } from './rollout-controller.js';
import { routeRequest } from './traffic-router.js';

/** One request to a deployment, protocol-neutral. */
export interface DeploymentCall {
  requestId: string;
  /** Header values by lower-case name, for the sticky key. */
  headers: Record<string, string | string[] | undefined>;
  /** Only a live variant serving this version may answer (a pinned request). */
  version?: number;
  /** Turns the protocol's request into one for `model` (MLflow's formats need its signature). May throw. */
  decode(model: ServedModel): InferenceRequest;
  /** Told which variant takes the request as soon as it is chosen, so a failed answer names it too. */
  onRoute?(variant: RoutedVariant): void;
}

export interface DeploymentAnswer {
  result: InferenceResult;
  variant: RoutedVariant;
}

const elapsedMs = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/** The first element of the first output, as a number: what the drift check compares. */
function firstPrediction(result: InferenceResult): number | undefined {
  const data = result.outputs[0]?.data as ArrayLike<unknown> | undefined;
  const v = data && data.length > 0 ? data[0] : undefined;
  return typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : typeof v === 'boolean' ? Number(v) : undefined;
}

/**
 * The request path: routes each request to a variant, runs it there,
 * counts it for canary analysis and metrics, mirrors it to a shadow, and
 * tells observers. Routing, taking the model and queueing the request happen
 * without yielding, so a switch of versions never catches a request between
 * choosing a version and queueing on it.
 */
export class DeploymentTraffic {
  constructor(
    private readonly state: DeploymentState,
    private readonly controller: RolloutController,
    private readonly random: () => number = Math.random,
  ) {}

  /**
   * Answers one request.
   * @throws NotFoundError for an unknown deployment or a pinned version it does not serve; what decoding and inference throw otherwise.
   */
  async infer(name: string, call: DeploymentCall): Promise<DeploymentAnswer> {
    const live = this.state.live.get(name);
    if (!live) throw new NotFoundError(`Deployment '${name}' does not exist.`);
    const variant = this.choose(live, call);
    call.onRoute?.(variant);
    const pool = this.state.pool;
    let model: ServedModel;
    try {
      model = pool.take(variant.servedName);
    } catch (err) {
      throw new UnavailableError(`Deployment '${name}': ${variant.name} (models:/${variant.model}/${variant.version}) is not loaded: ${(err as Error).message}`, {
        details: { retryAfterSeconds: 1 },
      });
    }
    const start = process.hrtime.bigint();
    let request: InferenceRequest | undefined;
    try {
      request = call.decode(model);
      const answer = model.infer(request);
      if (live.shadow && variant.role === 'stable') this.mirror(live, call, request, answer);
      const result = await answer;
      this.record(live, variant, call.requestId, request, result, undefined, elapsedMs(start));
      return { result, variant };
    } catch (err) {
      this.record(live, variant, call.requestId, request, undefined, err as Error, elapsedMs(start));
      throw err;
    } finally {
      pool.done(variant.servedName);
    }
  }

  private choose(live: LiveDeployment, call: DeploymentCall): RoutedVariant {
    if (call.version !== undefined) {
      const pinned = live.variants.find((v) => v.version === call.version);
      if (!pinned) {
        const serving = live.variants.map((v) => `${v.version} (${v.name})`).join(', ');
        throw new NotFoundError(`Deployment '${live.record.name}' does not serve version ${call.version}; it serves ${serving}.`);
      }
      return pinned;
    }
    const header = live.record.spec.stickyHeader;
    const raw = header ? call.headers[header] : undefined;
    const key = Array.isArray(raw) ? raw[0] : raw;
    return routeRequest(live.variants, { key, salt: live.record.name, random: this.random }) as RoutedVariant;
  }

  /** Sends a copy to the shadow without making the caller wait for it, and compares the two answers once both are in. */
  private mirror(live: LiveDeployment, call: DeploymentCall, request: InferenceRequest, answer: Promise<InferenceResult>): void {
    const shadow = live.variants.find((v) => v.role === 'shadow');
    const comparator = live.shadow!;
    if (!shadow || this.random() >= (live.record.spec.shadow?.sampleRate ?? 1) || !comparator.begin()) return;
    const pool = this.state.pool;
    const start = process.hrtime.bigint();
    let copy: Promise<InferenceResult>;
    let shadowRequest: InferenceRequest | undefined;
    try {
      const model = pool.take(shadow.servedName);
      try {
        shadowRequest = call.decode(model);
        copy = model.infer(shadowRequest);
      } catch (err) {
        copy = Promise.reject(err);
      }
      void copy.finally(() => pool.done(shadow.servedName)).catch(() => undefined);
    } catch (err) {
      copy = Promise.reject(err);
    }
    void Promise.allSettled([answer, copy]).then(([stable, mirrored]) => {
      const ms = elapsedMs(start);
      const ok = mirrored.status === 'fulfilled' ? mirrored.value : undefined;
      comparator.finish(stable.status === 'fulfilled' ? stable.value.outputs : undefined, ok?.outputs);
      this.record(live, shadow, call.requestId, shadowRequest ?? request, ok, mirrored.status === 'rejected' ? (mirrored.reason as Error) : undefined, ms);
    });
  }

  private record(live: LiveDeployment, variant: RoutedVariant, requestId: string, request: InferenceRequest | undefined, result: InferenceResult | undefined, err: Error | undefined, latencyMs: number): void {
    const counters = live.stats.of(variant);
    counters.record(!err, latencyMs, result && firstPrediction(result));
    const limit = live.record.spec.canary?.consecutiveErrorLimit ?? 0;
    if (err && variant.role === 'canary' && limit > 0 && counters.consecutiveErrors >= limit) {
      this.controller.canaryFailing(live.record.name, variant, counters.consecutiveErrors, limit);
    }
    const event: PredictionEvent = {
      deployment: live.record.name,
      variant: variant.name,
      role: variant.role,
      model: variant.model,
      version: variant.version,
      requestId,
      at: Date.now(),
      inputs: request?.inputs ?? [],
      ...(result ? { outputs: result.outputs } : {}),
      latencyMs,
      status: err ? 'error' : 'ok',
      ...(err ? { error: err.message } : {}),
    };
    this.state.notifyPrediction(event);
  }
}
