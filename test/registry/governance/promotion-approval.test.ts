import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openApiHarness, type ApiHarness } from '../../helpers/api-server.js';
import { testDatabaseKinds } from '../../helpers/test-database-urls.js';
import { governanceClient, V1, type GovernanceClient } from './governance-fixtures.js';

const POLICY = {
  metrics: ['val_auc >= 0.85'],
  baseline: { metric: 'val_auc', direction: 'higher', minImprovement: 0.01 },
  approval: { required: true, approvers: ['alice'] },
};

for (const kind of testDatabaseKinds()) {
  describe(`promotion approval with auth on (${kind.name})`, () => {
    let h: ApiHarness;
    let g: GovernanceClient;
    const as: Record<'admin' | 'alice' | 'bob' | 'vic', Record<string, string>> = {} as never;

    before(async () => {
      h = await openApiHarness(kind, { auth: true });
      const tokens: Array<[keyof typeof as, 'admin' | 'editor' | 'viewer']> = [
        ['admin', 'admin'],
        ['alice', 'editor'],
        ['bob', 'editor'],
        ['vic', 'viewer'],
      ];
      for (const [name, role] of tokens) as[name] = { authorization: `Bearer ${(await h.app.services.tokens.create(name, role)).token}` };
      // The fixtures call the MLflow API without headers; send the admin token by default.
      const call = h.call;
      h.call = (method, path, body, headers) => call(method, path, body, headers ?? as.admin);
      g = governanceClient(h, as.admin);
    });
    after(async () => h.close());

    /** A model whose `production` alias holds v1 (val_auc 0.85) under POLICY. */
    async function governed(): Promise<string> {
      const name = g.unique('appr');
      const v1 = await g.candidate(name, { metrics: { val_auc: 0.85 } });
      await g.pointAlias(name, 'production', v1);
      assert.equal((await g.setPolicy(name, 'production', POLICY, as.alice)).status, 200);
      return name;
    }

    it('keeps a passing request pending, refuses a non-approver, and moves the alias when a named approver approves', async () => {
      const name = await governed();
      const v2 = await g.candidate(name, { metrics: { val_auc: 0.9 } });
      const pending = await g.mustPromote(name, v2, 'production', as.bob);
      assert.deepEqual([pending.status, pending.requestedBy, pending.checks.every((c: any) => c.passed)], ['pending', 'bob', true]);
      assert.equal(await g.holder(name, 'production'), 1);

      const denied = await g.decide(pending.id, 'approve', 'lgtm', as.bob);
      assert.equal(denied.status, 403, JSON.stringify(denied.body));
      assert.equal(denied.body.error.code, 'PERMISSION_DENIED');
      assert.match(denied.body.error.message, /Only approvers may approve promotions of '.+' to 'production': admins and 'alice'; 'bob' is not one\./);
      assert.equal((await g.decide(pending.id, 'approve', undefined, as.vic)).status, 403);
      assert.equal((await g.ok('GET', `${V1}/promotions/${pending.id}`)).request.status, 'pending');

      const approved = await g.decide(pending.id, 'approve', 'ship it', as.alice);
      assert.equal(approved.status, 200, JSON.stringify(approved.body));
      assert.deepEqual([approved.body.request.status, approved.body.request.decidedBy, approved.body.request.comment], ['promoted', 'alice', 'ship it']);
      assert.equal(await g.holder(name, 'production'), v2);

      const again = await g.decide(pending.id, 'approve', undefined, as.alice);
      assert.equal(again.status, 409);
      assert.match(again.body.error.message, /is promoted, not pending/);
    });

    it('lets an admin approve and an approver reject, with a comment', async () => {
      const name = await governed();
      const v2 = await g.candidate(name, { metrics: { val_auc: 0.9 } });
      const v3 = await g.candidate(name, { metrics: { val_auc: 0.95 } });
      const first = await g.mustPromote(name, v2, 'production', as.bob);
      const rejected = await g.decide(first.id, 'reject', 'not this week', as.alice);
      assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
      assert.deepEqual([rejected.body.request.status, rejected.body.request.comment], ['rejected', 'not this week']);
      assert.equal(await g.holder(name, 'production'), 1);
      const second = await g.mustPromote(name, v3, 'production', as.bob);
      assert.equal((await g.decide(second.id, 'approve', undefined, as.admin)).body.request.status, 'promoted');
      assert.equal(await g.holder(name, 'production'), v3);
    });

    it('judges the checks again at approval time, against the version holding the alias then', async () => {
      const name = await governed();
      const v2 = await g.candidate(name, { metrics: { val_auc: 0.9 } });
      const v3 = await g.candidate(name, { metrics: { val_auc: 0.88 } });
      const r2 = await g.mustPromote(name, v2, 'production', as.bob);
      const r3 = await g.mustPromote(name, v3, 'production', as.bob);
      assert.equal(r3.status, 'pending', 'v3 beats v1 at request time');
      assert.equal((await g.decide(r2.id, 'approve', undefined, as.alice)).status, 200);
      const late = await g.decide(r3.id, 'approve', undefined, as.alice);
      assert.equal(late.status, 409, JSON.stringify(late.body));
      assert.match(late.body.error.message, new RegExp(`version ${v3} has 0\\.88, version ${v2} \\(current 'production'\\) has 0\\.9: a regression of 0\\.02`));
      const stored = (await g.ok('GET', `${V1}/promotions/${r3.id}`)).request;
      assert.deepEqual([stored.status, stored.decidedBy], ['failed', 'alice']);
      assert.equal(await g.holder(name, 'production'), v2);
    });

    it('fails at once, without waiting for approval, when a check fails; and refuses a duplicate pending request', async () => {
      const name = await governed();
      const low = await g.candidate(name, { metrics: { val_auc: 0.8 } });
      const r = await g.promote(name, low, 'production', as.bob);
      assert.equal(r.status, 409);
      assert.equal(r.body.error.details.request.status, 'failed');
      const ok = await g.candidate(name, { metrics: { val_auc: 0.9 } });
      const pending = await g.mustPromote(name, ok, 'production', as.bob);
      const dup = await g.promote(name, ok, 'production', as.bob);
      assert.equal(dup.status, 409);
      assert.match(dup.body.error.message, new RegExp(`#${pending.id} .* is already pending`));
    });

    it('lets only the policy’s approvers change or remove it', async () => {
      const name = await governed();
      const denied = await g.setPolicy(name, 'production', {}, as.bob);
      assert.equal(denied.status, 403);
      assert.match(denied.body.error.message, /change the promotion policy/);
      assert.equal((await h.call('DELETE', `${V1}/models/${name}/policies/production`, {}, as.bob)).status, 403);
      assert.equal((await g.setPolicy(name, 'production', { ...POLICY, approval: { required: true, approvers: ['alice', 'bob'] } }, as.alice)).status, 200);
      assert.equal((await g.setPolicy(name, 'production', POLICY, as.bob)).status, 200);
      assert.equal((await g.setPolicy(name, 'production', {}, as.vic)).status, 403);
    });

    it('records an audit row for every request, approval, rejection and alias move, with who and what', async () => {
      const name = await governed();
      const v2 = await g.candidate(name, { metrics: { val_auc: 0.9 } });
      const v3 = await g.candidate(name, { metrics: { val_auc: 0.99 } });
      const low = await g.candidate(name, { metrics: { val_auc: 0.5 } });
      const r2 = await g.mustPromote(name, v2, 'production', as.bob);
      await g.decide(r2.id, 'reject', 'no', as.alice);
      const r3 = await g.mustPromote(name, v3, 'production', as.bob);
      await g.decide(r3.id, 'approve', 'yes', as.alice);
      await g.promote(name, low, 'production', as.bob);
      const rows = (await g.audit({ model: name })).filter((e: any) => /promotion$|^set_alias$/.test(e.action));
      assert.deepEqual(
        rows.map((e: any) => [e.actor, e.action, e.entityVersion, e.after?.status ?? null]),
        [
          ['admin', 'set_alias', 1, null],
          ['bob', 'request_promotion', v2, 'pending'],
          ['alice', 'reject_promotion', v2, 'rejected'],
          ['bob', 'request_promotion', v3, 'pending'],
          ['alice', 'approve_promotion', v3, 'promoted'],
          ['alice', 'set_alias', v3, null],
          ['bob', 'request_promotion', low, 'failed'],
        ],
      );
      const move = rows[5];
      assert.deepEqual([move.before, move.after], [{ alias: 'production', version: 1 }, { alias: 'production', version: v3, promotionRequestId: r3.id }]);
      assert.equal(rows[4].after.comment, 'yes');
      assert.equal(rows[6].after.checks.find((c: any) => !c.passed).observed, 0.5);
    });
  });
}
