import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { openApiHarness, type ApiHarness } from '../helpers/api-server.js';
import { buildLinearModel, linearReference } from '../helpers/onnx-builder.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';
import { assertClose, packageFiles, registerPackage, torchReference, TORCH_FIXTURES, type TorchReference } from './serving-fixtures.js';

const sqlite = testDatabaseKinds().find((k) => k.name === 'sqlite')!;

async function torchFiles(name: string): Promise<Record<string, Buffer>> {
  const files: Record<string, Buffer> = {};
  for (const f of await readdir(`${TORCH_FIXTURES}${name}`)) if (f !== 'reference.json') files[f] = await readFile(`${TORCH_FIXTURES}${name}/${f}`);
  return files;
}

/** A 3-column model: y = x·W + b over columns a, b, c (a column-based MLflow signature). */
const COLUMNS = { inputs: 3, outputs: 2 };
const columnSignature = {
  inputs: [
    { name: 'a', type: 'float' },
    { name: 'b', type: 'float' },
    { name: 'c', type: 'float' },
  ],
  outputs: [{ name: 'y', dtype: 'float32', shape: [-1, 2] }],
};

describe('MLflow scoring routes', () => {
  let h: ApiHarness;
  let mlp: TorchReference;
  let multi: TorchReference;

  const invoke = async (model: string, body: unknown, contentType = 'application/json') => {
    const res = await h.app.inject({
      method: 'POST',
      url: `/models/${model}/invocations`,
      headers: { 'content-type': contentType },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.statusCode, body: res.headers['content-type']?.toString().startsWith('application/json') ? res.json() : res.body, headers: res.headers };
  };

  before(async () => {
    h = await openApiHarness(sqlite);
    mlp = await torchReference('torch-mlp');
    multi = await torchReference('torch-multi-io');
    await registerPackage(h, 'torch-mlp', await torchFiles('torch-mlp'));
    await registerPackage(h, 'torch-multi-io', await torchFiles('torch-multi-io'));
    await registerPackage(h, 'columns', packageFiles(buildLinearModel(COLUMNS), columnSignature));
    for (const [name, uri] of [
      ['mlp', 'models:/torch-mlp/1'],
      ['multi', 'models:/torch-multi-io/1'],
      ['columns', 'models:/columns/1'],
    ]) {
      const r = await h.call('POST', `/v2/repository/models/${name}/load`, { parameters: { uri } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }
  });
  after(async () => h.close());

  describe('tensor inputs', () => {
    it('answers "inputs" (one tensor) with a dict of output → nested list matching PyTorch', async () => {
      const r = await invoke('mlp', { inputs: mlp.inputs.x!.data });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(Object.keys(r.body.predictions), ['scores']);
      assertClose(r.body.predictions.scores.flat(), mlp.torch_outputs.scores!.data.flat(), 1e-4);
    });

    it('answers "instances" as a list of rows the same way', async () => {
      const r = await invoke('mlp', { instances: mlp.inputs.x!.data });
      assert.equal(r.status, 200);
      assertClose(r.body.predictions.scores.flat(), mlp.onnxruntime_outputs.scores!.data.flat(), 1e-5);
    });

    it('maps a dict of named tensors onto a multi-input model, returning every output', async () => {
      const r = await invoke('multi', { inputs: { features: multi.inputs.features!.data, ids: multi.inputs.ids!.data } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(Object.keys(r.body.predictions).sort(), ['label', 'logits', 'positive']);
      assertClose(r.body.predictions.logits.flat(), multi.torch_outputs.logits!.data.flat(), 1e-4);
      assert.deepEqual(r.body.predictions.label, multi.torch_outputs.label!.data);
      assert.deepEqual(r.body.predictions.positive, multi.torch_outputs.positive!.data);
    });

    it('maps "instances" given as records ({name: value} per row) onto named inputs', async () => {
      const rows = multi.inputs.features!.data.map((f: number[], i: number) => ({ features: f, ids: multi.inputs.ids!.data[i] }));
      const r = await invoke('multi', { instances: rows });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(r.body.predictions.label, multi.torch_outputs.label!.data);
    });

    it('accepts the serving_input_example.json MLflow saved with the model', async () => {
      const example = await readFile(`${TORCH_FIXTURES}torch-mlp/serving_input_example.json`, 'utf8');
      const r = await invoke('mlp', example);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.ok(Array.isArray(r.body.predictions.scores));
    });
  });

  describe('DataFrame inputs', () => {
    const rows = [
      [1, 2, 3],
      [0.5, -1, 4],
    ];
    const expected = linearReference(rows, COLUMNS);

    it('answers dataframe_split as records, columns in signature order', async () => {
      // Columns given out of order are put back in the signature's order (a, b, c).
      const r = await invoke('columns', { dataframe_split: { columns: ['c', 'a', 'b'], data: rows.map(([a, b, c]) => [c, a, b]) } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.predictions.length, 2);
      assertClose(r.body.predictions.flatMap((p: any) => p.y), expected.flat(), 1e-5);
    });

    it('answers dataframe_records the same way', async () => {
      const r = await invoke('columns', { dataframe_records: rows.map(([a, b, c]) => ({ a, b, c })) });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assertClose(r.body.predictions.flatMap((p: any) => p.y), expected.flat(), 1e-5);
    });

    it('reads a text/csv body with a header row', async () => {
      const csv = `a,b,c\n${rows.map((r) => r.join(',')).join('\n')}\n`;
      const r = await invoke('columns', csv, 'text/csv');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assertClose(r.body.predictions.flatMap((p: any) => p.y), expected.flat(), 1e-5);
    });

    it('maps one column per input on a multi-input model, with one record per row', async () => {
      const data = multi.inputs.features!.data.map((f: number[], i: number) => [f, multi.inputs.ids!.data[i]]);
      const r = await invoke('multi', { dataframe_split: { columns: ['features', 'ids'], data } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(
        r.body.predictions.map((p: any) => p.label),
        multi.torch_outputs.label!.data,
      );
      assert.deepEqual(r.body.predictions[0].positive, multi.torch_outputs.positive!.data[0]);
    });
  });

  describe('bad input', () => {
    const expectBadRequest = async (r: { status: number; body: any }, pattern: RegExp) => {
      assert.equal(r.status, 400, JSON.stringify(r.body));
      assert.deepEqual(Object.keys(r.body).sort(), ['error_code', 'message']);
      assert.equal(r.body.error_code, 'BAD_REQUEST');
      assert.match(r.body.message, pattern);
    };

    it('refuses a body with no or several input fields', async () => {
      await expectBadRequest(await invoke('mlp', { data: [[1]] }), /exactly one of the input fields/);
      await expectBadRequest(await invoke('mlp', { inputs: [], instances: [] }), /exactly one of the input fields/);
      await expectBadRequest(await invoke('mlp', [[1, 2]]), /Received a list/);
    });

    it('refuses malformed JSON', async () => {
      await expectBadRequest(await invoke('mlp', '{"inputs": [1,'), /Failed to parse input from JSON/);
    });

    it('names the input and what was expected for a wrong shape or value', async () => {
      await expectBadRequest(await invoke('mlp', { inputs: [[1, 2, 3]] }), /'x'.*dimension 1 is 3, the model expects 6/);
      await expectBadRequest(await invoke('mlp', { inputs: [[1, 2, 3, 4, 5, 'six']] }), /'x'.*not a number/);
      await expectBadRequest(await invoke('mlp', { inputs: [[1, 2, 3, 4, 5, 6], [1]] }), /ragged/);
    });

    it('refuses a missing column and a single tensor for a multi-input model', async () => {
      await expectBadRequest(await invoke('columns', { dataframe_records: [{ a: 1, b: 2 }] }), /missing column 'c'/);
      await expectBadRequest(await invoke('multi', { inputs: [[1, 2, 3, 4]] }), /2 inputs/);
      await expectBadRequest(await invoke('multi', { inputs: { features: [[1, 2, 3, 4]] } }), /Missing input 'ids'/);
    });

    it('answers 415 for an unsupported content type or charset', async () => {
      const r = await invoke('mlp', 'x', 'application/xml');
      assert.equal(r.status, 415);
      assert.match(r.body.message, /only supports the following content types/);
      assert.match((await invoke('mlp', '{}', 'application/json; charset=latin1')).body.message, /only supports UTF-8/);
    });

    it('answers 404 in MLflow shape for a model that is not loaded', async () => {
      const r = await invoke('nope', { inputs: [[1]] });
      assert.equal(r.status, 404);
      assert.equal(r.body.error_code, 'RESOURCE_DOES_NOT_EXIST');
    });
  });

  describe('probes', () => {
    it('GET /ping, /health and /version answer 200', async () => {
      for (const url of ['/ping', '/health', '/version']) assert.equal((await h.app.inject({ method: 'GET', url })).statusCode, 200, url);
    });
  });
});
