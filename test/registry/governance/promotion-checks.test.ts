import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openApiHarness, type ApiHarness } from '../../helpers/api-server.js';
import { testDatabaseKinds } from '../../helpers/test-database-urls.js';
import { governanceClient, V1, type GovernanceClient } from './governance-fixtures.js';

for (const kind of testDatabaseKinds()) {
  describe(`promotion checks (${kind.name})`, () => {
    let h: ApiHarness;
    let g: GovernanceClient;
    before(async () => {
      h = await openApiHarness(kind);
      g = governanceClient(h);
    });
    after(async () => h.close());

    /** A model whose `production` alias is held by a version with `holderMetrics`, under `rules`. */
    async function governed(rules: unknown, holderMetrics: Record<string, number> | null = { val_auc: 0.85 }): Promise<string> {
      const name = g.unique('gov');
      const v1 = await g.candidate(name, { metrics: holderMetrics ?? {} });
      if (holderMetrics) await g.pointAlias(name, 'production', v1);
      const put = await g.setPolicy(name, 'production', rules);
      assert.equal(put.status, 200, JSON.stringify(put.body));
      return name;
    }

    /** Promotes and expects the 409 refusal; returns the message and the failed checks. */
    async function refused(name: string, version: number): Promise<{ message: string; failed: any[]; request: any }> {
      const r = await g.promote(name, version, 'production');
      assert.equal(r.status, 409, JSON.stringify(r.body));
      assert.equal(r.body.error.code, 'CONFLICT');
      return { message: r.body.error.message, failed: r.body.error.details.failedChecks, request: r.body.error.details.request };
    }

    describe('metric thresholds', () => {
      it('promotes a candidate that meets every threshold, recording what it observed', async () => {
        const name = await governed({ metrics: ['val_auc >= 0.85', { metric: 'latency_ms', op: '<', threshold: 50 }, 'epochs == 10'] });
        const v = await g.candidate(name, { metrics: { val_auc: 0.91, latency_ms: 12, epochs: 10 } });
        const request = await g.mustPromote(name, v, 'production');
        assert.equal(request.status, 'promoted');
        assert.deepEqual(
          request.checks.map((c: any) => [c.check, c.metric, c.op, c.threshold, c.observed, c.passed]),
          [
            ['metric', 'val_auc', '>=', 0.85, 0.91, true],
            ['metric', 'latency_ms', '<', 50, 12, true],
            ['metric', 'epochs', '==', 10, 10, true],
          ],
        );
        assert.equal(await g.holder(name, 'production'), v);
      });

      it('refuses a candidate below a threshold with 409, naming the metric and both numbers, and records the failed request', async () => {
        const name = await governed({ metrics: ['val_auc >= 0.85', 'latency_ms <= 50'] });
        const v = await g.candidate(name, { metrics: { val_auc: 0.83, latency_ms: 40 } });
        const { message, failed, request } = await refused(name, v);
        assert.match(message, /failed 1 of 2 checks/);
        assert.match(message, /metric val_auc >= 0\.85: observed 0\.83, which is not >= 0\.85/);
        assert.deepEqual(failed, [{ check: 'metric', metric: 'val_auc', op: '>=', threshold: 0.85, observed: 0.83, passed: false, message: failed[0].message }]);
        assert.equal(request.status, 'failed');
        const stored = await g.ok('GET', `${V1}/promotions/${request.id}`);
        assert.equal(stored.request.status, 'failed');
        assert.equal(stored.request.checks.length, 2);
        assert.equal(await g.holder(name, 'production'), v - 1);
      });

      it('checks each operator at its boundary', async () => {
        const cases: Array<[string, number, boolean]> = [
          ['m >= 0.5', 0.5, true],
          ['m > 0.5', 0.5, false],
          ['m <= 0.5', 0.5, true],
          ['m < 0.5', 0.5, false],
          ['m == 0.5', 0.5, true],
          ['m == 0.5', 0.5000001, false],
        ];
        for (const [rule, value, passes] of cases) {
          const name = await governed({ metrics: [rule] }, null);
          const v = await g.candidate(name, { metrics: { m: value } });
          const r = await g.promote(name, v, 'production');
          assert.equal(r.status, passes ? 201 : 409, `${rule} with ${value}: ${JSON.stringify(r.body)}`);
          if (!passes) assert.match(r.body.error.message, new RegExp(`observed ${value}, which is not`));
        }
      });

      it('fails a metric the source run never logged, saying so', async () => {
        const name = await governed({ metrics: ['val_auc >= 0.85'] });
        const v = await g.candidate(name, { metrics: { other: 1 } });
        const { failed } = await refused(name, v);
        assert.equal(failed[0].observed, null);
        assert.match(failed[0].message, /has no metric 'val_auc'/);
      });
    });

    describe('baseline', () => {
      it('promotes a candidate that beats the holder by at least the margin (higher is better)', async () => {
        const name = await governed({ baseline: { metric: 'val_auc', direction: 'higher', minImprovement: 0.02 } });
        const v = await g.candidate(name, { metrics: { val_auc: 0.87 } });
        const request = await g.mustPromote(name, v, 'production');
        const check = request.checks[0];
        assert.deepEqual(
          [check.check, check.holderVersion, check.holderValue, check.observed, check.improvement, check.passed],
          ['baseline', v - 1, 0.85, 0.87, 0.02, true],
        );
      });

      it('refuses a candidate that does not beat the holder by the margin, with both values and the improvement', async () => {
        const name = await governed({ baseline: { metric: 'val_auc', direction: 'higher', minImprovement: 0.02 } });
        const v = await g.candidate(name, { metrics: { val_auc: 0.86 } });
        const { message, failed } = await refused(name, v);
        assert.match(message, new RegExp(`baseline val_auc \\(higher is better, must improve by at least 0\\.02\\): version ${v} has 0\\.86, version ${v - 1} \\(current 'production'\\) has 0\\.85: an improvement of 0\\.01`));
        assert.equal(failed[0].improvement, 0.01);
      });

      it('allows a regression within the tolerance and refuses one beyond it (lower is better)', async () => {
        const name = await governed({ baseline: { metric: 'loss', direction: 'lower', maxRegression: 0.05 } }, { loss: 0.3 });
        const ok = await g.candidate(name, { metrics: { loss: 0.34 } });
        const request = await g.mustPromote(name, ok, 'production');
        assert.equal(request.checks[0].improvement, -0.04);
        const worse = await g.candidate(name, { metrics: { loss: 0.4 } });
        const { message, failed } = await refused(name, worse);
        assert.match(message, /must regress by at most 0\.05\): version \d+ has 0\.4, version \d+ \(current 'production'\) has 0\.34: a regression of 0\.06/);
        assert.equal(failed[0].holderVersion, ok);
      });

      it('passes when no version holds the alias yet, and fails when the holder lacks the metric', async () => {
        const first = await governed({ baseline: { metric: 'val_auc', direction: 'higher', minImprovement: 0 } }, null);
        const v = await g.candidate(first, { metrics: { val_auc: 0.5 } });
        const request = await g.mustPromote(first, v, 'production');
        assert.match(request.checks[0].message, /no version holds 'production' yet/);

        const second = await governed({ baseline: { metric: 'val_auc', direction: 'higher', minImprovement: 0 } }, { other: 1 });
        const w = await g.candidate(second, { metrics: { val_auc: 0.9 } });
        const { failed } = await refused(second, w);
        assert.match(failed[0].message, /cannot compare with version \d+ \(current 'production'\): its source run has no metric 'val_auc'/);
      });
    });

    describe('signature compatibility', () => {
      const rules = { signature: 'same_inputs' };

      it('promotes a candidate with the same inputs', async () => {
        const name = await governed(rules);
        const v = await g.candidate(name, {});
        const request = await g.mustPromote(name, v, 'production');
        assert.deepEqual([request.checks[0].check, request.checks[0].passed, request.checks[0].differences], ['signature', true, []]);
      });

      it('refuses changed inputs, listing each difference', async () => {
        const name = await governed(rules);
        const v = await g.candidate(name, { inputs: [{ name: 'features', dtype: 'float64', shape: [-1, 4] }, { name: 'extra', dtype: 'int64', shape: [-1] }] });
        const { message, failed } = await refused(name, v);
        assert.deepEqual(failed[0].differences, [
          "input 'features' changed from tensor float32 [-1, 4] to tensor float64 [-1, 4]",
          "input 'extra' (tensor int64 [-1]) was added",
        ]);
        assert.match(message, /set the version tag ferry\.breaking_change=true/);
      });

      it('accepts changed inputs the candidate declares as a breaking change', async () => {
        const name = await governed(rules);
        const v = await g.candidate(name, { inputs: [{ name: 'pixels', dtype: 'uint8', shape: [-1, 28, 28] }], tags: { 'ferry.breaking_change': 'true' } });
        const request = await g.mustPromote(name, v, 'production');
        assert.equal(request.checks[0].breakingChangeDeclared, true);
        assert.equal(request.checks[0].differences.length, 2);
      });

      it('refuses a candidate without a signature, since nothing can be compared', async () => {
        const name = await governed(rules);
        const v = await g.candidate(name, { inputs: null });
        const { failed } = await refused(name, v);
        assert.match(failed[0].message, new RegExp(`cannot compare inputs: version ${v} declares no input signature`));
      });
    });

    describe('requests', () => {
      it('moves an alias without a policy at once, still recording the request', async () => {
        const name = g.unique('free');
        const v = await g.candidate(name, {});
        const request = await g.mustPromote(name, v, 'staging');
        assert.deepEqual([request.status, request.checks], ['promoted', []]);
        assert.equal(await g.holder(name, 'staging'), v);
      });

      it('refuses, recording nothing, a version that already holds the alias or an unknown version', async () => {
        const name = await governed({});
        const r = await g.promote(name, 1, 'production');
        assert.equal(r.status, 409);
        assert.match(r.body.error.message, /already holds alias 'production'/);
        assert.equal((await g.promote(name, 99, 'production')).status, 404);
        assert.equal((await g.promote(name, 1, 'latest')).status, 400);
        assert.equal((await g.ok('GET', `${V1}/models/${name}/promotions`)).requests.length, 0);
      });

      it('lists a model’s requests newest first, filtered by status', async () => {
        const name = await governed({ metrics: ['val_auc >= 0.85'] });
        const bad = await g.candidate(name, { metrics: { val_auc: 0.1 } });
        const good = await g.candidate(name, { metrics: { val_auc: 0.9 } });
        await refused(name, bad);
        await g.mustPromote(name, good, 'production');
        const all = (await g.ok('GET', `${V1}/models/${name}/promotions`)).requests;
        assert.deepEqual(all.map((r: any) => [r.version, r.status]), [[good, 'promoted'], [bad, 'failed']]);
        const failed = (await g.ok('GET', `${V1}/models/${name}/promotions`, { status: 'failed' })).requests;
        assert.deepEqual(failed.map((r: any) => r.version), [bad]);
        assert.equal((await h.call('GET', `${V1}/models/${name}/promotions`, { status: 'nope' })).status, 400);
      });
    });
  });
}
