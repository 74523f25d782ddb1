import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ServingMetrics } from '../../src/serving/serving-metrics.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';
import { applyOk, deploymentDoc, eventually, linearPackage, openDeploymentHarness, registerVersions, traffic, type DeploymentHarness } from './deployment-fixtures.js';

const sqlite = testDatabaseKinds().find((k) => k.name === 'sqlite')!;

/** The value of one sample line of Prometheus text, or undefined. */
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('DeploymentMetrics', () => {
  let h: DeploymentHarness;
  let model: string;
  const uri = (v: number) => `models:/${model}/${v}`;

  before(async () => {
    h = await openDeploymentHarness(sqlite);
    model = await registerVersions(h, 'metrics', [linearPackage(), linearPackage({ bias: [10, 20] })]);
    await applyOk(h, deploymentDoc('canaried', { strategy: 'canary', model: uri(1) }));
    await applyOk(h, deploymentDoc('canaried', { strategy: 'canary', model: uri(2), canary: { steps: [30, 100], interval: '1h' } }));
    await applyOk(h, deploymentDoc('mirrored', { strategy: 'shadow', model: uri(1), shadow: uri(2) }));
  });
  after(async () => {
    await h.close();
  });

  it('counts requests per deployment and variant, with traffic shares and the canary step', async () => {
    const answers = await traffic(h, 'canaried', { max: 200 });
    const text = await h.metrics.metrics();
    const byVariant = (variant: string, version: number) => sample(text, `ferry_deployment_requests_total{deployment="canaried",variant="${variant}",version="${version}",status="ok"}`) ?? 0;
    assert.equal(byVariant('stable', 1) + byVariant('canary', 2), 200);
    assert.equal(byVariant('canary', 2), answers.filter((a) => a.variant === 'canary').length);
    assert.equal(sample(text, 'ferry_deployment_traffic_share{deployment="canaried",variant="canary",version="2"}'), 0.3);
    assert.equal(sample(text, 'ferry_deployment_traffic_share{deployment="canaried",variant="stable",version="1"}'), 0.7);
    assert.equal(sample(text, 'ferry_deployment_canary_step{deployment="canaried"}'), 1);
    assert.equal(sample(text, 'ferry_deployment_canary_weight{deployment="canaried"}'), 30);
    assert.equal(sample(text, 'ferry_deployment_transitions_total{deployment="canaried",kind="rollout_started"}'), 1);
    assert.equal(sample(text, 'ferry_deployment_request_duration_seconds_count{deployment="canaried",variant="stable"}'), byVariant('stable', 1));
  });

  it("reports the shadow's agreement, and joins another registry such as serving's", async () => {
    await traffic(h, 'mirrored', { max: 10 });
    const serving = new ServingMetrics(h.serving);
    h.deployments.metrics.register(serving.registry);
    const text = await eventually(async () => {
      const t = await serving.metrics();
      return sample(t, 'ferry_deployment_requests_total{deployment="mirrored",variant="shadow",version="2",status="ok"}') === 10 ? t : undefined;
    });
    assert.equal(sample(text, 'ferry_deployment_shadow_mismatch_ratio{deployment="mirrored"}'), 1);
    assert.ok(Math.abs(sample(text, 'ferry_deployment_shadow_mean_abs_diff{deployment="mirrored"}')! - 14.5) < 1e-4);
    assert.ok(text.includes('ferry_serving_models'), "serving's own metrics are still there");
  });
});
