import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvalidArgumentError, NotFoundError, PermissionDeniedError, UnavailableError } from '../../src/errors.js';
import { ServingService } from '../../src/serving/serving-service.js';
import { openApiHarness, type ApiHarness } from '../helpers/api-server.js';
import { buildLinearModel, corruptModelBytes, linearReference } from '../helpers/onnx-builder.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';
import { writePackageDir } from '../registry/model-package/package-fixtures.js';
import { assertClose, packageFiles, registerPackage, setAlias, torchFixtureDir, torchReference } from './serving-fixtures.js';

const sqlite = testDatabaseKinds().find((k) => k.name === 'sqlite')!;
const linear = (inputs: number, outputs: number) => ({ inputs, outputs });

describe('ServingService', () => {
  let h: ApiHarness;
  let serving: ServingService;
  const cleanups: Array<() => Promise<void>> = [];

  /** A local package directory holding `bytes` as model.onnx. */
  async function packageDir(bytes: Uint8Array): Promise<string> {
    const { dir, cleanup } = await writePackageDir(packageFiles(bytes));
    cleanups.push(cleanup);
    return dir;
  }

  before(async () => {
    h = await openApiHarness(sqlite);
    serving = new ServingService({ registry: h.app.services.registry, artifacts: h.app.services.artifacts });
  });
  after(async () => {
    await serving.close();
    await h.close();
    for (const c of cleanups) await c();
  });

  describe('.load', () => {
    it('serves a local package directory when local paths are allowed', async () => {
      const dir = await packageDir(buildLinearModel(linear(3, 2)));
      const entry = await serving.load('local-linear', { uri: dir }, { allowLocalPaths: true });
      assert.deepEqual(entry, { name: 'local-linear', version: '1', state: 'READY', reason: '', uri: dir });
      const out = await serving.infer('local-linear', undefined, { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] });
      assertClose(out.outputs[0]!.data as Float32Array, linearReference([[1, 2, 3]], linear(3, 2)).flat());
    });

    it('refuses a local path unless allowed, recording nothing', async () => {
      await assert.rejects(serving.load('sneaky', { uri: '/etc' }), PermissionDeniedError);
      await assert.rejects(serving.load('sneaky', { uri: 'file:///etc' }), PermissionDeniedError);
      assert.equal(serving.index().find((e) => e.name === 'sneaky'), undefined);
    });

    it('serves registry versions by number and by alias, reporting the version', async () => {
      const v1 = await registerPackage(h, 'reg-linear', packageFiles(buildLinearModel(linear(4, 2))));
      const v2 = await registerPackage(h, 'reg-linear', packageFiles(buildLinearModel({ ...linear(4, 2), bias: [10, 20] })));
      await setAlias(h, 'reg-linear', 'production', v1);
      assert.equal((await serving.load('by-number', { uri: `models:/reg-linear/${v2}` })).version, String(v2));
      assert.equal((await serving.load('by-alias', { uri: 'models:/reg-linear@production' })).version, String(v1));
      const request = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 4], data: [0, 0, 0, 0] }] };
      assert.deepEqual([...((await serving.infer('by-number', String(v2), request)).outputs[0]!.data as Float32Array)], [10, 20]);
      assert.deepEqual([...((await serving.infer('by-alias', undefined, request)).outputs[0]!.data as Float32Array)], [0.5, 0.5]);
      assert.throws(() => serving.model('by-alias', String(v2)), (err: Error) => err instanceof NotFoundError && /version '2' is not loaded; version 1 is/.test(err.message));
    });

    it('reloads by API: a moved alias serves the new version, without failing requests in flight', async () => {
      const name = 'reload-linear';
      const v1 = await registerPackage(h, name, packageFiles(buildLinearModel({ ...linear(2, 1), bias: [1] })));
      const v2 = await registerPackage(h, name, packageFiles(buildLinearModel({ ...linear(2, 1), bias: [2] })));
      await setAlias(h, name, 'live', v1);
      await serving.load(name, { uri: `models:/${name}@live` });
      await setAlias(h, name, 'live', v2);
      const request = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [0, 0] }] };
      const during = Array.from({ length: 20 }, () => serving.infer(name, undefined, request));
      // No URI: the one it was loaded from, re-resolved.
      const reloaded = serving.load(name);
      during.push(...Array.from({ length: 20 }, () => serving.infer(name, undefined, request)));
      assert.equal((await reloaded).version, String(v2));
      const biases = (await Promise.all(during)).map((r) => (r.outputs[0]!.data as Float32Array)[0]);
      assert.ok(biases.every((b) => b === 1 || b === 2));
      assert.equal((await serving.infer(name, undefined, request)).modelVersion, String(v2));
    });

    it('lists a model that fails to load as UNAVAILABLE with the reason, while the others keep serving', async () => {
      const dir = await packageDir(corruptModelBytes());
      await assert.rejects(serving.load('broken', { uri: dir }, { allowLocalPaths: true }), InvalidArgumentError);
      const entry = serving.index().find((e) => e.name === 'broken')!;
      assert.equal(entry.state, 'UNAVAILABLE');
      assert.match(entry.reason, /not a valid ONNX model|corrupt/);
      await assert.rejects(serving.infer('broken', undefined, { inputs: [] }), UnavailableError);
      assert.equal(serving.isModelReady('broken'), false);
      const ok = await serving.infer('local-linear', undefined, { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] });
      assert.equal(ok.outputs.length, 1);
    });

    it('answers NotFoundError for a registry URI that names nothing, recording nothing', async () => {
      await assert.rejects(serving.load('ghost', { uri: 'models:/no-such-model@production' }), NotFoundError);
      await assert.rejects(serving.load('ghost2'), NotFoundError);
      assert.deepEqual(
        serving.index().filter((e) => e.name.startsWith('ghost')),
        [],
      );
    });

    it('refuses bad names and batching settings', async () => {
      await assert.rejects(serving.load('a/b', { uri: 'models:/x/1' }), /cannot be served/);
      await assert.rejects(serving.load('ok', { uri: 'models:/x/1', batching: { maxBatchSize: 0 } }), /maxBatchSize ≥ 1/);
    });
  });

  describe('.unload', () => {
    it('stops serving the model and lists it as unloaded; a later load brings it back', async () => {
      const dir = await packageDir(buildLinearModel(linear(2, 2)));
      await serving.load('transient', { uri: dir }, { allowLocalPaths: true });
      await serving.unload('transient');
      assert.deepEqual(
        serving.index().find((e) => e.name === 'transient'),
        { name: 'transient', version: '1', state: 'UNAVAILABLE', reason: 'unloaded', uri: dir },
      );
      assert.throws(() => serving.model('transient'), NotFoundError);
      await assert.rejects(serving.unload('never-loaded'), NotFoundError);
      await serving.load('transient', {}, { allowLocalPaths: true });
      assert.equal(serving.isModelReady('transient'), true);
    });
  });

  describe('.preload and .isReady', () => {
    it('is ready only once every startup model is, and lists why one is not', async () => {
      const s = new ServingService({ registry: h.app.services.registry, artifacts: h.app.services.artifacts });
      const dir = await packageDir(buildLinearModel(linear(2, 2)));
      const loading = s.preload([
        { name: 'good', spec: { uri: dir } },
        { name: 'missing', spec: { uri: 'models:/not-registered@production' } },
      ]);
      assert.equal(s.isReady(), false);
      await loading;
      assert.equal(s.isReady(), false);
      const missing = s.index().find((e) => e.name === 'missing')!;
      assert.equal(missing.state, 'UNAVAILABLE');
      assert.match(missing.reason, /not-registered/);
      assert.equal(s.isModelReady('good'), true);
      await s.close();
    });
  });

  describe('.infer', () => {
    it('matches PyTorch on every output of a two-input model (FP32, INT64, BOOL)', async () => {
      const ref = await torchReference('torch-multi-io');
      await serving.load('multi', { uri: torchFixtureDir('torch-multi-io') }, { allowLocalPaths: true });
      const model = serving.model('multi');
      assert.deepEqual(model.inputs, [
        { name: 'features', datatype: 'FP32', shape: [-1, 4] },
        { name: 'ids', datatype: 'INT64', shape: [-1] },
      ]);
      const res = await serving.infer('multi', undefined, {
        id: 'r1',
        inputs: [
          { name: 'features', datatype: 'FP32', shape: [4, 4], data: ref.inputs.features!.data },
          { name: 'ids', datatype: 'INT64', shape: [4], data: ref.inputs.ids!.data },
        ],
      });
      assert.equal(res.id, 'r1');
      const byName = Object.fromEntries(res.outputs.map((o) => [o.name, o]));
      assertClose(byName.logits!.data as Float32Array, (ref.torch_outputs.logits!.data as number[][]).flat());
      assert.deepEqual([...(byName.label!.data as BigInt64Array)].map(Number), ref.torch_outputs.label!.data);
      assert.equal(byName.positive!.datatype, 'BOOL');
      assert.deepEqual([...(byName.positive!.data as Uint8Array)].map(Boolean), ref.torch_outputs.positive!.data);
    });

    it('batches concurrent requests into fewer runtime calls, each answer matching its own input', async () => {
      const ref = await torchReference('torch-mlp');
      await serving.load('mlp', { uri: torchFixtureDir('torch-mlp') }, { allowLocalPaths: true });
      const rows = ref.inputs.x!.data as number[][];
      const expected = ref.torch_outputs.scores!.data as number[][];
      const n = 40;
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) => serving.infer('mlp', undefined, { id: `q${i}`, inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 6], data: [rows[i % 5]] }] })),
      );
      results.forEach((r, i) => {
        assert.equal(r.id, `q${i}`);
        assertClose(r.outputs[0]!.data as Float32Array, expected[i % 5]!, 1e-5, `request ${i}`);
      });
      const [stats] = serving.statistics('mlp');
      assert.equal(stats!.inferenceCount, n);
      assert.ok(stats!.executionCount < n, `execution_count ${stats!.executionCount} for ${n} requests`);
      assert.equal(stats!.inferenceStats.success.count, n);
    });

    it('fails only the request the runtime rejects when it shares a batch', async () => {
      const good = (i: number) => ({
        inputs: [
          { name: 'features', datatype: 'FP32', shape: [1, 4], data: [i, 0, 0, 0] },
          { name: 'ids', datatype: 'INT64', shape: [1], data: [i % 10] },
        ],
      });
      // A valid INT64 that the embedding cannot look up: it passes validation and fails inside onnxruntime.
      const bad = { inputs: [good(0).inputs[0]!, { name: 'ids', datatype: 'INT64', shape: [1], data: [12] }] };
      const settled = await Promise.allSettled([good(1), good(2), bad, good(3), good(4)].map((r) => serving.infer('multi', undefined, r)));
      assert.deepEqual(
        settled.map((s) => s.status),
        ['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
      );
      const reason = (settled[2] as PromiseRejectedResult).reason;
      assert.ok(reason instanceof InvalidArgumentError, String(reason));
      assert.match(reason.message, /onnxruntime could not run the model/);
      const [stats] = serving.statistics('multi');
      assert.equal(stats!.inferenceStats.fail.count, 1);
    });

    it('counts requests that fail validation as failures', async () => {
      const before = serving.statistics('mlp')[0]!.inferenceStats.fail.count;
      await assert.rejects(serving.infer('mlp', undefined, { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 5], data: [1, 2, 3, 4, 5] }] }), /dimension 1 is 5/);
      assert.equal(serving.statistics('mlp')[0]!.inferenceStats.fail.count, before + 1);
    });
  });

  describe('.statistics', () => {
    it('lists every loaded model, and refuses an unknown one', () => {
      const names = serving.statistics().map((s) => s.name);
      assert.ok(names.includes('mlp') && names.includes('multi'));
      assert.throws(() => serving.statistics('nope'), NotFoundError);
    });
  });
});
