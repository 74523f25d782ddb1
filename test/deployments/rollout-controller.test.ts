import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeploymentEvent } from '../../src/deployments/deployment-types.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';
import {
  applyOk,
  deploymentDoc,
  eventually,
  inferOnce,
  linearPackage,
  ManualClock,
  openDeploymentHarness,
  registerVersions,
  traffic,
  type DeploymentHarness,
  type InferAnswer,
} from './deployment-fixtures.js';

const sqlite = testDatabaseKinds().find((k) => k.name === 'sqlite')!;

describe('RolloutController (real traffic)', () => {
  let h: DeploymentHarness;
  let model: string;
  const seen: DeploymentEvent[] = [];
  const uri = (v: number) => `models:/${model}/${v}`;
  /** True once `kind` was recorded for `name`. */
  const happened = (name: string, kind: string) => () => seen.some((e) => e.deployment === name && e.kind === kind);
  const eventsOf = async (name: string): Promise<DeploymentEvent[]> => (await h.call('GET', `/api/ferry/v1/deployments/${name}/events`)).body.events;
  const failed = (answers: InferAnswer[]) => answers.filter((a) => a.status !== 200);

  before(async () => {
    h = await openDeploymentHarness(sqlite);
    h.deployments.addObserver({ onTransition: (e) => void seen.push(e) });
    model = await registerVersions(h, 'rollout', [
      linearPackage(), // 1: good
      linearPackage({ bias: [10, 20] }), // 2: good, different answers
      linearPackage({ inputName: 'z' }), // 3: broken — every request with input 'x' fails
      linearPackage({ delayMs: 100 }), // 4: slow
    ]);
  });
  after(async () => {
    await h.close();
  });

  /** A direct deployment of version 1, then a canary of `version` with `canary` settings. */
  async function startCanary(name: string, version: number, canary: Record<string, unknown>): Promise<void> {
    await applyOk(h, deploymentDoc(name, { strategy: 'canary', model: uri(1) }));
    const r = await applyOk(h, deploymentDoc(name, { strategy: 'canary', model: uri(version), canary }));
    assert.equal(r.deployment.status.phase, 'progressing');
  }

  it('rolls a broken canary back at its first analysis; only the canary share of that step failed', async () => {
    await startCanary('broken', 3, { steps: [20, 50, 100], interval: '300ms', minRequests: 10, consecutiveErrorLimit: 0 });
    const during = await traffic(h, 'broken', { until: happened('broken', 'rolled_back'), max: 20_000, concurrency: 4 });
    const afterwards = await traffic(h, 'broken', { max: 100 });

    const errors = failed(during);
    assert.ok(errors.length > 0, 'the canary took traffic');
    assert.ok(errors.every((a) => a.variant === 'canary' && a.version === '3' && a.status === 400), 'only the canary failed');
    // The canary's 20 % share of what was sent during its step, within three standard deviations of chance.
    const n = during.length;
    assert.ok(errors.length <= 0.2 * n + 3 * Math.sqrt(n * 0.2 * 0.8) + 1, `failed ${errors.length} of ${n}: more than the canary's 20 % share`);
    assert.equal(failed(afterwards).length, 0);
    assert.ok(afterwards.every((a) => a.variant === 'stable' && a.version === '1'));

    const events = await eventsOf('broken');
    const rolledBack = events.find((e) => e.kind === 'rolled_back')!;
    assert.equal(rolledBack.actor, 'ferry-rollout-controller');
    assert.match(rolledBack.message, /rolled back models:\/.*\/3 at 20 %: analysis failed 1 time\(s\): error rate 100 %/);
    const analysis = rolledBack.data.analysis as { verdict: string; canary: { requests: number; errors: number }; checks: Array<{ metric: string; value: number }> };
    assert.equal(analysis.verdict, 'fail');
    assert.equal(analysis.canary.errors, analysis.canary.requests);
    assert.equal(analysis.checks.find((c) => c.metric === 'error_rate')!.value, 1);
    assert.ok(!events.some((e) => e.kind === 'step_advanced'), 'it never got past its first step');
    const status = (await h.call('GET', '/api/ferry/v1/deployments/broken/rollout')).body;
    assert.equal(status.deployment.status.phase, 'rolled_back');
    assert.equal(status.deployment.status.rollout.state, 'rolled_back');
    assert.equal(status.deployment.status.rollout.lastAnalysis.verdict, 'fail');
    assert.deepEqual(status.variants.map((v: { name: string; version: number; weight: number }) => [v.name, v.version, v.weight]), [['stable', 1, 100]]);
  });

  it('rolls back at once on consecutive canary errors, without waiting for the window', async () => {
    await startCanary('streak', 3, { steps: [25, 100], interval: '1h', consecutiveErrorLimit: 5 });
    const started = Date.now();
    const during = await traffic(h, 'streak', { until: happened('streak', 'rolled_back'), max: 20_000, concurrency: 4 });
    assert.ok(Date.now() - started < 5000);
    const errors = failed(during);
    // The limit, plus at most the requests already in flight when it was reached.
    assert.ok(errors.length >= 5 && errors.length <= 5 + 4, `${errors.length} failed`);
    const rolledBack = (await eventsOf('streak')).find((e) => e.kind === 'rolled_back')!;
    assert.match(rolledBack.message, /5 consecutive canary requests failed \(limit 5\)/);
    assert.equal((await inferOnce(h, 'streak')).variant, 'stable');
  });

  it('rolls back a canary whose p99 latency is far above the stable version', async () => {
    await startCanary('slow', 4, { steps: [25, 100], interval: '400ms', minRequests: 5, consecutiveErrorLimit: 0 });
    const during = await traffic(h, 'slow', { until: happened('slow', 'rolled_back'), max: 20_000, concurrency: 8 });
    assert.equal(failed(during).length, 0, 'slow is not failed');
    const rolledBack = (await eventsOf('slow')).find((e) => e.kind === 'rolled_back')!;
    const latency = (rolledBack.data.analysis as { checks: Array<{ metric: string; passed: boolean; value: number; stableValue: number }> }).checks.find((c) => c.metric === 'latency_p99')!;
    assert.equal(latency.passed, false);
    assert.ok(latency.value >= 90 && latency.value > 1.5 * latency.stableValue, JSON.stringify(latency));
  });

  it('promotes a good canary through every step, with no failed request', async () => {
    // A generous latency floor: on a loaded CI machine one slow window must not turn this promotion into a rollback (latency rollback has a test of its own).
    const checks = [{ metric: 'error_rate', max: 0 }, { metric: 'latency_p99', maxRatio: 3, floorMs: 2000 }];
    await startCanary('good', 2, { steps: [10, 30, 60, 100], interval: '200ms', minRequests: 5, checks });
    const during = await traffic(h, 'good', { until: happened('good', 'promoted'), max: 50_000, concurrency: 4 });
    assert.equal(failed(during).length, 0);
    assert.ok(during.some((a) => a.version === '2') && during.some((a) => a.version === '1'));
    // A window the test's traffic left short would pause the roll-out (and then resume); it must never fail it.
    const kinds = (await eventsOf('good')).map((e) => e.kind).filter((k) => k !== 'paused');
    assert.deepEqual(kinds.slice(kinds.indexOf('rollout_started')), ['rollout_started', 'step_advanced', 'step_advanced', 'promoted']);
    const steps = (await eventsOf('good')).filter((e) => e.kind === 'step_advanced').map((e) => [e.data.from, e.data.to]);
    assert.deepEqual(steps, [[10, 30], [30, 60]]);
    const promoted = (await eventsOf('good')).find((e) => e.kind === 'promoted')!;
    assert.ok((promoted.data.analysis as { canary: { requests: number } }).canary.requests >= 5);

    const afterwards = await traffic(h, 'good', { max: 50 });
    assert.ok(afterwards.every((a) => a.status === 200 && a.variant === 'stable' && a.version === '2'));
    const d = (await h.call('GET', '/api/ferry/v1/deployments/good')).body.deployment;
    assert.equal(d.status.phase, 'ready');
    assert.equal(d.status.rollout.state, 'promoted');
    assert.equal(d.status.previous.version, 1);
    assert.ok(d.status.previous.retainedUntil > Date.now() + 9 * 60_000, 'the previous version stays loaded for the retention time');
    assert.ok(h.serving.isModelReady(`good--${model}-v1`), 'still loaded for an instant rollback');
  });

  it('pauses, never passes, a window with too few requests, and goes on once traffic suffices', async () => {
    const checks = [{ metric: 'error_rate', max: 0 }];
    await startCanary('quiet', 2, { steps: [50, 100], interval: '150ms', minRequests: 30, checks });
    await traffic(h, 'quiet', { max: 10 });
    await new Promise((r) => setTimeout(r, 550));
    const status = (await h.call('GET', '/api/ferry/v1/deployments/quiet/rollout')).body;
    assert.equal(status.deployment.status.phase, 'paused');
    assert.equal(status.deployment.status.rollout.step, 0);
    assert.equal(status.deployment.status.rollout.lastAnalysis.verdict, 'inconclusive');
    assert.match(status.deployment.status.message, /paused at step 1 of 2 \(50 %\): too few canary requests to judge: \d of the 30 needed/);
    const kinds = (await eventsOf('quiet')).map((e) => e.kind);
    assert.equal(kinds.filter((k) => k === 'paused').length, 1, 'one event for entering the pause, not one per window');
    assert.ok(!kinds.includes('promoted') && !kinds.includes('step_advanced'));
    // The window kept counting while paused: enough traffic now lets it pass.
    await traffic(h, 'quiet', { until: happened('quiet', 'promoted'), max: 50_000 });
    assert.equal((await inferOnce(h, 'quiet')).version, '2');
  });

  it('rolls back manually to the previous version within a second, under load and without failures', async () => {
    await applyOk(h, deploymentDoc('manual', { model: uri(1) }));
    await applyOk(h, deploymentDoc('manual', { model: uri(2) }));
    let stop = false;
    const load = traffic(h, 'manual', { until: () => stop, max: 1_000_000, concurrency: 4 });
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    const r = await h.call('POST', '/api/ferry/v1/deployments/manual/rollout/rollback', { user_id: 'alice' });
    const took = Date.now() - started;
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(took < 1000, `rollback took ${took} ms`);
    const next = await inferOnce(h, 'manual');
    assert.equal(next.version, '1', 'the next request is answered by the previous version');
    stop = true;
    assert.equal(failed(await load).length, 0);
    assert.equal(r.body.deployment.status.phase, 'rolled_back');
    assert.match(r.body.deployment.status.message, /rolled back to models:\/.*\/1 from models:\/.*\/2 by alice; the spec still names/);
    assert.equal(r.body.events[0].kind, 'rolled_back');
    assert.equal(r.body.events[0].actor, 'alice');
    // Rolling back again goes forward: the version replaced became the previous one.
    await h.call('POST', '/api/ferry/v1/deployments/manual/rollout/rollback', {});
    assert.equal((await inferOnce(h, 'manual')).version, '2');
  });

  it('promotes or aborts a roll-out by hand, and refuses both without one', async () => {
    await startCanary('by-hand', 2, { steps: [10, 50, 100], interval: '1h' });
    const promoted = await h.call('POST', '/api/ferry/v1/deployments/by-hand/rollout/promote', {});
    assert.equal(promoted.status, 200);
    assert.equal(promoted.body.deployment.status.rollout.state, 'promoted');
    assert.match(promoted.body.events[0].message, /promoted by anonymous/);
    assert.equal((await inferOnce(h, 'by-hand')).version, '2');
    const none = await h.call('POST', '/api/ferry/v1/deployments/by-hand/rollout/abort', {});
    assert.equal(none.status, 409);
    assert.match(none.body.error.message, /has no roll-out in progress/);

    await applyOk(h, deploymentDoc('by-hand', { strategy: 'canary', model: uri(4), canary: { steps: [10, 50, 100], interval: '1h' } }));
    const aborted = await h.call('POST', '/api/ferry/v1/deployments/by-hand/rollout/abort', {});
    assert.equal(aborted.body.deployment.status.phase, 'aborted');
    assert.deepEqual(aborted.body.variants.map((v: { version: number }) => v.version), [2]);
    const missing = await h.call('POST', '/api/ferry/v1/deployments/nope/rollout/promote', {});
    assert.equal(missing.status, 404);
  });
});

describe('RolloutController (injected clock)', () => {
  let h: DeploymentHarness;
  let model: string;
  const clock = new ManualClock();
  const uri = (v: number) => `models:/${model}/${v}`;
  const status = async (name: string) => (await h.call('GET', `/api/ferry/v1/deployments/${name}`)).body.deployment.status;

  before(async () => {
    h = await openDeploymentHarness(sqlite, { clock });
    model = await registerVersions(h, 'clocked', [linearPackage(), linearPackage({ bias: [10, 20] })]);
  });
  after(async () => {
    await h.close();
  });

  it('moves one step per interval of its clock, and only then', async () => {
    const checks = [{ metric: 'error_rate', max: 0 }];
    await applyOk(h, deploymentDoc('stepper', { strategy: 'canary', model: uri(1) }));
    await applyOk(h, deploymentDoc('stepper', { strategy: 'canary', model: uri(2), canary: { steps: [20, 60, 100], interval: '5m', minRequests: 10, checks } }));
    await traffic(h, 'stepper', { max: 200 });
    clock.advance(4 * 60_000);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal((await status('stepper')).rollout.step, 0, 'not before the interval ends');
    clock.advance(60_000);
    await eventually(async () => ((await status('stepper')).rollout.step === 1 ? true : undefined));
    assert.equal((await status('stepper')).rollout.weight, 60);
    await traffic(h, 'stepper', { max: 200 });
    clock.advance(5 * 60_000);
    const promoted = await eventually(async () => {
      const s = await status('stepper');
      return s.rollout.state === 'promoted' ? s : undefined;
    });
    assert.equal(promoted.previous.retainedUntil, clock.now() + 10 * 60_000);
  });

  it('unloads the previous version when its retention ends; a rollback then loads it again', async () => {
    await applyOk(h, deploymentDoc('retained', { model: uri(1), previousRetention: '2m' }));
    await applyOk(h, deploymentDoc('retained', { model: uri(2), previousRetention: '2m' }));
    const served = `retained--${model}-v1`;
    assert.ok(h.serving.index(true).some((e) => e.name === served));
    clock.advance(2 * 60_000);
    await eventually(async () => ((await status('retained')).previous.retainedUntil === null ? true : undefined));
    await eventually(() => (h.serving.index(true).some((e) => e.name === served) ? undefined : true));
    const events = (await h.call('GET', '/api/ferry/v1/deployments/retained/events')).body.events;
    assert.equal(events.at(-1).kind, 'previous_released');
    const back = await h.call('POST', '/api/ferry/v1/deployments/retained/rollout/rollback', {});
    assert.equal(back.status, 200);
    assert.equal((await inferOnce(h, 'retained')).version, '1');
  });
});
