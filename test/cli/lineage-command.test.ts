import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseLineageUri } from '../../src/cli/commands/lineage-command.js';
import type { LineageGraph } from '../../src/registry/lineage-types.js';
import { ferryCli, ferryJson } from '../helpers/ferry-cli.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { harnessOf, seedLineage, type LineageFixture } from '../registry/lineage-fixtures.js';
import { registryClient } from '../registry/registry-fixtures.js';

describe('ferry lineage', () => {
  let server: TestServer;
  let env: Record<string, string>;
  let f: LineageFixture;

  before(async () => {
    server = await startTestServer();
    env = { FERRY_URL: server.url };
    const c = registryClient(harnessOf(server.app));
    f = await seedLineage(c);
    await c.ok('POST', '/registered-models/alias', { name: f.model, alias: 'champion', version: '2' });
  });
  after(async () => {
    await server.close();
  });

  describe('parseLineageUri', () => {
    it('reads model, alias and run URIs', () => {
      assert.deepEqual(parseLineageUri('models:/fraud/3'), { model: 'fraud', version: 3 });
      assert.deepEqual(parseLineageUri('models:/fraud@champion'), { model: 'fraud', alias: 'champion' });
      assert.deepEqual(parseLineageUri('models:/fraud/latest'), { model: 'fraud', alias: 'latest' });
      assert.deepEqual(parseLineageUri('runs:/abc123/model'), { runId: 'abc123' });
    });

    it('refuses stages, logged models and other forms, naming the accepted ones', () => {
      assert.throws(() => parseLineageUri('models:/fraud/Production'), /stage/);
      assert.throws(() => parseLineageUri('models:/m-0123'), /logged model/);
      assert.throws(() => parseLineageUri('s3://bucket/model'), /models:\/NAME\/VERSION/);
    });
  });

  it('prints a version as a tree: run, params, metrics, code version, datasets, parent run', async () => {
    const r = await ferryCli(['lineage', `models:/${f.model}/1`], env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.equal(lines[0], `model version ${f.model} v1 · READY`);
    assert.match(r.stdout, new RegExp(`└── registered from run trainer \\(${f.runId.slice(0, 8)}\\) · RUNNING\\n`));
    assert.match(r.stdout, /\n {4}├── params: epochs=10, lr=0\.01\n/);
    assert.match(r.stdout, /\n {4}├── metrics: acc=0\.95, loss=0\.1\n/);
    assert.match(r.stdout, /\n {4}├── code: git 0123456789ab \(branch main, dirty\)\n/);
    assert.match(r.stdout, new RegExp(`├── trained on dataset ${f.train} \\(digest d1\\) \\[training\\]\\n`));
    assert.match(r.stdout, new RegExp(`├── trained on dataset ${f.evalSet} \\(digest d2\\) \\[evaluation\\]\\n`));
    assert.match(r.stdout, /└── child of run sweep \(\w{8}\) · RUNNING\n/);
  });

  it('follows an alias through the logged model, also as `ferry models lineage`', async () => {
    const r = await ferryCli(['models', 'lineage', `models:/${f.model}@champion`], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^model version ${f.model} v2 @champion · READY\\n`));
    assert.match(r.stdout, new RegExp(`└── registered from logged model clf \\(${f.modelId}\\)\\n {4}(├|└)── artifacts: .*\\n {4}└── produced by run trainer`));
  });

  it('prints a run with the versions registered from it', async () => {
    const r = await ferryCli(['lineage', `runs:/${f.runId}`], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^run trainer \(\w{8}\) · RUNNING\n/);
    assert.match(r.stdout, new RegExp(`── registered as model version ${f.model} v1 · READY\\n`));
    assert.match(r.stdout, new RegExp(`── produced logged model clf \\(${f.modelId}\\)\\n`));
    assert.match(r.stdout, new RegExp(`── registered as model version ${f.model} v2 @champion · READY\\n`));
  });

  it('prints the raw graph with --json', async () => {
    const g = await ferryJson<LineageGraph>(['lineage', `models:/${f.model}/2`], env);
    assert.deepEqual(g.roots, [`model_version:${f.model}/2`]);
    assert.ok(g.edges.some((e) => e.type === 'registered_as' && e.from === `logged_model:${f.modelId}`));
    assert.deepEqual(new Set(g.nodes.map((n) => n.type)), new Set(['model_version', 'logged_model', 'run', 'dataset', 'experiment']));
  });

  it('traces a dataset with --dataset and --digest', async () => {
    const g = await ferryJson<LineageGraph>(['lineage', '--dataset', f.train, '--digest', 'd1'], env);
    assert.deepEqual(g.roots, [`dataset:${f.train}@d1`]);
    assert.ok(g.nodes.some((n) => n.id === `run:${f.otherRunId}`));
    const r = await ferryCli(['lineage', '--dataset', f.train], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^dataset ${f.train} \\(digest d1\\)\\n├── source: local /data/${f.train}.csv\\n├── used by run`));
  });

  it('fails in one line for a bad URI or an unknown version', async () => {
    const bad = await ferryCli(['lineage', 'models:/fraud'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: Cannot read 'models:\/fraud' as a lineage subject\. Use models:\/NAME\/VERSION.*\n$/);
    const missing = await ferryCli(['lineage', `models:/${f.model}/99`], env);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: .*not found.*\n$/);
    const none = await ferryCli(['lineage'], env);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^error: Say what to trace/);
  });

  it('explains itself with examples in --help', async () => {
    const r = await ferryCli(['lineage', '--help'], env);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Examples:\n\s+\$ ferry lineage models:\/fraud\/3/);
  });
});
