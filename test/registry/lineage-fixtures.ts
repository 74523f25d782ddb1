/** Lineage test data: a run with everything lineage reads, two versions from it, a second run sharing its dataset. */
import assert from 'node:assert/strict';
import type { LineageGraph, LineageNode } from '../../src/registry/lineage-types.js';
import type { FerryServer } from '../../src/server/build-server.js';
import { injectCall, type ApiHarness } from '../helpers/api-server.js';
import { unique, type RegistryClient } from './registry-fixtures.js';

export const COMMIT = '0123456789abcdef0123456789abcdef01234567';

export interface LineageFixture {
  model: string;
  runId: string;
  parentRunId: string;
  otherRunId: string;
  experimentId: string;
  modelId: string;
  train: string;
  evalSet: string;
}

/**
 * A trained run (child of a parent run) with git tags, params, metrics and
 * two dataset inputs; version 1 registered from its artifacts, version 2 from
 * the logged model it produced; a second run elsewhere that used the same
 * training data. Dataset names are unique, so suites can share a database.
 */
export async function seedLineage(c: RegistryClient): Promise<LineageFixture> {
  const run = await c.buildRun();
  const { runId, experimentId } = run;
  const parentRunId = (await c.ok('POST', '/runs/create', { experiment_id: experimentId, run_name: 'sweep', start_time: 1 })).run.info.run_id as string;
  const train = unique('train');
  const evalSet = unique('eval');
  await c.ok('POST', '/runs/log-batch', {
    run_id: runId,
    params: [
      { key: 'lr', value: '0.01' },
      { key: 'epochs', value: '10' },
    ],
    metrics: [
      { key: 'acc', value: 0.5, timestamp: 1, step: 0 },
      { key: 'acc', value: 0.95, timestamp: 2, step: 1 },
      { key: 'loss', value: 0.1, timestamp: 2, step: 1 },
    ],
    tags: [
      { key: 'mlflow.parentRunId', value: parentRunId },
      { key: 'mlflow.source.git.commit', value: COMMIT },
      { key: 'mlflow.source.git.branch', value: 'main' },
      { key: 'mlflow.source.git.dirty', value: 'true' },
      { key: 'mlflow.runName', value: 'trainer' },
    ],
  });
  const dataset = (name: string, digest: string, context: string) => ({
    tags: [{ key: 'mlflow.data.context', value: context }],
    dataset: { name, digest, source_type: 'local', source: `/data/${name}.csv`, profile: '{"num_rows": 100}' },
  });
  await c.ok('POST', '/runs/log-inputs', { run_id: runId, datasets: [dataset(train, 'd1', 'training'), dataset(evalSet, 'd2', 'evaluation')] });
  const logged = await c.ok('POST', '/logged-models', { experiment_id: experimentId, name: 'clf', source_run_id: runId });
  const modelId = logged.model.info.model_id as string;
  const model = unique('lineage-model');
  await c.createModel(model);
  await c.createVersion(model, `runs:/${runId}/model`);
  await c.createVersion(model, `models:/${modelId}`, { model_id: modelId });
  const other = await c.buildRun();
  await c.ok('POST', '/runs/log-inputs', { run_id: other.runId, datasets: [dataset(train, 'd1', 'training')] });
  return { model, runId, parentRunId, otherRunId: other.runId, experimentId, modelId, train, evalSet };
}

export function node(g: LineageGraph, id: string): LineageNode {
  const n = g.nodes.find((x) => x.id === id);
  assert.ok(n, `no node ${id} in ${g.nodes.map((x) => x.id).join(', ')}`);
  return n;
}

export function hasEdge(g: LineageGraph, from: string, to: string, type: string): boolean {
  return g.edges.some((e) => e.from === from && e.to === to && e.type === type);
}

/** An ApiHarness over an app that is already running (a `startTestServer` one), so registry fixtures can seed it. */
export function harnessOf(app: FerryServer): ApiHarness {
  return {
    app,
    call: injectCall(app),
    close: async () => undefined,
  };
}
