import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openApiHarness, type ApiHarness } from '../../helpers/api-server.js';
import { testDatabaseKinds } from '../../helpers/test-database-urls.js';
import { API } from '../registry-fixtures.js';
import { governanceClient, V1, type GovernanceClient } from './governance-fixtures.js';

const RULES = {
  metrics: ['val_auc >= 0.85'],
  baseline: { metric: 'val_auc', direction: 'higher', minImprovement: 0.01 },
  signature: 'same_inputs',
  approval: { required: true, approvers: ['alice'] },
};

for (const kind of testDatabaseKinds()) {
  describe(`promotion policy routes (${kind.name})`, () => {
    let h: ApiHarness;
    let g: GovernanceClient;
    before(async () => {
      h = await openApiHarness(kind);
      g = governanceClient(h);
    });
    after(async () => h.close());

    describe('PUT and GET /models/:name/policies/:alias', () => {
      it('stores the rules in canonical form and reads them back', async () => {
        const name = g.unique('pol');
        await g.createModel(name);
        const put = await g.setPolicy(name, 'production', { ...RULES, user_id: 'owner' });
        assert.equal(put.status, 200, JSON.stringify(put.body));
        const { policy } = await g.ok('GET', `${V1}/models/${name}/policies/production`);
        assert.deepEqual(policy.rules, {
          metrics: [{ metric: 'val_auc', op: '>=', threshold: 0.85 }],
          signature: 'same_inputs',
          approval: { required: true, approvers: ['alice'] },
          baseline: { metric: 'val_auc', direction: 'higher', minImprovement: 0.01 },
        });
        assert.equal(policy.updatedBy, 'owner');
        assert.deepEqual((await g.ok('GET', `${V1}/models/${name}/policies`)).policies.map((p: any) => p.alias), ['production']);
      });

      it('refuses malformed rules, naming the field', async () => {
        const name = g.unique('pol');
        await g.createModel(name);
        const cases: Array<[unknown, RegExp]> = [
          [{ metrics: ['val_auc => 0.85'] }, /Cannot read metric rule 'val_auc => 0\.85'/],
          [{ metrics: [{ metric: 'a', op: '!=', threshold: 1 }] }, /metrics\[0\]\.op must be one of/],
          [{ baseline: { metric: 'a', direction: 'up', minImprovement: 1 } }, /baseline\.direction must be 'higher' or 'lower'/],
          [{ baseline: { metric: 'a', direction: 'higher', minImprovement: 1, maxRegression: 1 } }, /exactly one of minImprovement/],
          [{ baseline: { metric: 'a', direction: 'higher', min_improvement: 1 } }, /Unknown field 'min_improvement' in baseline/],
          [{ approval: { required: 'yes' } }, /approval\.required must be true or false/],
          [{ signature: 'loose' }, /signature must be 'same_inputs' or 'none'/],
          [{ thresholds: [] }, /Unknown field 'thresholds' in the policy/],
          [[1], /must be a JSON object/],
        ];
        for (const [rules, message] of cases) {
          const r = await g.setPolicy(name, 'production', rules);
          assert.equal(r.status, 400, JSON.stringify(r.body));
          assert.match(r.body.error.message, message);
        }
      });

      it('answers 404 for an unknown model or a missing policy, and 400 for a reserved alias', async () => {
        assert.equal((await g.setPolicy('no-such-model', 'production', {})).status, 404);
        const name = g.unique('pol');
        await g.createModel(name);
        assert.equal((await h.call('GET', `${V1}/models/${name}/policies/production`)).status, 404);
        assert.equal((await g.setPolicy(name, 'latest', {})).status, 400);
      });
    });

    describe('the alias guard', () => {
      it('refuses a direct MLflow alias set or delete on a governed alias, and allows other aliases', async () => {
        const name = g.unique('guard');
        const v1 = await g.candidate(name, {});
        const v2 = await g.candidate(name, {});
        await g.pointAlias(name, 'production', v1);
        await g.setPolicy(name, 'production', {});
        const set = await h.call('POST', `${API}/registered-models/alias`, { name, alias: 'production', version: String(v2) });
        assert.equal(set.status, 400, JSON.stringify(set.body));
        assert.equal(set.body.error_code, 'INVALID_STATE');
        assert.match(set.body.message, /governed by a promotion policy/);
        const del = await h.call('DELETE', `${API}/registered-models/alias`, { name, alias: 'production' });
        assert.equal(del.body.error_code, 'INVALID_STATE');
        assert.equal(await g.holder(name, 'production'), v1);
        await g.pointAlias(name, 'staging', v2);
        // Through a promotion request it moves.
        await g.mustPromote(name, v2, 'production');
        assert.equal(await g.holder(name, 'production'), v2);
      });

      it('lets the alias move directly again once the policy is removed', async () => {
        const name = g.unique('guard');
        const v1 = await g.candidate(name, {});
        await g.setPolicy(name, 'production', {});
        assert.equal((await h.call('DELETE', `${V1}/models/${name}/policies/production`, {})).status, 200);
        await g.pointAlias(name, 'production', v1);
        assert.equal(await g.holder(name, 'production'), v1);
      });
    });

    it('follows a model rename, and goes with a deleted model', async () => {
      const name = g.unique('pol');
      const v1 = await g.candidate(name, {});
      await g.setPolicy(name, 'production', { metrics: ['a > 1'] });
      await g.mustPromote(name, v1, 'staging');
      await h.call('PUT', `${V1}/models/${name}/versions/${v1}/card`, { intendedUse: 'x' });
      const renamed = `${name}-renamed`;
      await g.ok('POST', '/registered-models/rename', { name, new_name: renamed });
      assert.deepEqual((await g.ok('GET', `${V1}/models/${renamed}/policies/production`)).policy.rules.metrics[0].threshold, 1);
      assert.equal((await g.ok('GET', `${V1}/models/${renamed}/promotions`)).requests[0].model, renamed);
      assert.equal((await g.ok('GET', `${V1}/models/${renamed}/versions/${v1}/card`, { format: 'json' })).card.intendedUse, 'x');
      await g.ok('DELETE', '/registered-models/delete', { name: renamed });
      await g.createModel(renamed);
      assert.equal((await h.call('GET', `${V1}/models/${renamed}/policies/production`)).status, 404);
      assert.deepEqual((await g.ok('GET', `${V1}/models/${renamed}/promotions`)).requests, []);
    });

    it('records every policy change in the audit log, before and after', async () => {
      const name = g.unique('pol');
      await g.createModel(name);
      await g.setPolicy(name, 'production', { metrics: ['a > 1'] });
      await g.setPolicy(name, 'production', { metrics: ['a > 2'] });
      await h.call('DELETE', `${V1}/models/${name}/policies/production`, {});
      const rows = (await g.audit({ model: name })).filter((e: any) => e.action.endsWith('promotion_policy'));
      assert.deepEqual(
        rows.map((e: any) => [e.action, e.before?.rules.metrics[0].threshold ?? null, e.after?.rules.metrics[0].threshold ?? null]),
        [
          ['set_promotion_policy', null, 1],
          ['set_promotion_policy', 1, 2],
          ['delete_promotion_policy', 2, null],
        ],
      );
    });
  });
}
