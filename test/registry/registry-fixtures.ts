/**
 * Factories for registry tests: experiments, runs with model files, registered
 * models and versions, made through the MLflow API of an in-process Ferry.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { ApiHarness } from '../helpers/api-server.js';

export const API = '/api/2.0/mlflow';
export const ARTIFACTS = '/api/2.0/mlflow-artifacts/artifacts';
export const AUDIT = '/api/ferry/v1/audit';

/** An ONNX package as `mlflow.onnx.log_model` (3.11.1) writes it, with a declared signature. */
export const ONNX_PACKAGE_DIR = fileURLToPath(new URL('../fixtures/mlflow-onnx-package/mlflow3-signature/', import.meta.url));

let seq = 0;
export const unique = (prefix: string): string => `${prefix}-${Date.now().toString(36)}-${(seq++).toString(36)}`;

export function registryClient(h: ApiHarness) {
  /** Calls an endpoint and asserts 200, showing the body otherwise. */
  async function ok(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<any> {
    const r = await h.call(method, path.startsWith('/') && !path.startsWith('/api') ? `${API}${path}` : path, body, headers);
    assert.equal(r.status, 200, `${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** Calls an MLflow endpoint that must fail with `errorCode` (and `status`). */
  async function fails(method: string, path: string, body: unknown, errorCode: string, status?: number): Promise<string> {
    const r = await h.call(method, `${API}${path}`, body);
    assert.equal(r.body?.error_code, errorCode, `${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
    if (status !== undefined) assert.equal(r.status, status, JSON.stringify(r.body));
    return r.body.message as string;
  }

  async function putArtifact(path: string, content: string | Buffer): Promise<void> {
    const r = await h.app.inject({ method: 'PUT', url: `${ARTIFACTS}/${path}`, payload: content, headers: { 'content-type': 'application/octet-stream' } });
    assert.equal(r.statusCode, 200, r.body);
  }

  /** A run (in a fresh experiment) whose artifacts hold `model/MLmodel` of the given flavor. */
  async function buildRun(options: { mlmodel?: string; files?: Record<string, string | Buffer> } = {}): Promise<{ runId: string; experimentId: string; artifactUri: string }> {
    const experimentId = (await ok('POST', '/experiments/create', { name: unique('reg-exp') })).experiment_id as string;
    const run = (await ok('POST', '/runs/create', { experiment_id: experimentId, start_time: 1 })).run;
    const artifactUri = run.info.artifact_uri as string;
    const root = artifactUri.replace(/^mlflow-artifacts:\/+/, '');
    const files = options.files ?? { 'model/MLmodel': options.mlmodel ?? 'flavors:\n  python_function:\n    loader_module: mlflow.pyfunc.model\n' };
    for (const [path, content] of Object.entries(files)) await putArtifact(`${root}/${path}`, content);
    return { runId: run.info.run_id as string, experimentId, artifactUri };
  }

  /** A run whose `model` folder holds a real ONNX package (MLmodel with the onnx flavor, model.onnx). */
  async function buildOnnxRun(): Promise<{ runId: string; experimentId: string; artifactUri: string }> {
    const files: Record<string, Buffer> = {};
    for (const f of ['MLmodel', 'model.onnx', 'input_example.json', 'serving_input_example.json']) {
      files[`model/${f}`] = await readFile(`${ONNX_PACKAGE_DIR}${f}`);
    }
    return buildRun({ files });
  }

  async function createModel(name = unique('model'), extra: Record<string, unknown> = {}): Promise<any> {
    return (await ok('POST', '/registered-models/create', { name, ...extra })).registered_model;
  }

  async function createVersion(name: string, source: string, extra: Record<string, unknown> = {}): Promise<any> {
    return (await ok('POST', '/model-versions/create', { name, source, ...extra })).model_version;
  }

  /** A registered model with `count` versions from one run's `model` folder. */
  async function modelWithVersions(count: number, name = unique('model')): Promise<{ name: string; runId: string; artifactUri: string }> {
    const run = await buildRun();
    await createModel(name);
    for (let i = 0; i < count; i++) await createVersion(name, `runs:/${run.runId}/model`);
    return { name, runId: run.runId, artifactUri: run.artifactUri };
  }

  async function audit(query: Record<string, unknown>): Promise<any[]> {
    return (await ok('GET', AUDIT, query)).entries;
  }

  return { ok, fails, putArtifact, buildRun, buildOnnxRun, createModel, createVersion, modelWithVersions, audit };
}

export type RegistryClient = ReturnType<typeof registryClient>;
