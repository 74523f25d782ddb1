import { modelUri, parseDuration, parseModelRef } from './deployment-spec.js';
import type { DeploymentSpec, DeploymentStatus, LiveVariant, ModelRef, RolloutStatus, TransitionKind } from './deployment-types.js';

/** A transition a plan makes, before it is stored as an event. */
export interface PlannedEvent {
  kind: TransitionKind;
  message: string;
  data: Record<string, unknown>;
}

export const sameRef = (a: ModelRef | undefined, b: ModelRef | undefined): boolean => !!a && !!b && a.model === b.model && a.version === b.version;
export const refOf = (v: ModelRef): ModelRef => ({ model: v.model, version: v.version });
export const showRef = (r: ModelRef): string => modelUri(r);
export const isActive = (r: RolloutStatus | undefined): r is RolloutStatus => r?.state === 'progressing' || r?.state === 'paused';

/** The version answering by default now: the stable variant, else the A/B arm with the most traffic. */
export function currentStable(status: DeploymentStatus | undefined): ModelRef | undefined {
  const variants = status?.variants ?? [];
  const stable = variants.find((v) => v.role === 'stable') ?? [...variants].filter((v) => v.role === 'arm').sort((a, b) => b.weight - a.weight)[0];
  return stable && refOf(stable);
}

const stableVariant = (ref: ModelRef, weight = 100): LiveVariant => ({ name: 'stable', role: 'stable', ...refOf(ref), weight });
const canaryVariant = (ref: ModelRef, weight: number): LiveVariant => ({ name: 'canary', role: 'canary', ...refOf(ref), weight });

/** The variants of a canary roll-out at `weight` percent. */
export function rolloutVariants(r: Pick<RolloutStatus, 'stable' | 'canary'>, weight: number): LiveVariant[] {
  return [stableVariant(r.stable, 100 - weight), canaryVariant(r.canary, weight)];
}

/** The previous version after `replaced` stops serving in favour of `next`, kept loaded for the retention time. */
function previousAfter(status: DeploymentStatus | undefined, replaced: ModelRef | undefined, next: ModelRef, spec: DeploymentSpec, now: number) {
  if (replaced && !sameRef(replaced, next)) return { ...refOf(replaced), retainedUntil: now + parseDuration(spec.previousRetention) };
  return status?.previous;
}

/**
 * The status a deployment moves to when `spec` is applied over `status`
 * (undefined for a new deployment), with the transitions that makes. Pure:
 * loading the versions it names is the caller's job, before it commits.
 *
 * - direct, shadow: the spec's version serves at once; the one it replaces is kept as the previous version.
 * - canary: the spec's version is rolled out step by step from the stable version; a first version, with nothing
 *   to compare against, serves at once. A roll-out toward the same canary keeps its progress.
 * - ab: the arms serve with their weights.
 */
export function planStatus(status: DeploymentStatus | undefined, spec: DeploymentSpec, generation: number, now: number): { status: DeploymentStatus; events: PlannedEvent[] } {
  const events: PlannedEvent[] = [];
  const stable = currentStable(status);
  const active = isActive(status?.rollout) ? status!.rollout : undefined;
  const base = { observedGeneration: generation, updatedAt: now };
  // A finished roll-out stays in the status for `ferry rollout status` until another replaces it.
  const supersede = (why: string) => {
    if (!active) return status?.rollout;
    events.push({ kind: 'aborted', message: `roll-out of ${showRef(active.canary)} stopped: ${why}`, data: { canary: active.canary, step: active.step, weight: active.weight } });
    return { ...active, state: 'aborted' as const, finishedAt: now, reason: why, nextAnalysisAt: undefined };
  };
  const switched = (to: ModelRef) => {
    if (!sameRef(stable, to)) {
      events.push({
        kind: 'switched',
        message: stable ? `${showRef(stable)} → ${showRef(to)}` : `serving ${showRef(to)}`,
        data: { from: stable ?? null, to },
      });
    }
  };

  if (spec.strategy === 'ab') {
    const rollout = supersede('the deployment now splits traffic A/B');
    const variants = spec.variants!.map((a): LiveVariant => ({ name: a.name, role: 'arm', ...parseModelRef(a.model), weight: a.weight }));
    const message = `A/B split: ${variants.map((v) => `${v.name} ${showRef(v)} ${v.weight} %`).join(', ')}`;
    if (JSON.stringify(status?.variants) !== JSON.stringify(variants)) events.push({ kind: 'switched', message, data: { variants } });
    return { status: { ...base, phase: 'ready', message, variants, ...(status?.previous ? { previous: status.previous } : {}), ...(rollout ? { rollout } : {}) }, events };
  }

  const target = parseModelRef(spec.model);
  if (spec.strategy === 'direct' || spec.strategy === 'shadow' || !stable) {
    const rollout = supersede(`the spec now serves ${showRef(target)} ${spec.strategy === 'canary' ? 'directly' : `with strategy ${spec.strategy}`}`);
    switched(target);
    const variants = [stableVariant(target)];
    if (spec.strategy === 'shadow') variants.push({ name: 'shadow', role: 'shadow', ...parseModelRef(spec.shadow!.model), weight: 0 });
    const previous = previousAfter(status, stable, target, spec, now);
    const message =
      spec.strategy === 'shadow'
        ? `serving ${showRef(target)}, shadowed by ${spec.shadow!.model}`
        : `serving ${showRef(target)}${spec.strategy === 'canary' ? ' (first version: nothing to compare a canary with)' : ''}`;
    return { status: { ...base, phase: 'ready', message, variants, ...(previous ? { previous } : {}), ...(rollout ? { rollout } : {}) }, events };
  }

  // Canary with a stable version serving.
  const canary = spec.canary!;
  if (sameRef(stable, target)) {
    const rollout = supersede(`the spec points back at the stable version ${showRef(target)}`);
    return {
      status: { ...base, phase: 'ready', message: `serving ${showRef(target)}`, variants: [stableVariant(target)], ...(status?.previous ? { previous: status.previous } : {}), ...(rollout ? { rollout } : {}) },
      events,
    };
  }
  const intervalMs = parseDuration(canary.interval);
  if (active && sameRef(active.canary, target)) {
    // The same roll-out with new settings: keep its step (within the new steps) and its window.
    const step = Math.min(active.step, canary.steps.length - 1);
    const rollout: RolloutStatus = { ...active, steps: canary.steps, step, weight: canary.steps[step]!, failureLimit: canary.failureLimit, nextAnalysisAt: active.stepStartedAt + intervalMs };
    return { status: { ...base, phase: rollout.state === 'paused' ? 'paused' : 'progressing', message: status!.message, variants: rolloutVariants(rollout, rollout.weight), ...(status?.previous ? { previous: status.previous } : {}), rollout }, events };
  }
  supersede(`superseded by a roll-out of ${showRef(target)}`);
  const rollout: RolloutStatus = {
    state: 'progressing',
    stable,
    canary: target,
    step: 0,
    steps: canary.steps,
    weight: canary.steps[0]!,
    startedAt: now,
    stepStartedAt: now,
    nextAnalysisAt: now + intervalMs,
    failures: 0,
    failureLimit: canary.failureLimit,
  };
  const message = `rolling out ${showRef(target)}: step 1 of ${canary.steps.length}, ${rollout.weight} % of traffic`;
  events.push({ kind: 'rollout_started', message, data: { stable, canary: target, steps: canary.steps, weight: rollout.weight } });
  return { status: { ...base, phase: 'progressing', message, variants: rolloutVariants(rollout, rollout.weight), ...(status?.previous ? { previous: status.previous } : {}), rollout }, events };
}

/** Every version a status needs loaded now: its variants, and the previous version while it is retained. */
export function neededRefs(status: DeploymentStatus, now: number): ModelRef[] {
  const refs = status.variants.map(refOf);
  const p = status.previous;
  if (p && p.retainedUntil !== null && p.retainedUntil > now && !refs.some((r) => sameRef(r, p))) refs.push(refOf(p));
  return refs;
}
