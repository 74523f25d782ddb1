import { ConflictError, NotFoundError } from '../errors.js';
import { analyzeCanary } from './canary-analysis.js';
import { parseDuration } from './deployment-spec.js';
import type { AnalysisResult, DeploymentEvent, DeploymentStatus, ModelRef, RolloutStatus } from './deployment-types.js';
import type { DeploymentState, LiveDeployment } from './deployment-state.js';
import { currentStable, isActive, refOf, rolloutVariants, sameRef, showRef, type PlannedEvent } from './status-plan.js';

/** The actor recorded for transitions the controller makes on its own. */
export const CONTROLLER_ACTOR = 'ferry-rollout-controller';

const describeStep = (r: Pick<RolloutStatus, 'step' | 'steps' | 'weight' | 'canary'>) =>
  `rolling out ${showRef(r.canary)}: step ${r.step + 1} of ${r.steps.length}, ${r.weight} % of traffic`;

/**
 * Moves canary roll-outs along on a timer (Flagger's and Argo Rollouts'
 * semantics): at the end of each step's interval it analyses the canary
 * against the stable version over the step's window. A pass moves to the
 * next step, or promotes after the last; a failure counts, and at the
 * failure limit rolls back; too little traffic pauses the roll-out — the
 * window keeps growing and is judged again each interval, it never passes
 * for lack of data. Consecutive canary errors past their limit roll back
 * at once. It also unloads a previous version when its retention ends.
 */
export class RolloutController {
  private readonly timers = new Map<string, unknown>();
  private readonly rollingBack = new Set<string>();
  private closed = false;

  constructor(private readonly state: DeploymentState) {}

  /** (Re)arms the deployment's timer for its next due analysis or retention end. */
  schedule(name: string): void {
    const clock = this.state.clock;
    const timer = this.timers.get(name);
    if (timer !== undefined) clock.clearTimeout(timer);
    this.timers.delete(name);
    const status = this.state.live.get(name)?.record.status;
    if (!status || this.closed) return;
    const due = [isActive(status.rollout) ? status.rollout.nextAnalysisAt : undefined, status.previous?.retainedUntil ?? undefined].filter(
      (t): t is number => typeof t === 'number',
    );
    if (due.length === 0) return;
    const delay = Math.max(0, Math.min(...due) - clock.now());
    this.timers.set(
      name,
      clock.setTimeout(() => void this.tick(name), delay),
    );
  }

  /** Does what is due for `name` now. Called by the timer; tests with a clock of their own may call it directly. */
  async tick(name: string): Promise<void> {
    this.timers.delete(name);
    try {
      await this.state.withLock(name, async () => {
        const now = this.state.clock.now();
        let live = this.state.live.get(name);
        const r = live?.record.status.rollout;
        if (live && isActive(r) && r.nextAnalysisAt !== undefined && r.nextAnalysisAt <= now) await this.analyze(live, r);
        live = this.state.live.get(name);
        const p = live?.record.status.previous;
        if (live && p && p.retainedUntil !== null && p.retainedUntil <= now) {
          await this.update(live, { previous: { ...refOf(p), retainedUntil: null } }, [
            { kind: 'previous_released', message: `${showRef(p)} unloaded: its retention for rollback ended`, data: { previous: refOf(p) } },
          ]);
        }
      });
    } catch (err) {
      this.state.logger.warn(`roll-out step of deployment '${name}' failed (retrying in a second): ${(err as Error).message}`);
      // The due time has passed, so rescheduling from the status would retry at once, in a loop while the database is down.
      if (!this.closed) this.timers.set(name, this.state.clock.setTimeout(() => void this.tick(name), 1000));
      return;
    }
    this.schedule(name);
  }

  /** Full promotion now, skipping the remaining steps. @throws ConflictError when no roll-out is in progress. */
  promote(name: string, actor: string): Promise<DeploymentEvent[]> {
    return this.manual(name, (live, r) => this.promoteNow(live, r, actor));
  }

  /** Stops the roll-out and sends all traffic back to the stable version. @throws ConflictError when none is in progress. */
  abort(name: string, actor: string): Promise<DeploymentEvent[]> {
    return this.manual(name, (live, r) => this.finish(live, r, 'aborted', `aborted by ${actor}`, actor));
  }

  /**
   * Back to the previous version: during a roll-out, the canary is rolled
   * back; otherwise the previous version (still loaded during its retention,
   * so it takes effect at once) serves again and the current one becomes the previous.
   * @throws ConflictError when there is nothing to go back to.
   */
  rollback(name: string, actor: string): Promise<DeploymentEvent[]> {
    return this.state.withLock(name, async () => {
      const live = this.live(name);
      const r = live.record.status.rollout;
      const events = isActive(r) ? await this.finish(live, r, 'rolled_back', `rolled back by ${actor}`, actor) : await this.rollbackToPrevious(live, actor);
      this.schedule(name);
      return events;
    });
  }

  /** Called on the request path when the canary's consecutive failures reach the limit: rolls back at once. */
  canaryFailing(name: string, canary: ModelRef, consecutive: number, limit: number): void {
    if (this.rollingBack.has(name)) return;
    this.rollingBack.add(name);
    void this.state
      .withLock(name, async () => {
        const live = this.state.live.get(name);
        const r = live?.record.status.rollout;
        // A late failure of an earlier canary must not end a newer roll-out.
        if (!live || !isActive(r) || !sameRef(r.canary, canary)) return;
        await this.finish(live, r, 'rolled_back', `${consecutive} consecutive canary requests failed (limit ${limit})`, CONTROLLER_ACTOR);
      })
      .catch((err: Error) => this.state.logger.warn(`rollback of deployment '${name}' failed: ${err.message}`))
      .finally(() => {
        this.rollingBack.delete(name);
        this.schedule(name);
      });
  }

  close(): void {
    this.closed = true;
    for (const t of this.timers.values()) this.state.clock.clearTimeout(t);
    this.timers.clear();
  }

  private live(name: string): LiveDeployment {
    const live = this.state.live.get(name);
    if (!live) throw new NotFoundError(`Deployment '${name}' does not exist.`);
    return live;
  }

  private manual(name: string, fn: (live: LiveDeployment, r: RolloutStatus) => Promise<DeploymentEvent[]>): Promise<DeploymentEvent[]> {
    return this.state.withLock(name, async () => {
      const live = this.live(name);
      const r = live.record.status.rollout;
      if (!isActive(r)) {
        throw new ConflictError(`Deployment '${name}' has no roll-out in progress (it is ${live.record.status.phase}: ${live.record.status.message}).`);
      }
      const events = await fn(live, r);
      this.schedule(name);
      return events;
    });
  }

  private async analyze(live: LiveDeployment, r: RolloutStatus): Promise<void> {
    const spec = live.record.spec.canary!;
    const stable = live.variants.find((v) => v.role === 'stable')!;
    const canary = live.variants.find((v) => v.role === 'canary')!;
    const now = this.state.clock.now();
    const result = analyzeCanary(spec, live.stats.of(canary).since(live.window?.canary), live.stats.of(stable).since(live.window?.stable));
    const lastAnalysis = { ...result, at: now };
    const intervalMs = parseDuration(spec.interval);
    if (result.verdict === 'pass') {
      const next = r.step + 1;
      if (next >= r.steps.length || r.steps[next]! >= 100) {
        await this.promoteNow(live, { ...r, lastAnalysis }, CONTROLLER_ACTOR, result);
        return;
      }
      const rollout: RolloutStatus = { ...r, state: 'progressing', step: next, weight: r.steps[next]!, stepStartedAt: now, nextAnalysisAt: now + intervalMs, lastAnalysis, reason: undefined };
      await this.update(live, { phase: 'progressing', message: describeStep(rollout), variants: rolloutVariants(r, rollout.weight), rollout }, [
        { kind: 'step_advanced', message: `${describeStep(rollout)} (${result.reason})`, data: { from: r.weight, to: rollout.weight, analysis: result } },
      ]);
    } else if (result.verdict === 'fail') {
      const failures = r.failures + 1;
      if (failures >= r.failureLimit) {
        await this.finish(live, { ...r, failures, lastAnalysis }, 'rolled_back', `analysis failed ${failures} time(s): ${result.reason}`, CONTROLLER_ACTOR, result);
        return;
      }
      const rollout: RolloutStatus = { ...r, state: 'progressing', failures, stepStartedAt: now, nextAnalysisAt: now + intervalMs, lastAnalysis, reason: result.reason };
      await this.update(live, { phase: 'progressing', message: `${describeStep(rollout)}; failed analysis ${failures} of ${r.failureLimit}`, rollout }, [
        { kind: 'analysis_failed', message: `analysis failed (${failures} of ${r.failureLimit}): ${result.reason}`, data: { failures, analysis: result } },
      ]);
    } else {
      // The window keeps its start: traffic keeps adding up until there is enough to judge.
      const rollout: RolloutStatus = { ...r, state: 'paused', nextAnalysisAt: now + intervalMs, lastAnalysis, reason: result.reason };
      const events: PlannedEvent[] =
        r.state === 'paused' ? [] : [{ kind: 'paused', message: `roll-out paused at ${r.weight} %: ${result.reason}`, data: { step: r.step, weight: r.weight, analysis: result } }];
      await this.update(live, { phase: 'paused', message: `paused at step ${r.step + 1} of ${r.steps.length} (${r.weight} %): ${result.reason}`, rollout }, events);
    }
  }

  private async promoteNow(live: LiveDeployment, r: RolloutStatus, actor: string, analysis?: AnalysisResult): Promise<DeploymentEvent[]> {
    const now = this.state.clock.now();
    const retainedUntil = now + parseDuration(live.record.spec.previousRetention);
    const rollout: RolloutStatus = { ...r, state: 'promoted', step: r.steps.length - 1, weight: 100, finishedAt: now, nextAnalysisAt: undefined, reason: undefined };
    const message = `promoted ${showRef(r.canary)}; ${showRef(r.stable)} stays loaded for rollback until ${new Date(retainedUntil).toISOString()}`;
    return this.update(
      live,
      { phase: 'ready', message, variants: [{ name: 'stable', role: 'stable', ...refOf(r.canary), weight: 100 }], previous: { ...refOf(r.stable), retainedUntil }, rollout },
      [{ kind: 'promoted', message: actor === CONTROLLER_ACTOR ? message : `${message} (promoted by ${actor})`, data: { stable: r.stable, canary: r.canary, ...(analysis ? { analysis } : {}) } }],
      actor,
    );
  }

  private async finish(live: LiveDeployment, r: RolloutStatus, state: 'rolled_back' | 'aborted', reason: string, actor: string, analysis?: AnalysisResult) {
    const now = this.state.clock.now();
    const rollout: RolloutStatus = { ...r, state, weight: 0, finishedAt: now, nextAnalysisAt: undefined, reason };
    const message = `${state === 'aborted' ? 'aborted' : 'rolled back'} ${showRef(r.canary)} at ${r.weight} %: ${reason}; serving ${showRef(r.stable)}`;
    const window = live.window;
    const canary = live.variants.find((v) => v.role === 'canary');
    const stable = live.variants.find((v) => v.role === 'stable');
    const counters = canary && stable ? { canary: live.stats.of(canary).since(window?.canary), stable: live.stats.of(stable).since(window?.stable) } : undefined;
    const numbers = analysis ?? (counters ? { canaryRequests: counters.canary.requests, canaryErrors: counters.canary.errors, stableRequests: counters.stable.requests, stableErrors: counters.stable.errors } : {});
    return this.update(live, { phase: state, message, variants: [{ name: 'stable', role: 'stable', ...refOf(r.stable), weight: 100 }], rollout }, [
      { kind: state, message, data: { stable: r.stable, canary: r.canary, step: r.step, weight: r.weight, reason, ...(analysis ? { analysis } : { window: numbers }) } },
    ], actor);
  }

  private async rollbackToPrevious(live: LiveDeployment, actor: string): Promise<DeploymentEvent[]> {
    const { record } = live;
    const previous = record.status.previous;
    const current = currentStable(record.status);
    if (record.spec.strategy === 'ab') throw new ConflictError(`Deployment '${record.name}' splits traffic A/B; change the arms with apply instead of rolling back.`);
    if (!previous || !current) throw new ConflictError(`Deployment '${record.name}' has no previous version to roll back to.`);
    // Instant while the previous version is retained; after its retention it is loaded (and warmed) again first.
    await this.state.prepare(record.name, [refOf(previous)], record.spec.warmup);
    const now = this.state.clock.now();
    const variants = record.status.variants.map((v) => (v.role === 'stable' ? { ...v, ...refOf(previous) } : v));
    const message = `rolled back to ${showRef(previous)} from ${showRef(current)} by ${actor}; the spec still names ${record.spec.model}: apply a spec to change it`;
    return this.update(
      live,
      { phase: 'rolled_back', message, variants, previous: { ...current, retainedUntil: now + parseDuration(record.spec.previousRetention) } },
      [{ kind: 'rolled_back', message, data: { from: current, to: refOf(previous), manual: true } }],
      actor,
    );
  }

  private update(live: LiveDeployment, patch: Partial<DeploymentStatus>, events: PlannedEvent[], actor = CONTROLLER_ACTOR): Promise<DeploymentEvent[]> {
    const status: DeploymentStatus = { ...live.record.status, ...patch, updatedAt: this.state.clock.now() };
    return this.state.commit({ ...live.record, status }, events, actor);
  }
}
