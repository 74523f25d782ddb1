import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { NO_DEPLOYMENTS, type LineageGraph } from '../../src/registry/lineage-types.js';
import { listRoutes } from '../../src/server/route-permission.js';
import { openApiHarness, type ApiHarness } from '../helpers/api-server.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';
import { COMMIT, hasEdge, node, seedLineage, type LineageFixture } from './lineage-fixtures.js';
import { registryClient, type RegistryClient } from './registry-fixtures.js';

const LINEAGE = '/api/ferry/v1/lineage';

for (const kind of testDatabaseKinds()) {
  describe(`LineageService (${kind.name})`, () => {
    let h: ApiHarness;
    let c: RegistryClient;
    let f: LineageFixture;

    before(async () => {
      h = await openApiHarness(kind);
      c = registryClient(h);
      f = await seedLineage(c);
    });
    after(async () => h.close());

    const lineage = async (query: Record<string, unknown>): Promise<LineageGraph> => c.ok('GET', LINEAGE, query);
    const fails = async (query: Record<string, unknown>, code: string, status: number): Promise<string> => {
      const r = await h.call('GET', LINEAGE, query);
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.equal(r.body?.error?.code, code, JSON.stringify(r.body));
      assert.ok(typeof r.body.error.message === 'string' && r.body.error.message.length > 0);
      return r.body.error.message as string;
    };

    describe('.forModelVersion', () => {
      it('links a version from run artifacts to its run, datasets, parent run and experiment', async () => {
        const g = await lineage({ model: f.model, version: 1 });
        const v1 = `model_version:${f.model}/1`;
        const run = `run:${f.runId}`;
        assert.deepEqual(g.roots, [v1]);
        assert.equal(node(g, v1).label, `${f.model} v1`);
        assert.ok(hasEdge(g, run, v1, 'registered_as'));
        assert.ok(hasEdge(g, run, `dataset:${f.train}@d1`, 'trained_on'));
        assert.ok(hasEdge(g, run, `run:${f.parentRunId}`, 'child_of'));
        assert.ok(hasEdge(g, run, `experiment:${f.experimentId}`, 'part_of'));
        const trained = g.edges.filter((e) => e.from === run && e.type === 'trained_on');
        assert.deepEqual(trained.map((e) => e.attributes?.context).sort(), ['evaluation', 'training']);
        assert.equal(g.nodes.filter((n) => n.type === 'logged_model').length, 0);
        for (const e of g.edges) assert.ok(g.nodes.some((n) => n.id === e.from) && g.nodes.some((n) => n.id === e.to), JSON.stringify(e));
      });

      it("carries the run's params, final metrics and code version as attributes", async () => {
        const g = await lineage({ model: f.model, version: '1' });
        const a = node(g, `run:${f.runId}`).attributes;
        assert.equal(node(g, `run:${f.runId}`).label, 'trainer');
        assert.deepEqual(a.params, { epochs: '10', lr: '0.01' });
        assert.deepEqual(a.metrics, { acc: 0.95, loss: 0.1 });
        assert.deepEqual(a.codeVersion, { gitCommit: COMMIT, gitBranch: 'main', gitRepoUrl: null, gitDirty: true, sourceName: null, sourceType: null });
        assert.equal(a.parentRunId, f.parentRunId);
        const d = node(g, `dataset:${f.train}@d1`).attributes;
        assert.deepEqual(d, { name: f.train, digest: 'd1', sourceType: 'local', source: `/data/${f.train}.csv`, profile: { num_rows: 100 } });
        assert.equal(node(g, `run:${f.parentRunId}`).attributes.runName, 'sweep');
      });

      it('goes through the logged model for a version registered from one', async () => {
        const g = await lineage({ model: f.model, version: 2 });
        const v2 = `model_version:${f.model}/2`;
        const lm = `logged_model:${f.modelId}`;
        assert.deepEqual(g.roots, [v2]);
        assert.equal(node(g, lm).attributes.sourceRunId, f.runId);
        assert.ok(hasEdge(g, lm, v2, 'registered_as'));
        assert.ok(hasEdge(g, `run:${f.runId}`, lm, 'produced'));
        assert.ok(!hasEdge(g, `run:${f.runId}`, v2, 'registered_as'));
        assert.equal(node(g, v2).attributes.modelId, f.modelId);
      });

      it('follows an alias', async () => {
        await c.ok('POST', '/registered-models/alias', { name: f.model, alias: 'champion', version: '2' });
        const g = await lineage({ model: f.model, alias: 'champion' });
        assert.deepEqual(g.roots, [`model_version:${f.model}/2`]);
        assert.deepEqual(node(g, g.roots[0]!).attributes.aliases, ['champion']);
        const latest = await lineage({ model: f.model, alias: 'latest' });
        assert.deepEqual(latest.roots, [`model_version:${f.model}/2`]);
      });

      it('shows the deployments a deployment source reports', async () => {
        h.app.services.lineage.setDeploymentSource({
          deploymentsServing: async (versions) =>
            versions.filter((v) => v.version === 1).map((v) => ({ id: 'dep-1', name: 'fraud-api', modelName: v.name, modelVersion: v.version, attributes: { replicas: 2 } })),
        });
        try {
          const g = await lineage({ model: f.model, version: 1 });
          assert.ok(hasEdge(g, `model_version:${f.model}/1`, 'deployment:dep-1', 'served_by'));
          assert.deepEqual(node(g, 'deployment:dep-1').attributes, { deploymentId: 'dep-1', name: 'fraud-api', replicas: 2 });
          const none = await lineage({ model: f.model, version: 2 });
          assert.equal(none.nodes.filter((n) => n.type === 'deployment').length, 0);
        } finally {
          h.app.services.lineage.setDeploymentSource(NO_DEPLOYMENTS);
        }
      });
    });

    describe('.forRun', () => {
      it('returns the versions registered from the run, its logged model and its datasets', async () => {
        const g = await lineage({ run: f.runId });
        const run = `run:${f.runId}`;
        assert.deepEqual(g.roots, [run]);
        assert.ok(hasEdge(g, run, `model_version:${f.model}/1`, 'registered_as'));
        assert.ok(hasEdge(g, run, `logged_model:${f.modelId}`, 'produced'));
        assert.ok(hasEdge(g, `logged_model:${f.modelId}`, `model_version:${f.model}/2`, 'registered_as'));
        assert.ok(hasEdge(g, run, `dataset:${f.evalSet}@d2`, 'trained_on'));
        assert.ok(hasEdge(g, run, `run:${f.parentRunId}`, 'child_of'));
      });

      it('lists child runs of a parent run', async () => {
        const g = await lineage({ run: f.parentRunId });
        assert.deepEqual(g.roots, [`run:${f.parentRunId}`]);
        assert.ok(hasEdge(g, `run:${f.runId}`, `run:${f.parentRunId}`, 'child_of'));
        assert.equal(g.nodes.filter((n) => n.type === 'model_version').length, 0);
      });

      it('leaves out deleted versions', async () => {
        const v3 = await c.createVersion(f.model, `runs:/${f.runId}/model`);
        await c.ok('DELETE', '/model-versions/delete', { name: f.model, version: v3.version });
        const g = await lineage({ run: f.runId });
        assert.ok(!g.nodes.some((n) => n.id === `model_version:${f.model}/${v3.version}`));
      });
    });

    describe('.forDataset', () => {
      it('returns the runs that used a dataset digest, across experiments, and the versions derived from them', async () => {
        const g = await lineage({ dataset: f.train, digest: 'd1' });
        const ds = `dataset:${f.train}@d1`;
        assert.deepEqual(g.roots, [ds]);
        assert.ok(hasEdge(g, `run:${f.runId}`, ds, 'trained_on'));
        assert.ok(hasEdge(g, `run:${f.otherRunId}`, ds, 'trained_on'));
        assert.ok(g.nodes.some((n) => n.id === `model_version:${f.model}/1`));
        assert.ok(g.nodes.some((n) => n.id === `model_version:${f.model}/2`));
        assert.equal(g.nodes.filter((n) => n.type === 'dataset' && n.id === ds).length, 1);
      });

      it('takes every digest of a dataset when none is given', async () => {
        const g = await lineage({ dataset: f.evalSet });
        assert.deepEqual(g.roots, [`dataset:${f.evalSet}@d2`]);
        assert.ok(hasEdge(g, `run:${f.runId}`, `dataset:${f.evalSet}@d2`, 'trained_on'));
      });
    });

    describe('errors', () => {
      it('answers a missing or mixed subject with INVALID_ARGUMENT in Ferry shape', async () => {
        assert.match(await fails({}, 'INVALID_ARGUMENT', 400), /model.*run.*dataset/);
        assert.match(await fails({ model: f.model }, 'INVALID_ARGUMENT', 400), /version/);
        await fails({ model: f.model, run: f.runId }, 'INVALID_ARGUMENT', 400);
        await fails({ model: f.model, version: 'one' }, 'INVALID_ARGUMENT', 400);
        await fails({ model: f.model, version: 1, alias: 'champion' }, 'INVALID_ARGUMENT', 400);
        await fails({ run: f.runId, digest: 'd1' }, 'INVALID_ARGUMENT', 400);
        await fails({ run: f.runId, version: 1 }, 'INVALID_ARGUMENT', 400);
        const twice = await h.app.inject({ url: `${LINEAGE}?run=a&run=b` });
        assert.equal(twice.statusCode, 400, twice.body);
      });

      it('answers unknown models, versions, aliases, runs and datasets with NOT_FOUND', async () => {
        await fails({ model: 'no-such-model', version: 1 }, 'NOT_FOUND', 404);
        await fails({ model: f.model, version: 999 }, 'NOT_FOUND', 404);
        await fails({ model: f.model, alias: 'nobody' }, 'NOT_FOUND', 404);
        await fails({ model: 'no-such-model', alias: 'champion' }, 'NOT_FOUND', 404);
        assert.match(await fails({ run: 'f'.repeat(32) }, 'NOT_FOUND', 404), /not found/);
        await fails({ dataset: 'no-such-dataset' }, 'NOT_FOUND', 404);
        await fails({ dataset: f.train, digest: 'nope' }, 'NOT_FOUND', 404);
      });

      it('declares the read permission', () => {
        const routes = listRoutes(h.app).filter((r) => r.url === LINEAGE);
        assert.ok(routes.length > 0);
        for (const r of routes) assert.equal(r.permission, 'read');
      });
    });
  });
}
