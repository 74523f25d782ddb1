import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ArtifactStore } from '../../src/backends/artifacts/artifact-store.js';
import { proxyPathOf } from '../../src/backends/artifacts/artifact-path.js';
import { createArtifactStore } from '../../src/backends/select.js';
import { InvalidArgumentError, PermissionDeniedError } from '../../src/errors.js';
import { inspectModelPackage } from '../../src/registry/model-package/inspect-model-package.js';
import { parseMlModel } from '../../src/registry/model-package/mlmodel.js';
import { Ferry } from '../../src/sdk/ferry-client.js';
import type { Json } from '../../src/sdk/http-client.js';
import { buildAddModel, buildLinearModel, buildLinearModelWithExternalData, buildUnsupportedOpsetModel, corruptModelBytes } from '../helpers/onnx-builder.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const fastRetry = { retries: 2, baseDelayMs: 1, maxDelayMs: 5 };

describe('ModelsApi', () => {
  let server: TestServer;
  let ferry: Ferry;
  let store: ArtifactStore;

  before(async () => {
    server = await startTestServer();
    ferry = new Ferry({ url: server.url, retry: fastRetry });
    store = await createArtifactStore(server.config.artifactsUrl);
  });
  after(async () => {
    await store.close();
    await server.close();
  });

  const loggedModel = async (id: string) => (await ferry.http.mlflow<{ model: { info: Json; data: Json } }>('GET', `/logged-models/${id}`)).model;
  const loggedModelsIn = async (experimentId: string) =>
    (await ferry.http.mlflow<{ models?: Json[] }>('POST', '/logged-models/search', { experiment_ids: [experimentId] })).models ?? [];

  describe('.log', () => {
    it('logs an ONNX model as mlflow.onnx.log_model does in MLflow 3', async () => {
      const run = await ferry.runs.start({ experimentName: 'models-api', runName: 'linear', tags: { 'mlflow.source.name': 'train.ts' } });
      run.logParams({ lr: 0.01 });
      run.log({ accuracy: 0.91 });
      run.log({ accuracy: 0.95 }, { step: 1 });
      await run.flush();

      const out = await ferry.models.log(run.id, buildLinearModel({ inputs: 4, outputs: 2 }), { inputExample: [[1, 2, 3, 4]], metadata: { owner: 'team-a' } });
      assert.equal(out.modelUri, `runs:/${run.id}/model`);
      assert.match(out.loggedModelId, /^m-[0-9a-f]{32}$/);
      assert.equal(out.artifactUri, `mlflow-artifacts:/${run.info.experimentId}/models/${out.loggedModelId}/artifacts`);
      assert.equal(out.signatureInferred, true);
      assert.deepEqual(out.signature, { inputs: [{ name: 'x', dtype: 'float32', shape: [-1, 4] }], outputs: [{ name: 'y', dtype: 'float32', shape: [-1, 2] }] });

      // The logged model: ready, named after the artifact path, linked to the run, with its params, tags and step-0 metrics.
      const model = await loggedModel(out.loggedModelId);
      assert.equal(model.info.status, 'LOGGED_MODEL_READY');
      assert.equal(model.info.name, 'model');
      assert.equal(model.info.source_run_id, run.id);
      assert.deepEqual(model.data.params, [{ key: 'lr', value: '0.01' }]);
      assert.ok((model.info.tags as Json[]).some((t) => t.key === 'mlflow.source.name' && t.value === 'train.ts'));
      assert.deepEqual(
        (model.data.metrics as Json[]).map((m) => [m.key, m.value, m.step, m.model_id]),
        [['accuracy', 0.91, 0, out.loggedModelId]],
      );
      assert.deepEqual((await ferry.runs.get(run.id)).outputs.modelOutputs, [{ modelId: out.loggedModelId, step: 0 }]);

      // The package under the logged model passes Ferry's own checks.
      const info = await inspectModelPackage(store, proxyPathOf(out.artifactUri)!);
      assert.deepEqual(info.flavors, ['onnx', 'python_function']);
      assert.equal(info.signatureInferred, false);
      assert.deepEqual(info.signature, out.signature);
      assert.deepEqual(info.warnings, []);
      const mlmodel = info.mlmodel;
      assert.equal(mlmodel.artifactPath, out.artifactUri);
      assert.equal(mlmodel.modelId, out.loggedModelId);
      assert.equal(mlmodel.modelUuid, out.loggedModelId);
      assert.equal(mlmodel.runId, run.id);
      assert.equal(mlmodel.flavors.python_function.loader_module, 'mlflow.onnx');
      assert.deepEqual(mlmodel.metadata?.owner, 'team-a');
      assert.equal((mlmodel.metadata?.ferry as Json).signature_inferred, true);
      assert.deepEqual(mlmodel.savedInputExampleInfo, { artifactPath: 'input_example.json', type: 'ndarray', servingInputPath: 'serving_input_example.json' });

      // The same files in the run's artifacts, so runs:/<run>/model resolves by path.
      const files = (await ferry.artifacts.list(run.id, 'model')).map((f) => f.path);
      assert.deepEqual(files, [
        'model/MLmodel',
        'model/conda.yaml',
        'model/input_example.json',
        'model/model.onnx',
        'model/python_env.yaml',
        'model/requirements.txt',
        'model/serving_input_example.json',
      ]);
      assert.equal((await ferry.artifacts.download(run.id, 'model/input_example.json')).toString(), '[[1.0, 2.0, 3.0, 4.0]]');
      const runCopy = await inspectModelPackage(store, `${proxyPathOf(run.info.artifactUri)}/model`);
      assert.deepEqual(runCopy.mlmodel, mlmodel);
      await run.end();
    });

    it('writes a declared signature, a custom path and name, and can skip the run copy', async () => {
      const run = await ferry.runs.start({ experimentName: 'models-api' });
      const signature = {
        inputs: [
          { name: 'a', dtype: 'float32', shape: [-1, 3] },
          { name: 'b', dtype: 'float32', shape: [-1, 3] },
        ],
        outputs: [{ name: 'sum', dtype: 'float32', shape: [-1, 3] }],
      };
      const out = await ferry.models.log(run.id, buildAddModel(), { artifactPath: 'adder/v1', name: 'adder', signature, copyToRunArtifacts: false });
      assert.equal(out.modelUri, `runs:/${run.id}/adder/v1`);
      assert.equal(out.signatureInferred, false);
      assert.equal((await loggedModel(out.loggedModelId)).info.name, 'adder');
      const { stream } = await store.get(`${proxyPathOf(out.artifactUri)}/MLmodel`);
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      assert.deepEqual(parseMlModel(Buffer.concat(chunks).toString()).signature, signature);
      assert.deepEqual(await ferry.artifacts.list(run.id), []);
    });

    it('refuses a signature that disagrees with the graph before creating anything', async () => {
      const experimentId = await ferry.experiments.create('models-api-mismatch');
      const run = await ferry.runs.start({ experimentId });
      await assert.rejects(
        ferry.models.log(run.id, buildLinearModel({ inputs: 4, outputs: 2 }), { signature: { inputs: [{ name: 'x', dtype: 'float32', shape: [-1, 5] }] } }),
        (err: unknown) => {
          assert.ok(err instanceof InvalidArgumentError);
          assert.match(err.message, /^The signature disagrees with the ONNX graph: input 'x': dimension 1 is 5 in the signature, 4 in the graph \[batch, 4\]\.$/);
          return true;
        },
      );
      assert.deepEqual(await loggedModelsIn(experimentId), []);
      assert.deepEqual(await ferry.artifacts.list(run.id), []);
    });

    it('refuses corrupt bytes and an unsupported opset before creating anything', async () => {
      const experimentId = await ferry.experiments.create('models-api-bad-bytes');
      const run = await ferry.runs.start({ experimentId });
      await assert.rejects(ferry.models.log(run.id, corruptModelBytes()), (err: unknown) => err instanceof InvalidArgumentError && /not a valid ONNX model/.test(err.message));
      await assert.rejects(ferry.models.log(run.id, buildUnsupportedOpsetModel()), (err: unknown) => err instanceof InvalidArgumentError && /opset 99/.test(err.message));
      await assert.rejects(ferry.models.log(run.id, buildLinearModel({ inputs: 1, outputs: 1 }), { artifactPath: '../escape' }), InvalidArgumentError);
      assert.deepEqual(await loggedModelsIn(experimentId), []);
    });

    it('refuses a model whose tensors live in external files', async () => {
      const run = await ferry.runs.start({ experimentName: 'models-api' });
      const built = buildLinearModelWithExternalData({ inputs: 4, outputs: 2, externalFile: 'w.bin' });
      await assert.rejects(ferry.models.log(run.id, built.bytes), /keeps tensors in external files \(w\.bin\); save it with all tensors inline/);
    });

    it('marks the logged model upload-failed when an upload fails', async () => {
      const run = await ferry.runs.start({ experimentName: 'models-api' });
      // The artifact proxy refuses writes under models/: a permanent error, not retried.
      const refusing: typeof fetch = async (input, init) =>
        init?.method === 'PUT' && String(input).includes('/models/')
          ? new Response(JSON.stringify({ error_code: 'PERMISSION_DENIED', message: 'read-only' }), { status: 403 })
          : fetch(input, init);
      const client = new Ferry({ url: server.url, retry: fastRetry, fetch: refusing });
      await assert.rejects(client.models.log(run.id, buildLinearModel({ inputs: 4, outputs: 2 })), PermissionDeniedError);
      const failed = (await loggedModelsIn(run.info.experimentId)).find((m) => (m.info as Json).source_run_id === run.id);
      assert.ok(failed);
      assert.equal((failed.info as Json).status, 'LOGGED_MODEL_UPLOAD_FAILED');
    });
  });
});
