import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FERRY_VERSION } from '../../src/version.js';
import { openApiHarness, type ApiHarness } from '../helpers/api-server.js';
import { buildLinearModel, linearReference } from '../helpers/onnx-builder.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';
import { assertClose, buildHeavyModel, packageFiles, registerPackage, setAlias, torchReference, type TorchReference } from './serving-fixtures.js';
import { readFile, readdir } from 'node:fs/promises';
import { TORCH_FIXTURES } from './serving-fixtures.js';

const sqlite = testDatabaseKinds().find((k) => k.name === 'sqlite')!;

/** The files of a committed PyTorch fixture package. */
async function torchFiles(name: string): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {};
  for (const f of await readdir(`${TORCH_FIXTURES}${name}`)) if (f !== 'reference.json') files[f] = await readFile(`${TORCH_FIXTURES}${name}/${f}`);
  return files;
}

describe('Open Inference Protocol routes', () => {
  let h: ApiHarness;
  let mlp: TorchReference;
  let multi: TorchReference;

  const load = (name: string, parameters: Record<string, unknown>) => h.call('POST', `/v2/repository/models/${name}/load`, { parameters });
  const infer = (path: string, body: unknown, headers?: Record<string, string>) => h.call('POST', `/v2/models/${path}/infer`, body, headers);
  const mlpInput = (rows: unknown[][]) => ({ name: 'x', datatype: 'FP32', shape: [rows.length, 6], data: rows });

  before(async () => {
    h = await openApiHarness(sqlite);
    mlp = await torchReference('torch-mlp');
    multi = await torchReference('torch-multi-io');
    const v = await registerPackage(h, 'torch-mlp', await torchFiles('torch-mlp'));
    await setAlias(h, 'torch-mlp', 'production', v);
    await registerPackage(h, 'torch-multi-io', await torchFiles('torch-multi-io'));
    // MLflow accepts a package without the onnx flavor; it registers, but Ferry cannot serve it.
    await registerPackage(h, 'pyfunc-only', { MLmodel: 'flavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n' });
    // Long to compute (~2 GFLOP a request) for a short body, so requests pile up faster than they run.
    await registerPackage(h, 'heavy', packageFiles(buildHeavyModel(200)));
  });
  after(async () => h.close());

  describe('health and metadata', () => {
    it('GET /v2/health/live and /v2/health/ready answer 200', async () => {
      assert.deepEqual(await h.call('GET', '/v2/health/live'), { status: 200, body: { live: true } });
      assert.deepEqual(await h.call('GET', '/v2/health/ready'), { status: 200, body: { ready: true } });
    });

    it('GET /v2 describes the server and its extensions', async () => {
      assert.deepEqual((await h.call('GET', '/v2')).body, { name: 'ferry', version: FERRY_VERSION, extensions: ['model_repository', 'statistics', 'binary_tensor_data'] });
    });
  });

  describe('model repository', () => {
    it('loads a model from the registry by alias, and lists it', async () => {
      const r = await load('mlp', { uri: 'models:/torch-mlp@production' });
      assert.deepEqual(r, { status: 200, body: { name: 'mlp', version: '1', state: 'READY', reason: '' } });
      const index = await h.call('POST', '/v2/repository/index', {});
      assert.deepEqual(index.body.find((e: any) => e.name === 'mlp'), { name: 'mlp', version: '1', state: 'READY', reason: '' });
      assert.equal((await h.call('GET', '/v2/repository/index')).status, 200);
    });

    it('serves GET /v2/models/{name}[/versions/{v}] metadata and /ready', async () => {
      const meta = {
        name: 'mlp',
        versions: ['1'],
        platform: 'onnxruntime_onnx',
        inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 6] }],
        outputs: [{ name: 'scores', datatype: 'FP32', shape: [-1, 3] }],
      };
      assert.deepEqual(await h.call('GET', '/v2/models/mlp'), { status: 200, body: meta });
      assert.deepEqual(await h.call('GET', '/v2/models/mlp/versions/1'), { status: 200, body: meta });
      assert.deepEqual(await h.call('GET', '/v2/models/mlp/ready'), { status: 200, body: { name: 'mlp', ready: true } });
      assert.equal((await h.call('GET', '/v2/models/mlp/versions/1/ready')).status, 200);
      const wrong = await h.call('GET', '/v2/models/mlp/versions/7');
      assert.equal(wrong.status, 404);
      assert.match(wrong.body.error, /version '7' is not loaded; version 1 is/);
      assert.equal((await h.call('GET', '/v2/models/nope')).status, 404);
      assert.equal((await h.call('GET', '/v2/models/nope/ready')).status, 404);
    });

    it('defaults to models:/NAME/latest when the load names no URI', async () => {
      const r = await h.call('POST', '/v2/repository/models/torch-multi-io/load');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.state, 'READY');
    });

    it('answers 404 for a URI that names nothing, and 403 for a local path', async () => {
      const missing = await load('ghost', { uri: 'models:/no-such-model@production' });
      assert.equal(missing.status, 404);
      assert.ok(typeof missing.body.error === 'string' && missing.body.error.length > 0);
      const local = await load('local', { uri: '/etc' });
      assert.equal(local.status, 403);
      assert.match(local.body.error, /FERRY_SERVE_MODELS/);
    });

    it('refuses unknown or mistyped load parameters with 400', async () => {
      assert.match((await load('x', { uri: 'models:/torch-mlp/1', colour: 'red' })).body.error, /Unknown load parameter 'colour'/);
      assert.equal((await load('x', { uri: 'models:/torch-mlp/1', max_batch_size: 'big' })).status, 400);
      assert.equal((await load('x', { uri: 'models:/torch-mlp/1', thread: 'gpu' })).status, 400);
      assert.equal((await h.call('POST', '/v2/repository/models/x/load', { parameters: 'uri' })).status, 400);
    });

    it('lists a model that fails to load as UNAVAILABLE while the others keep serving', async () => {
      const r = await load('pyfunc', { uri: 'models:/pyfunc-only/1' });
      assert.equal(r.status, 400);
      assert.match(r.body.error, /no onnx flavor/);
      const entry = (await h.call('POST', '/v2/repository/index', { ready: false })).body.find((e: any) => e.name === 'pyfunc');
      assert.equal(entry.state, 'UNAVAILABLE');
      assert.match(entry.reason, /no onnx flavor/);
      const ready = await h.call('GET', '/v2/models/pyfunc/ready');
      assert.equal(ready.status, 503);
      assert.match(ready.body.error, /not ready: UNAVAILABLE/);
      const inf = await infer('pyfunc', { inputs: [] });
      assert.equal(inf.status, 503);
      assert.equal((await infer('mlp', { inputs: [mlpInput([mlp.inputs.x!.data[0]])] })).status, 200);
      assert.ok(!(await h.call('POST', '/v2/repository/index', { ready: true })).body.some((e: any) => e.name === 'pyfunc'));
      // Models loaded by API do not make the server unready.
      assert.equal((await h.call('GET', '/v2/health/ready')).status, 200);
    });

    it('keeps a served registered version from being deleted', async () => {
      const r = await h.call('DELETE', '/api/2.0/mlflow/model-versions/delete', { name: 'torch-mlp', version: '1' });
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.match(r.body.message, /version 1 is served as model 'mlp'/);
      const whole = await h.call('DELETE', '/api/2.0/mlflow/registered-models/delete', { name: 'torch-mlp' });
      assert.match(whole.body.message, /served as model 'mlp'/);
    });

    it('unloads a model: it answers 404 after, and the index says why', async () => {
      assert.equal((await load('temp', { uri: 'models:/torch-mlp/1' })).status, 200);
      const r = await h.call('POST', '/v2/repository/models/temp/unload');
      assert.deepEqual(r, { status: 200, body: { name: 'temp', version: '1', state: 'UNAVAILABLE', reason: 'unloaded' } });
      assert.equal((await infer('temp', { inputs: [mlpInput([mlp.inputs.x!.data[0]])] })).status, 404);
      assert.equal((await h.call('POST', '/v2/repository/models/never/unload')).status, 404);
    });
  });

  describe('POST /v2/models/{name}/infer', () => {
    it('matches PyTorch with nested data, echoing id and parameters', async () => {
      const r = await infer('mlp', { id: 'req-1', parameters: { trace: true, user: 'a' }, inputs: [mlpInput(mlp.inputs.x!.data)] });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.model_name, 'mlp');
      assert.equal(r.body.model_version, '1');
      assert.equal(r.body.id, 'req-1');
      assert.deepEqual(r.body.parameters, { trace: true, user: 'a' });
      assert.deepEqual(r.body.outputs.map((o: any) => [o.name, o.datatype, o.shape]), [['scores', 'FP32', [5, 3]]]);
      assertClose(r.body.outputs[0].data, (mlp.torch_outputs.scores!.data as number[][]).flat(), 1e-5, 'scores vs torch');
    });

    it('gives the same answer for flattened data and for the versioned URL', async () => {
      const nested = await infer('mlp', { inputs: [mlpInput(mlp.inputs.x!.data)] });
      const flat = await infer('mlp/versions/1', { inputs: [{ ...mlpInput(mlp.inputs.x!.data), data: (mlp.inputs.x!.data as number[][]).flat() }] });
      assert.equal(flat.status, 200);
      assert.deepEqual(flat.body.outputs, nested.body.outputs);
      assert.equal(nested.body.id, undefined);
      assert.equal((await infer('mlp/versions/2', { inputs: [mlpInput(mlp.inputs.x!.data)] })).status, 404);
    });

    it('returns INT64 and BOOL outputs as JSON numbers and booleans, and only the outputs asked for', async () => {
      const inputs = [
        { name: 'features', datatype: 'FP32', shape: [4, 4], data: multi.inputs.features!.data },
        { name: 'ids', datatype: 'INT64', shape: [4], data: multi.inputs.ids!.data },
      ];
      const all = await infer('torch-multi-io', { inputs });
      assert.equal(all.status, 200, JSON.stringify(all.body));
      const byName = Object.fromEntries(all.body.outputs.map((o: any) => [o.name, o]));
      assert.deepEqual(byName.label, { name: 'label', datatype: 'INT64', shape: [4], data: multi.torch_outputs.label!.data });
      assert.deepEqual(byName.positive, { name: 'positive', datatype: 'BOOL', shape: [4], data: multi.torch_outputs.positive!.data });
      assertClose(byName.logits.data, (multi.torch_outputs.logits!.data as number[][]).flat());
      const some = await infer('torch-multi-io', { inputs, outputs: [{ name: 'positive' }, { name: 'label' }] });
      assert.deepEqual(
        some.body.outputs.map((o: any) => o.name),
        ['positive', 'label'],
      );
      const unknown = await infer('torch-multi-io', { inputs, outputs: [{ name: 'nope' }] });
      assert.equal(unknown.status, 400);
      assert.match(unknown.body.error, /Unknown output 'nope'/);
    });

    it('answers 400 naming the input for each kind of bad input', async () => {
      const row = mlp.inputs.x!.data[0] as number[];
      const cases: Array<[unknown, RegExp]> = [
        [{ inputs: [] }, /needs "inputs"/],
        [{ inputs: [mlpInput([row]), { name: 'extra', datatype: 'FP32', shape: [1], data: [1] }] }, /Unknown input 'extra'/],
        [{ inputs: [{ ...mlpInput([row]), datatype: 'FP64' }] }, /'x' has datatype FP64; the model expects FP32/],
        [{ inputs: [{ ...mlpInput([row]), shape: [6] }] }, /'x' has shape \[6\], rank 1/],
        [{ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 5], data: row.slice(0, 5) }] }, /dimension 1 is 5, the model expects 6/],
        [{ inputs: [mlpInput([[...row.slice(0, 5), 'six']])] }, /element data\[0\]\[5\] is "six", not a number/],
        [{ inputs: [{ ...mlpInput([row, row]), data: [row, row.slice(0, 5)] }] }, /'x' is ragged/],
        [{ inputs: [{ ...mlpInput([row]), data: row.slice(0, 5) }] }, /'x' has 5 values, but shape \[1, 6\] holds 6/],
        [{ inputs: [{ name: 'x', shape: [1, 6], data: row }] }, /'x' needs "datatype"/],
        [{ id: 7, inputs: [mlpInput([row])] }, /"id" must be a string/],
        [[1, 2], /must be a JSON object/],
      ];
      for (const [body, pattern] of cases) {
        const r = await infer('mlp', body);
        assert.equal(r.status, 400, `${JSON.stringify(body).slice(0, 80)} → ${r.status} ${JSON.stringify(r.body)}`);
        assert.deepEqual(Object.keys(r.body), ['error']);
        assert.match(r.body.error, pattern);
      }
      const badJson = await infer('mlp', '{"inputs": [');
      assert.equal(badJson.status, 400);
      assert.match(badJson.body.error, /Malformed JSON/);
    });

    it('answers 404 for an unknown model', async () => {
      const r = await infer('nope', { inputs: [] });
      assert.equal(r.status, 404);
      assert.match(r.body.error, /Model 'nope' is not loaded/);
    });

    it('reads a body sent with a non-JSON content type (curl -d)', async () => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/v2/models/mlp/infer',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: JSON.stringify({ inputs: [mlpInput([mlp.inputs.x!.data[0]])] }),
      });
      assert.equal(res.statusCode, 200, res.body);
    });

    it('answers a flood beyond the queue with 503 and Retry-After, and serves the rest', async () => {
      assert.equal((await load('heavy', { uri: 'models:/heavy/1', max_queue_size: 1, max_batch_size: 1 })).status, 200);
      const x = Array.from({ length: 64 }, (_, i) => Array.from({ length: 256 }, (_v, j) => ((i + j) % 5) - 2));
      const body = JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [64, 256], data: x }] });
      const responses = await Promise.all(
        Array.from({ length: 8 }, () => h.app.inject({ method: 'POST', url: '/v2/models/heavy/infer', headers: { 'content-type': 'application/json' }, payload: body })),
      );
      const statuses = responses.map((r) => r.statusCode);
      assert.ok(statuses.includes(200) && statuses.includes(503), statuses.join(','));
      for (const r of responses.filter((x) => x.statusCode === 503)) {
        assert.equal(r.headers['retry-after'], '1');
        assert.match(JSON.parse(r.body).error, /overloaded/);
      }
      const [stats] = (await h.call('GET', '/v2/models/heavy/stats')).body.model_stats;
      assert.equal(stats.inference_stats.fail.count, statuses.filter((s) => s === 503).length);
    });

    it('exchanges binary tensor data (Triton extension) both ways', async () => {
      const rows = mlp.inputs.x!.data as number[][];
      const bytes = Buffer.from(new Float32Array(rows.flat()).buffer);
      const json = Buffer.from(
        JSON.stringify({
          inputs: [{ name: 'x', datatype: 'FP32', shape: [5, 6], parameters: { binary_data_size: bytes.length } }],
          outputs: [{ name: 'scores', parameters: { binary_data: true } }],
        }),
      );
      const res = await h.app.inject({
        method: 'POST',
        url: '/v2/models/mlp/infer',
        headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(json.length) },
        payload: Buffer.concat([json, bytes]),
      });
      assert.equal(res.statusCode, 200, res.body);
      const headerLength = Number(res.headers['inference-header-content-length']);
      const header = JSON.parse(res.rawPayload.subarray(0, headerLength).toString('utf8'));
      assert.deepEqual(header.outputs, [{ name: 'scores', datatype: 'FP32', shape: [5, 3], parameters: { binary_data_size: 60 } }]);
      const tail = res.rawPayload.subarray(headerLength);
      const scores = new Float32Array(tail.buffer.slice(tail.byteOffset, tail.byteOffset + tail.length));
      assertClose(scores, (mlp.torch_outputs.scores!.data as number[][]).flat());
      const short = await h.app.inject({
        method: 'POST',
        url: '/v2/models/mlp/infer',
        headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(json.length) },
        payload: Buffer.concat([json, bytes.subarray(0, 20)]),
      });
      assert.equal(short.statusCode, 400);
      assert.match(JSON.parse(short.body).error, /announces 120 bytes of binary data, but only 20 remain/);
    });
  });

  describe('statistics', () => {
    it('counts rows in inference_count and runtime calls in execution_count', async () => {
      assert.equal((await load('counted', { uri: 'models:/torch-mlp/1' })).status, 200);
      const rows = mlp.inputs.x!.data as number[][];
      const responses = await Promise.all(Array.from({ length: 30 }, (_, i) => infer('counted', { id: String(i), inputs: [mlpInput([rows[i % 5]!])] })));
      responses.forEach((r, i) => {
        assert.equal(r.body.id, String(i));
        assertClose(r.body.outputs[0].data, (mlp.torch_outputs.scores!.data as number[][])[i % 5]!, 1e-5, `request ${i}`);
      });
      await infer('counted', { inputs: [mlpInput(rows)] });
      const { body } = await h.call('GET', '/v2/models/counted/stats');
      const [s] = body.model_stats;
      assert.equal(s.name, 'counted');
      assert.equal(s.version, '1');
      assert.equal(s.inference_count, 35);
      assert.ok(s.execution_count < 31, `execution_count ${s.execution_count}`);
      assert.equal(s.inference_stats.success.count, 31);
      assert.ok(s.inference_stats.success.ns > 0 && s.inference_stats.compute_infer.ns > 0);
      assert.ok(s.batch_stats.some((b: any) => b.batch_size > 1));
      assert.equal(s.queue_depth, 0);
      assert.ok(s.last_inference > 0);
      assert.deepEqual((await h.call('GET', '/v2/models/counted/versions/1/stats')).body, body);
      const all = (await h.call('GET', '/v2/models/stats')).body.model_stats.map((m: any) => m.name);
      assert.ok(all.includes('counted') && all.includes('mlp'));
      assert.equal((await h.call('GET', '/v2/models/nope/stats')).status, 404);
    });
  });
});

describe('Open Inference Protocol: models served from start (FERRY_SERVE_MODELS)', () => {
  it('loads them in the background and is ready once they are; a failing one keeps the server unready', async () => {
    const dir = `${TORCH_FIXTURES}torch-mlp`;
    const h = await openApiHarness(sqlite, { serveModels: `scorer=${dir}` });
    try {
      let ready = await h.call('GET', '/v2/health/ready');
      for (let i = 0; i < 100 && ready.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 20));
        ready = await h.call('GET', '/v2/health/ready');
      }
      assert.equal(ready.status, 200);
      const x = [[1, 2, 3, 4, 5, 6]];
      const r = await h.call('POST', '/v2/models/scorer/infer', { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 6], data: x }] });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    } finally {
      await h.close();
    }
    const broken = await openApiHarness(sqlite, { serveModels: 'a=models:/not-registered@production' });
    try {
      let ready = await broken.call('GET', '/v2/health/ready');
      for (let i = 0; i < 100 && !/UNAVAILABLE/.test(ready.body.error ?? ''); i++) {
        await new Promise((r) => setTimeout(r, 20));
        ready = await broken.call('GET', '/v2/health/ready');
      }
      assert.equal(ready.status, 503);
      assert.match(ready.body.error, /a \(UNAVAILABLE: .*not-registered/);
    } finally {
      await broken.close();
    }
  });
});

describe('Open Inference Protocol: a linear model from Ferry-built ONNX', () => {
  it('matches the TypeScript reference through the HTTP API', async () => {
    const h = await openApiHarness(sqlite);
    try {
      const o = { inputs: 4, outputs: 2, relu: true };
      await registerPackage(h, 'lin', packageFiles(buildLinearModel(o)));
      assert.equal((await h.call('POST', '/v2/repository/models/lin/load', { parameters: { uri: 'models:/lin/1', thread: 'main' } })).status, 200);
      const x = [
        [1, -2, 3, 0.5],
        [0, 0, 0, 0],
      ];
      const r = await h.call('POST', '/v2/models/lin/infer', { inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 4], data: x }] });
      assertClose(r.body.outputs[0].data, linearReference(x, o).flat());
    } finally {
      await h.close();
    }
  });
});
