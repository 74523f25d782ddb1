import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { progressLine } from '../../src/cli/commands/predict-command.js';
import { openApiHarness, type ApiHarness } from '../helpers/api-server.js';
import { ferryCli } from '../helpers/ferry-cli.js';
import { readTable, writeCsv } from '../serving/batch/batch-fixtures.js';
import { assertClose, registerPackage, setAlias, torchFixtureDir, torchReference } from '../serving/serving-fixtures.js';

const FEATURES = ['a', 'b', 'c', 'd', 'e', 'f'];

describe('ferry predict', () => {
  let home: string;
  let seed: ApiHarness;
  let env: Record<string, string>;
  let x: number[][];
  let expected: number[][];
  const path = (name: string) => join(home, name);

  before(async () => {
    // A registry in a temp FERRY_HOME, seeded in-process; the CLI opens the same database and artifact folder.
    home = await mkdtemp(join(tmpdir(), 'ferry-predict-cli-'));
    const databaseUrl = `sqlite:${join(home, 'ferry.db')}`;
    seed = await openApiHarness({ name: 'sqlite', create: async () => ({ url: databaseUrl, cleanup: async () => undefined }) }, { home });
    const fixture = torchFixtureDir('torch-mlp');
    const v = await registerPackage(seed, 'mlp', { MLmodel: await readFile(join(fixture, 'MLmodel'), 'utf8'), 'model.onnx': await readFile(join(fixture, 'model.onnx')) });
    await setAlias(seed, 'mlp', 'production', v);
    const { config } = seed.app.services;
    env = { FERRY_HOME: home, FERRY_DATABASE_URL: config.databaseUrl, FERRY_ARTIFACTS_URL: config.artifactsUrl };
    const ref = await torchReference('torch-mlp');
    x = ref.inputs.x!.data as number[][];
    expected = ref.onnxruntime_outputs.scores!.data as number[][];
  });
  after(async () => {
    await seed.close();
    await rm(home, { recursive: true, force: true });
  });

  const csv = (name: string, edit?: (rows: unknown[][]) => void) => {
    const rows: unknown[][] = x.map((r, i) => [`k${i}`, ...r]);
    edit?.(rows);
    return writeCsv(path(name), ['id', ...FEATURES], rows);
  };

  it('predicts with a registered model by alias and prints a JSON summary', async () => {
    const input = await csv('in.csv');
    const r = await ferryCli(['predict', '--model', 'models:/mlp@production', '--input', input, '--output', path('out.parquet'), '--key', 'id', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.deepEqual(
      { rows: summary.rows, written: summary.written, skipped: summary.skipped, sample: summary.skipped_rows_sample, output: summary.output, model: summary.model },
      { rows: 5, written: 5, skipped: 0, sample: [], output: path('out.parquet'), model: { name: 'mlp', version: '1' } },
    );
    assert.ok(summary.seconds >= 0 && summary.rows_per_second >= 0);
    assert.equal(r.stderr, '', 'no progress bar when stderr is not a terminal');
    const rows = await readTable(path('out.parquet'));
    assert.deepEqual(
      rows.map((row) => row.id),
      ['k0', 'k1', 'k2', 'k3', 'k4'],
    );
    assertClose(rows.flatMap((row) => [row.scores_0, row.scores_1, row.scores_2].map(Number)), expected.flat(), 1e-5);
  });

  it('skips bad rows with --on-error skip and says which, from a local package directory', async () => {
    const input = await csv('skip.csv', (rows) => {
      rows[1]![2] = 'n/a';
      rows[3]![4] = null;
    });
    const r = await ferryCli(['predict', '-m', torchFixtureDir('torch-mlp'), '-i', input, '-o', path('skip.csv.out.jsonl'), '--key', 'id', '--on-error', 'skip'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Wrote 3 predictions for 5 rows to .*skip\.csv\.out\.jsonl \(jsonl\)/);
    assert.match(r.stdout, /key: id {3}predictions: scores_0, scores_1, scores_2/);
    assert.match(r.stdout, /Skipped 2 bad rows \(1-based data rows\): 2, 4/);
    const lines = (await readFile(path('skip.csv.out.jsonl'), 'utf8')).trim().split('\n');
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).id),
      ['k0', 'k2', 'k4'],
    );
  });

  it('exits non-zero naming the bad row and column, and writes no output', async () => {
    const input = await csv('bad.csv', (rows) => (rows[2]![3] = 'abc'));
    const r = await ferryCli(['predict', '--model', 'models:/mlp/1', '--input', input, '--output', path('bad.parquet'), '--key', 'id'], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: Row 3 of .*bad\.csv \(1-based data row, header not counted\) has a bad value in column 'c'.*"abc".*--on-error skip/);
    await assert.rejects(readFile(path('bad.parquet')), { code: 'ENOENT' });
  });

  it('exits non-zero for a model the registry does not have, and for a missing column', async () => {
    const input = await csv('missing.csv');
    const [unknown, missing] = await Promise.all([
      ferryCli(['predict', '--model', 'models:/nope@production', '--input', input, '--output', path('nope.parquet')], env),
      ferryCli(['predict', '--model', 'models:/mlp@production', '--input', input, '--output', path('cols.parquet'), '--columns', 'a,b,c,d,e,zz'], env),
    ]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /^error: .*nope/);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: The input has no column 'zz'\. They were named by --columns\. The input's columns are 'id', 'a', 'b', 'c', 'd', 'e', 'f'\./);
  });

  it('rejects bad flag values with a one-line error', async () => {
    const r = await ferryCli(['predict', '--model', 'models:/mlp/1', '--input', 'x.csv', '--output', 'y.csv', '--on-error', 'ignore'], env);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--on-error must be fail or skip; got 'ignore'/);
  });

  describe('progressLine', () => {
    it('shows percent, rows, rate and ETA when the total is known', () => {
      const line = progressLine({ rowsRead: 250_000, written: 250_000, skipped: 0, total: 1_000_000, elapsedMs: 500 });
      assert.match(line, /^\[#{6}·{18}\] {2}25% {2}250,000\/1,000,000 rows {2}500,000 rows\/s {2}ETA 1\.5s$/);
    });

    it('shows rows and rate without a total', () => {
      assert.equal(progressLine({ rowsRead: 3000, written: 3000, skipped: 0, elapsedMs: 2000 }), '3,000 rows  1,500 rows/s');
    });
  });
});
