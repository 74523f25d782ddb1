import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openApiHarness, type ApiHarness } from '../../helpers/api-server.js';
import { testDatabaseKinds } from '../../helpers/test-database-urls.js';
import { governanceClient, V1, type GovernanceClient } from './governance-fixtures.js';

const COMMIT = '3f2a1b9c0d8e4f6a8b7c6d5e4f3a2b1c0d9e8f7a';

for (const kind of testDatabaseKinds()) {
  describe(`model cards (${kind.name})`, () => {
    let h: ApiHarness;
    let g: GovernanceClient;
    let name: string;
    let version: number;

    before(async () => {
      h = await openApiHarness(kind);
      g = governanceClient(h);
      name = g.unique('card');
      version = await g.candidate(name, {
        description: 'Gradient-boosted churn classifier',
        metrics: { val_auc: 0.91, train_loss: 0.123 },
        params: { learning_rate: '0.05', max_depth: '6' },
        runTags: { 'mlflow.source.git.commit': COMMIT, 'mlflow.source.git.branch': 'main' },
        datasets: [
          { name: 'churn-train', digest: 'a1b2c3d4', context: 'training' },
          { name: 'churn-eval', digest: 'e5f6a7b8', context: 'evaluation' },
        ],
      });
      await g.setPolicy(name, 'production', { metrics: ['val_auc >= 0.95'] });
      await g.promote(name, version, 'production');
      await g.mustPromote(name, version, 'staging');
    });
    after(async () => h.close());

    const card = () => h.call('GET', `${V1}/models/${name}/versions/${version}/card`);

    it('generates Markdown with description, signature, metrics, params, lineage and promotion history', async () => {
      const r = await h.app.inject({ method: 'GET', url: `${V1}/models/${name}/versions/${version}/card` });
      assert.equal(r.statusCode, 200, r.body);
      assert.match(String(r.headers['content-type']), /^text\/markdown/);
      const md = r.body;
      assert.ok(md.startsWith(`# ${name} — version ${version}\n`), md.slice(0, 100));
      assert.match(md, /## Description\n\nGradient-boosted churn classifier\n/);
      assert.match(md, /### Inputs\n\n\| Name \| Type \| Shape \| Required \|\n\| --- \| --- \| --- \| --- \|\n\| features \| tensor float32 \| \[-1, 4\] \|  \|/);
      assert.match(md, /### Outputs[\s\S]*\| score \| tensor float32 \| \[-1, 1\] \|/);
      assert.match(md, /\| train_loss \| 0\.123 \| 0 \|\n\| val_auc \| 0\.91 \| 0 \|/);
      assert.match(md, /\| learning_rate \| 0\.05 \|\n\| max_depth \| 6 \|/);
      assert.match(md, /\| Source run \| [0-9a-f]{32} \([a-z0-9-]+\) \|/);
      assert.match(md, new RegExp(`\\| Git commit \\| ${COMMIT} \\|`));
      assert.match(md, /\| Git branch \| main \|/);
      assert.match(md, /\| churn-train \| a1b2c3d4 \| training \| local: file:\/\/\/data\/churn-train\.csv \|/);
      assert.match(md, /\| churn-eval \| e5f6a7b8 \| evaluation \|/);
      assert.match(md, /## Promotion history[\s\S]*\| #\d+ \| production \| failed \| anonymous, .* UTC \| anonymous, .* UTC \| metric val_auc >= 0\.95: observed 0\.91, which is not >= 0\.95 \|/);
      assert.match(md, /\| #\d+ \| staging \| promoted \|/);
      assert.match(md, /## Intended use\n\n_Not provided yet\./);
      assert.match(md, /\| Aliases \| staging \|/);
    });

    it('sets intended use and limitations, keeps a field left out, and records each change', async () => {
      const put = await h.call('PUT', `${V1}/models/${name}/versions/${version}/card`, { intendedUse: 'Monthly churn scoring | batch only', limitations: 'Not for new markets.', user_id: 'owner' });
      assert.equal(put.status, 200, JSON.stringify(put.body));
      assert.deepEqual([put.body.card.intendedUse, put.body.card.updatedBy], ['Monthly churn scoring | batch only', 'owner']);
      await h.call('PUT', `${V1}/models/${name}/versions/${version}/card`, { limitations: 'Not for new markets or B2B.' });
      const md = (await card()).body as string;
      assert.match(md, /## Intended use\n\nMonthly churn scoring \| batch only\n/);
      assert.match(md, /## Limitations\n\nNot for new markets or B2B\.\n/);
      const rows = (await g.audit({ model: name, version })).filter((e: any) => e.action === 'update_model_card');
      assert.deepEqual(
        rows.map((e: any) => [e.actor, e.before?.limitations ?? null, e.after.limitations]),
        [
          ['owner', null, 'Not for new markets.'],
          ['anonymous', 'Not for new markets.', 'Not for new markets or B2B.'],
        ],
      );
    });

    it('returns the card as data with ?format=json', async () => {
      const { card: data, markdown } = await g.ok('GET', `${V1}/models/${name}/versions/${version}/card`, { format: 'json' });
      assert.equal(data.lineage.git.commit, COMMIT);
      assert.deepEqual(data.lineage.datasets.map((d: any) => [d.name, d.digest]), [['churn-eval', 'e5f6a7b8'], ['churn-train', 'a1b2c3d4']]);
      assert.deepEqual(data.promotions.map((p: any) => [p.alias, p.status]), [['production', 'failed'], ['staging', 'promoted']]);
      assert.equal(data.signature.signature.inputs[0].name, 'features');
      assert.equal(typeof markdown, 'string');
    });

    it('says so when the package declares no signature and the version has no run', async () => {
      const other = g.unique('card');
      const v = await g.candidate(other, { inputs: null });
      const md = (await h.call('GET', `${V1}/models/${other}/versions/${v}/card`)).body as string;
      assert.match(md, /## Signature\n\n_Unknown: version 1 declares no input signature\._/);
      assert.match(md, /## Promotion history\n\n_Never promoted\._/);
    });

    it('answers 404 for an unknown version and 400 for bad input', async () => {
      assert.equal((await h.call('GET', `${V1}/models/${name}/versions/99/card`)).status, 404);
      assert.equal((await h.call('GET', `${V1}/models/no-such/versions/1/card`)).status, 404);
      assert.equal((await h.call('PUT', `${V1}/models/${name}/versions/99/card`, { intendedUse: 'x' })).status, 404);
      const bad = await h.call('PUT', `${V1}/models/${name}/versions/${version}/card`, { intended_use: 'x' });
      assert.equal(bad.status, 400);
      assert.match(bad.body.error.message, /Unknown field 'intended_use'/);
      assert.equal((await h.call('PUT', `${V1}/models/${name}/versions/${version}/card`, { limitations: 5 })).status, 400);
      assert.equal((await h.call('GET', `${V1}/models/${name}/versions/${version}/card`, { format: 'pdf' })).status, 400);
    });
  });
}
