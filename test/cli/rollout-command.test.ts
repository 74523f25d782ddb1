import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';
import { applyOk, deploymentDoc, eventually, linearPackage, ManualClock, openDeploymentHarness, registerVersions, traffic, type DeploymentHarness } from '../deployments/deployment-fixtures.js';
import { deployCli } from './deployments-cli-fixtures.js';

const sqlite = testDatabaseKinds().find((k) => k.name === 'sqlite')!;

describe('ferry rollout status|promote|abort|rollback', () => {
  let h: DeploymentHarness;
  let model: string;
  const clock = new ManualClock();
  const uri = (v: number) => `models:/${model}/${v}`;

  before(async () => {
    h = await openDeploymentHarness(sqlite, { listen: true, clock });
    model = await registerVersions(h, 'cli', [linearPackage(), linearPackage({ bias: [10, 20] })]);
    await applyOk(h, deploymentDoc('fraud', { strategy: 'canary', model: uri(1) }));
  });
  after(async () => {
    await h.close();
  });

  it('shows the step, the latest check values and each version’s counters', async () => {
    const canary = { steps: [10, 50, 100], interval: '1m', minRequests: 5, checks: [{ metric: 'error_rate', max: 0.05 }] };
    await applyOk(h, deploymentDoc('fraud', { strategy: 'canary', model: uri(2), canary }));
    const rollout = async () => (await h.call('GET', '/api/ferry/v1/deployments/fraud')).body.deployment.status.rollout;
    await traffic(h, 'fraud', { max: 300 });
    clock.advance(60_000);
    await eventually(async () => ((await rollout()).step === 1 ? true : undefined));
    await traffic(h, 'fraud', { max: 20 });
    const status = await deployCli(h.url, ['rollout', 'status', 'fraud']);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^Deployment fraud \(canary\) · progressing\n/);
    assert.match(status.stdout, new RegExp(`Roll-out of ${model} v2 over ${model} v1: progressing\\n  step 2 of 3 \\(steps 10 → 50 → 100 %\\), canary weight 50 %\\n`));
    assert.match(status.stdout, /\nLast analysis .*: pass \(all checks passed\)\n  canary \d+ requests, 0 errors; stable \d+ requests, 0 errors\n/);
    assert.match(status.stdout, /^error_rate\s+0%\s+0%\s+max 0\.05\s+passed$/m);
    assert.match(status.stdout, /^VARIANT\s+VERSION\s+WEIGHT\s+REQUESTS\s+ERRORS\s+P99 MS\s+LOADED$/m);
    assert.match(status.stdout, new RegExp(`^canary\\s+${model} v2\\s+50%\\s+\\d+\\s+0\\s+[\\d.]+\\s+yes$`, 'm'));
  });

  it('promotes, rolls back, and refuses an abort without a roll-out', async () => {
    const promoted = await deployCli(h.url, ['rollout', 'promote', 'fraud']);
    assert.equal(promoted.code, 0, promoted.stderr);
    assert.match(promoted.stdout, new RegExp(`^promoted: promoted models:/${model}/2; models:/${model}/1 stays loaded for rollback until .* \\(promoted by .+\\)\\ndeployment/fraud ready\\n$`));
    const [rolledBack, abort] = await Promise.all([deployCli(h.url, ['rollout', 'rollback', 'fraud', '--json']), deployCli(h.url, ['rollout', 'abort', 'fraud'])]);
    assert.equal(rolledBack.code, 0, rolledBack.stderr);
    const r = JSON.parse(rolledBack.stdout);
    assert.equal(r.events[0].kind, 'rolled_back');
    assert.deepEqual(r.variants.map((v: { version: number }) => v.version), [1]);
    assert.equal(abort.code, 1);
    assert.match(abort.stderr, /^error: Deployment 'fraud' has no roll-out in progress/);
  });
});
