import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../../src/errors.js';
import { Ferry } from '../../../src/sdk/ferry-client.js';
import { startTestServer, type TestServer } from '../../helpers/test-server.js';
import { digestOf, uniqueName } from './dataset-fixtures.js';

describe('DatasetsApi', () => {
  let server: TestServer;
  let ferry: Ferry;

  before(async () => {
    server = await startTestServer();
    ferry = new Ferry({ url: server.url, retry: { retries: 0 } });
  });
  after(async () => server.close());

  const register = (name: string, seed: string) =>
    ferry.datasets.register({ name, digest: digestOf(seed), kind: 'file', size: 10, files: 1, source: 'data/x.csv', tags: { split: 'train' } });

  describe('.register', () => {
    it('registers, answers the same version for a repeat, and decodes every field', async () => {
      const name = uniqueName('sdk');
      const first = await register(name, `${name}-1`);
      assert.equal(first.created, true);
      assert.deepEqual(
        [first.version.name, first.version.version, first.version.kind, first.version.size, first.version.source, first.version.tags],
        [name, 1, 'file', 10, 'data/x.csv', { split: 'train' }],
      );
      assert.ok(first.version.createdBy, 'the OS user is recorded with auth off');
      const repeat = await register(name, `${name}-1`);
      assert.deepEqual([repeat.created, repeat.version.version], [false, 1]);
    });

    it('registers what a pointer file names', async () => {
      const name = uniqueName('pointer');
      const pointer = { ferry: 1 as const, path: 'train.parquet', kind: 'file' as const, digest: digestOf(name), size: 77, files: 1, schema: { format: 'parquet' as const, rows: 5, columns: [{ name: 'a', type: 'INTEGER' }] } };
      const { version } = await ferry.datasets.registerPointer(pointer, { name, source: 'data/train.parquet', description: 'five rows' });
      assert.deepEqual([version.digest, version.size, version.schema, version.description], [pointer.digest, 77, pointer.schema, 'five rows']);
    });

    it('throws the server’s error classes with its messages', async () => {
      await assert.rejects(ferry.datasets.register({ name: 'bad name', digest: digestOf('x'), kind: 'file', size: 1, files: 1 }), InvalidArgumentError);
      const name = uniqueName('conflict');
      await register(name, name);
      await assert.rejects(ferry.datasets.register({ name, digest: digestOf(name), kind: 'file', size: 11, files: 1 }), ConflictError);
      await assert.rejects(ferry.datasets.get('never-was'), NotFoundError);
    });
  });

  describe('.list, .resolve, .update, .deleteVersion', () => {
    it('finds datasets and versions and changes them', async () => {
      const name = uniqueName('manage');
      await register(name, `${name}-1`);
      await register(name, `${name}-2`);
      const listed = await ferry.datasets.listAll({ nameContains: name });
      assert.deepEqual(listed.map((d) => [d.name, d.versionCount, d.latestVersion?.version]), [[name, 2, 2]]);
      assert.equal((await ferry.datasets.resolve(`datasets:/${name}@latest`)).version, 2);
      assert.equal((await ferry.datasets.resolve(`datasets:/${name}/1`)).digest, digestOf(`${name}-1`));
      await assert.rejects(ferry.datasets.resolve(`models:/${name}/1`), /is not a dataset reference/);

      const d = await ferry.datasets.update(name, { description: 'monthly extract', tags: { owner: 'data' } });
      assert.deepEqual([d.description, d.tags], ['monthly extract', { owner: 'data' }]);
      const v = await ferry.datasets.updateVersion(name, 1, { tags: { split: null } });
      assert.deepEqual(v.tags, {});

      await ferry.datasets.deleteVersion(name, 2);
      const page = await ferry.datasets.listVersions(name);
      assert.deepEqual(page.items.map((x) => x.version), [1]);
    });
  });

  describe('.logToRun', () => {
    it('links a version to a run so lineage reaches from the model version to the exact bytes', async () => {
      const name = uniqueName('trainset');
      const { version } = await ferry.datasets.register({
        name,
        digest: digestOf(name),
        kind: 'file',
        size: 512,
        files: 1,
        schema: { format: 'parquet', rows: 40, columns: [{ name: 'x', type: 'DOUBLE' }] },
      });
      const run = await ferry.runs.start({ experimentName: uniqueName('lineage'), runName: 'train' });
      await run.end();

      const linked = await ferry.datasets.logToRun(run.id, `datasets:/${name}/1`, { context: 'training' });
      assert.equal(linked.digest, version.digest);
      await ferry.datasets.logToRun(run.id, linked, { context: 'training' });

      const inputs = (await ferry.runs.get(run.id)).inputs.datasetInputs;
      assert.equal(inputs.length, 1, 'logging the same version twice links it once');
      assert.deepEqual(
        [inputs[0]!.dataset.name, inputs[0]!.dataset.digest, inputs[0]!.dataset.sourceType, inputs[0]!.dataset.source],
        [name, version.digest.slice(7, 39), 'ferry', `datasets:/${name}/1`],
      );

      const model = uniqueName('lineage-model');
      await ferry.registry.createModel(model);
      await ferry.registry.createVersion(model, `runs:/${run.id}/model`, { runId: run.id });
      const graph = await ferry.registry.lineage({ model, version: 1 });
      const datasetNode = graph.nodes.find((n) => n.type === 'dataset');
      assert.ok(datasetNode, JSON.stringify(graph.nodes.map((n) => n.id)));
      assert.equal(datasetNode.attributes.source, `datasets:/${name}/1`);
      assert.deepEqual((datasetNode.attributes.profile as any).ferry_dataset, { name, version: 1, digest: version.digest, kind: 'file', size: 512, files: 1 });
      const runNode = graph.nodes.find((n) => n.type === 'run');
      const edge = graph.edges.find((e) => e.from === runNode?.id && e.to === datasetNode.id);
      assert.equal(edge?.type, 'trained_on');
      assert.equal(edge?.attributes?.context, 'training');

      const byDataset = await ferry.registry.lineage({ dataset: name });
      assert.deepEqual(byDataset.roots, [datasetNode.id]);
      assert.ok(byDataset.nodes.some((n) => n.id === runNode!.id), 'the dataset leads to the run');
      assert.ok(byDataset.nodes.some((n) => n.type === 'model_version' && n.id === `model_version:${model}/1`), 'and on to the model version');
    });

    it('refuses a run that does not exist', async () => {
      const name = uniqueName('orphan');
      await register(name, name);
      await assert.rejects(ferry.datasets.logToRun('0123456789abcdef0123456789abcdef', `datasets:/${name}/1`), NotFoundError);
    });
  });
});
