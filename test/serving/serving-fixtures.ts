/** Models and packages for the serving tests. */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { buildOnnxMlModel, stringifyMlModel, type ModelSignature } from '../../src/registry/model-package/index.js';
import type { LoadablePackage } from '../../src/serving/model-runtime.js';
import type { ApiHarness } from '../helpers/api-server.js';
import { buildModel, linearWeights } from '../helpers/onnx-builder.js';

/** Packages exported by PyTorch and saved by MLflow (see test/fixtures/serving/generate.py). */
export const TORCH_FIXTURES = fileURLToPath(new URL('../fixtures/serving/', import.meta.url));

export interface TorchReference {
  inputs: Record<string, { dtype: string; data: any[] }>;
  torch_outputs: Record<string, { dtype: string; data: any[] }>;
  onnxruntime_outputs: Record<string, { dtype: string; data: any[] }>;
}

export const torchFixtureDir = (name: 'torch-mlp' | 'torch-multi-io') => `${TORCH_FIXTURES}${name}`;

export async function torchReference(name: 'torch-mlp' | 'torch-multi-io'): Promise<TorchReference> {
  return JSON.parse(await readFile(`${torchFixtureDir(name)}/reference.json`, 'utf8')) as TorchReference;
}

/** The files of an MLflow ONNX package around `bytes` (MLmodel with the onnx flavor, model.onnx). */
export function packageFiles(bytes: Uint8Array, signature?: ModelSignature): Record<string, string | Uint8Array> {
  return { MLmodel: stringifyMlModel(buildOnnxMlModel({ signature, modelSizeBytes: bytes.length })), 'model.onnx': bytes };
}

/** A package as a runtime takes it, straight from bytes. */
export function loadable(bytes: Uint8Array): LoadablePackage {
  return {
    info: { mlmodel: {} as never, flavors: ['onnx', 'python_function'], signatureInferred: true, warnings: [] },
    onnx: { file: 'model.onnx', bytes, externalData: new Map() },
  };
}

/**
 * A model that computes for a while on a small input: `layers` MatMuls by
 * one shared width×width matrix (kept near identity so values stay finite).
 * x: FP32 [batch, width] → y: FP32 [batch, width].
 */
export function buildHeavyModel(layers = 24, width = 256): Buffer {
  const w = Array.from({ length: width * width }, (_, k) => (Math.floor(k / width) === k % width ? 0.5 : 0.5 / width));
  const nodes = Array.from({ length: layers }, (_, i) => ({ op: 'MatMul', inputs: [i === 0 ? 'x' : `h${i}`, 'W'], outputs: [i === layers - 1 ? 'y' : `h${i + 1}`] }));
  return buildModel({
    graphName: 'heavy',
    nodes,
    inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', width] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', width] }],
    initializers: [{ name: 'W', dtype: 'float32', dims: [width, width], values: w }],
  });
}

/** What `buildHeavyModel` computes for one row: each layer maps v to 0.5 v + 0.5 mean(v). */
export function heavyReference(row: number[], layers = 24): number[] {
  let v = row;
  for (let i = 0; i < layers; i++) {
    const mean = v.reduce((s, x) => s + x, 0) / v.length;
    v = v.map((x) => 0.5 * x + 0.5 * mean);
  }
  return v;
}

export { linearWeights };

/** Numbers close enough for float32 math done in another order. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5, what = 'values'): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const e = Number(expected[i]);
    assert.ok(Math.abs(a - e) <= tolerance * Math.max(1, Math.abs(e)), `${what}[${i}]: ${a} vs ${e}`);
  }
}

let seq = 0;
const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${(seq++).toString(36)}`;

/**
 * Registers `files` as a new version of model `name` through the MLflow API
 * (uploaded into a run's `model` folder, then `model-versions/create`). Returns the version number.
 */
export async function registerPackage(h: ApiHarness, name: string, files: Record<string, string | Uint8Array>): Promise<number> {
  const ok = async (path: string, body: unknown) => {
    const r = await h.call('POST', `/api/2.0/mlflow${path}`, body);
    assert.equal(r.status, 200, `${path} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  const experimentId = (await ok('/experiments/create', { name: unique('serving-exp') })).experiment_id;
  const run = (await ok('/runs/create', { experiment_id: experimentId })).run;
  const root = String(run.info.artifact_uri).replace(/^mlflow-artifacts:\/+/, '');
  for (const [file, body] of Object.entries(files)) {
    const r = await h.app.inject({
      method: 'PUT',
      url: `/api/2.0/mlflow-artifacts/artifacts/${root}/model/${file}`,
      payload: Buffer.from(body),
      headers: { 'content-type': 'application/octet-stream' },
    });
    assert.equal(r.statusCode, 200, r.body);
  }
  const existing = await h.call('GET', '/api/2.0/mlflow/registered-models/get', { name });
  if (existing.status !== 200) await ok('/registered-models/create', { name });
  const mv = (await ok('/model-versions/create', { name, source: `runs:/${run.info.run_id}/model` })).model_version;
  return Number(mv.version);
}

export async function setAlias(h: ApiHarness, name: string, alias: string, version: number): Promise<void> {
  const r = await h.call('POST', '/api/2.0/mlflow/registered-models/alias', { name, alias, version: String(version) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
}
