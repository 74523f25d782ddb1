import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compareRuns } from '../../src/cli/commands/runs-command.js';
import { Ferry } from '../../src/sdk/ferry-client.js';
import { ferryCli, ferryJson } from '../helpers/ferry-cli.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('ferry runs', () => {
  let server: TestServer;
  let env: Record<string, string>;
  let ferry: Ferry;
  let a: string;
  let b: string;

  before(async () => {
    server = await startTestServer();
    env = { FERRY_URL: server.url };
    ferry = new Ferry({ url: server.url });
    const runA = await ferry.runs.start({ experimentName: 'cli-runs', runName: 'alpha' });
    runA.logParams({ lr: 0.1, epochs: 10 });
    runA.log({ acc: 0.9, loss: 0.25 }, { step: 3 });
    await runA.end();
    const runB = await ferry.runs.start({ experimentName: 'cli-runs', runName: 'beta' });
    runB.logParams({ lr: 0.01, epochs: 10, dropout: 0.5 });
    runB.log({ acc: 0.95, loss: 0.25 }, { step: 3 });
    await runB.end();
    [a, b] = [runA.id, runB.id];
  });
  after(async () => {
    await server.close();
  });

  describe('list', () => {
    it('lists runs of an experiment as a table', async () => {
      const r = await ferryCli(['runs', 'list', '--experiment', 'cli-runs'], env);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split('\n');
      assert.match(lines[0]!, /^RUN ID\s+NAME\s+EXPERIMENT\s+STATUS\s+STARTED\s+DURATION$/);
      assert.equal(lines.length, 3);
      assert.ok(lines.some((l) => l.startsWith(a) && /alpha\s+cli-runs\s+FINISHED/.test(l)));
    });

    it('filters, orders and limits, with --json', async () => {
      const runs = await ferryJson<Array<{ info: { runName: string } }>>(
        ['runs', 'list', '--filter', 'metrics.acc > 0.5', '--order-by', 'metrics.acc DESC', '--max-results', '1'],
        env,
      );
      assert.deepEqual(runs.map((r) => r.info.runName), ['beta']);
    });

    it('rejects a bad filter in one line', async () => {
      const r = await ferryCli(['runs', 'list', '--filter', 'metrics.acc >>> 1'], env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error: .+\n$/);
    });
  });

  describe('show', () => {
    it('prints info, params, metrics and tags', async () => {
      const r = await ferryCli(['runs', 'show', a], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /name\s+alpha/);
      assert.match(r.stdout, /experiment\s+cli-runs \(\d+\)/);
      assert.match(r.stdout, /Params\nKEY\s+VALUE\nepochs\s+10\nlr\s+0\.1\n/);
      assert.match(r.stdout, /acc\s+0\.9\s+3\s/);
    });

    it('prints the run as JSON', async () => {
      const run = await ferryJson<{ info: { runId: string; status: string }; data: { params: unknown[] } }>(['runs', 'show', a], env);
      assert.equal(run.info.runId, a);
      assert.equal(run.info.status, 'FINISHED');
      assert.equal(run.data.params.length, 2);
    });
  });

  describe('compare', () => {
    it('puts params and latest metrics side by side and marks differences', async () => {
      const r = await ferryCli(['runs', 'compare', a, b], env);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split('\n');
      const row = (key: string) => lines.find((l) => new RegExp(`^[ *]\\s+${key.replace('.', '\\.')}\\s`).test(l)) ?? '';
      assert.match(lines[0]!, new RegExp(`KEY\\s+${a.slice(0, 8)}\\s+${b.slice(0, 8)}$`));
      assert.match(lines[1]!, /run name\s+alpha\s+beta/);
      assert.match(row('params.lr'), /^\*\s+params\.lr\s+0\.1\s+0\.01$/);
      assert.match(row('params.epochs'), /^\s+params\.epochs\s+10\s+10$/);
      assert.match(row('params.dropout'), /^\*\s+params\.dropout\s+-\s+0\.5$/);
      assert.match(row('metrics.acc'), /^\*\s+metrics\.acc\s+0\.9\s+0\.95$/);
      assert.match(row('metrics.loss'), /^\s+metrics\.loss\s+0\.25\s+0\.25$/);
      assert.match(r.stdout, /\* values differ/);
    });

    it('shows only differences with --only-diff, as JSON too', async () => {
      const out = await ferryJson<{ runs: Array<{ runId: string }>; rows: Array<{ key: string; differs: boolean; values: unknown[] }> }>(
        ['runs', 'compare', a, b, '--only-diff'],
        env,
      );
      assert.deepEqual(out.runs.map((r) => r.runId), [a, b]);
      assert.deepEqual(out.rows.map((r) => r.key), ['dropout', 'lr', 'acc']);
      assert.deepEqual(out.rows[0]!.values, [null, '0.5']);
    });

    it('needs two runs', async () => {
      const r = await ferryCli(['runs', 'compare', a], env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /at least two run ids/);
    });
  });

  describe('compareRuns', () => {
    it('treats NaN as equal to NaN', () => {
      const run = (v: number) => ({ info: {} as never, data: { metrics: [{ key: 'm', value: v, step: 0, timestamp: 0 }], params: [], tags: [] }, inputs: { datasetInputs: [], modelInputs: [] }, outputs: { modelOutputs: [] } });
      assert.equal(compareRuns([run(NaN), run(NaN)])[0]!.differs, false);
      assert.equal(compareRuns([run(1), run(NaN)])[0]!.differs, true);
    });
  });

  describe('delete', () => {
    it('deletes a run', async () => {
      const run = await ferry.runs.start({ experimentName: 'cli-runs-delete' });
      const r = await ferryCli(['runs', 'delete', run.id], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /Deleted run .*ferry gc/);
      assert.equal((await ferry.runs.get(run.id)).info.lifecycleStage, 'deleted');
      const r2 = await ferryCli(['runs', 'delete', 'ffffffffffffffffffffffffffffffff'], env);
      assert.equal(r2.code, 1);
      assert.match(r2.stderr, /^error: Run with id=f+ not found\n$/);
    });
  });
});
