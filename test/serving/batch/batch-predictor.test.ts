import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '../../../src/errors.js';
import { loadBatchModel, predictBatch, type BatchProgress } from '../../../src/serving/batch/index.js';
import type { ServedModel } from '../../../src/serving/served-model.js';
import { buildIdentityModel } from '../../helpers/onnx-builder.js';
import { assertClose, torchFixtureDir, torchReference } from '../serving-fixtures.js';
import { duck, readTable, writeCsv, writeJsonl, writePackageDir } from './batch-fixtures.js';

const FEATURES = ['a', 'b', 'c', 'd', 'e', 'f'];

async function rejectsWith(promise: Promise<unknown>, type: new (...args: never[]) => Error, pattern: RegExp): Promise<Error> {
  let caught: unknown;
  await promise.catch((err: unknown) => (caught = err));
  assert.ok(caught instanceof type, `expected ${type.name}, got ${String(caught)}`);
  assert.match((caught as Error).message, pattern);
  return caught as Error;
}

describe('predictBatch', () => {
  let dir: string;
  let mlp: ServedModel;
  let multi: ServedModel;
  let x: number[][];
  let expected: number[][];
  const path = (name: string) => join(dir, name);

  /** The torch-mlp reference rows, keyed k0…k4, as CSV. */
  const mlpCsv = (name = 'mlp.csv') =>
    writeCsv(
      path(name),
      ['id', ...FEATURES],
      x.map((r, i) => [`k${i}`, ...r]),
    );
  const scores = (rows: Record<string, unknown>[]) => rows.map((r) => [0, 1, 2].map((j) => Number(r[`scores_${j}`])));
  /** Files in the test folder that are not inputs or finished outputs (temporary or partial files). */
  const leftovers = async () => (await readdir(dir)).filter((f) => f.includes('ferry-tmp'));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-predict-'));
    const ref = await torchReference('torch-mlp');
    x = ref.inputs.x!.data as number[][];
    expected = ref.onnxruntime_outputs.scores!.data as number[][];
    mlp = await loadBatchModel(torchFixtureDir('torch-mlp'), {}, { batchSize: 4096 });
    multi = await loadBatchModel(torchFixtureDir('torch-multi-io'), {}, { batchSize: 4096 });
  });
  after(async () => {
    await mlp.unload();
    await multi.unload();
    await rm(dir, { recursive: true, force: true });
  });

  it("predicts every row of a CSV file into Parquet, matching onnxruntime's reference outputs", async () => {
    const progress: BatchProgress[] = [];
    const summary = await predictBatch(mlp, { input: await mlpCsv(), output: path('mlp.parquet'), key: 'id', batchSize: 2, onProgress: (p) => progress.push(p) });
    assert.deepEqual(
      { rows: summary.rows, written: summary.written, skipped: summary.skipped, format: summary.format, key: summary.key },
      { rows: 5, written: 5, skipped: 0, format: 'parquet', key: 'id' },
    );
    assert.deepEqual(summary.inputColumns, { x: FEATURES });
    assert.deepEqual(summary.outputColumns, ['scores_0', 'scores_1', 'scores_2']);
    assert.ok(progress.length >= 3, 'progress after each batch of 2');
    assert.equal(progress.at(-1)!.written, 5);
    const rows = await readTable(path('mlp.parquet'));
    assert.deepEqual(
      rows.map((r) => r.id),
      ['k0', 'k1', 'k2', 'k3', 'k4'],
    );
    assertClose(scores(rows).flat(), expected.flat(), 1e-5);
  });

  it('keys rows by their 0-based row number when no key is given', async () => {
    const input = await writeCsv(path('nokey.csv'), FEATURES, x);
    const summary = await predictBatch(mlp, { input, output: path('nokey.csv.out.csv'), outputFormat: 'csv' });
    assert.equal(summary.key, 'row');
    const text = await readFile(path('nokey.csv.out.csv'), 'utf8');
    const lines = text.trim().split('\n');
    assert.equal(lines[0], 'row,scores_0,scores_1,scores_2');
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(',')[0]),
      ['0', '1', '2', '3', '4'],
    );
    assertClose(lines.slice(1).flatMap((l) => l.split(',').slice(1).map(Number)), expected.flat(), 1e-5);
  });

  it('reads Parquet and JSON lines, and writes CSV and JSON lines', async () => {
    const jsonl = await writeJsonl(
      path('mlp.jsonl'),
      x.map((r, i) => ({ id: i + 100, ...Object.fromEntries(FEATURES.map((f, j) => [f, r[j]])) })),
    );
    await duck('COPY (SELECT * FROM read_json_auto($1)) TO $2 (FORMAT parquet)', [jsonl, path('mlp-in.parquet')]);
    for (const [input, output] of [
      [jsonl, 'from-jsonl.csv'],
      [path('mlp-in.parquet'), 'from-parquet.jsonl'],
    ] as const) {
      const summary = await predictBatch(mlp, { input, output: path(output), key: 'id' });
      assert.equal(summary.written, 5, output);
      const rows = await readTable(path(output));
      assert.deepEqual(
        rows.map((r) => Number(r.id)),
        [100, 101, 102, 103, 104],
        output,
      );
      assertClose(scores(rows).flat(), expected.flat(), 1e-5, output);
    }
    const firstLine = (await readFile(path('from-parquet.jsonl'), 'utf8')).split('\n')[0]!;
    assert.equal(JSON.parse(firstLine).id, 100, 'an integer key stays an integer in JSON');
  });

  it('takes the features named by columns, in that order, from a wider file', async () => {
    const header = ['noise', 'f', 'e', 'd', 'c', 'b', 'a'];
    const input = await writeCsv(path('wide.csv'), header, x.map((r) => [9, ...[...r].reverse()]));
    const summary = await predictBatch(mlp, { input, output: path('wide.parquet'), columns: FEATURES });
    assert.deepEqual(summary.inputColumns, { x: FEATURES });
    assertClose(scores(await readTable(path('wide.parquet'))).flat(), expected.flat(), 1e-5);
  });

  describe('bad rows', () => {
    const badFile = async (name: string) => {
      const rows: unknown[][] = x.map((r, i) => [`k${i}`, ...r]);
      rows[1]![3] = null; // row 2: c is empty
      rows[3]![5] = 'abc'; // row 4: e is text
      return writeCsv(path(name), ['id', ...FEATURES], rows);
    };

    it('fails on the first bad row, naming its 1-based row number, column and value, and writes nothing', async () => {
      const input = await badFile('bad.csv');
      const err = await rejectsWith(predictBatch(mlp, { input, output: path('bad.parquet'), key: 'id' }), InvalidArgumentError, /Row 2 .*1-based data row.* column 'c' .*empty \(null\)/);
      assert.equal((err as InvalidArgumentError).details?.row, 2);
      await assert.rejects(readFile(path('bad.parquet')), { code: 'ENOENT' });
      assert.deepEqual(await leftovers(), []);

      const textOnly = await writeCsv(path('bad-text.csv'), ['id', ...FEATURES], x.map((r, i) => [`k${i}`, ...r.map((v, j) => (i === 2 && j === 4 ? 'abc' : v))]));
      await rejectsWith(predictBatch(mlp, { input: textOnly, output: path('bad-text.parquet'), key: 'id' }), InvalidArgumentError, /Row 3 .*column 'e' .*"abc" does not convert/);
    });

    it('skips bad rows when asked, counting them and listing their row numbers', async () => {
      const input = await badFile('skip.csv');
      const summary = await predictBatch(mlp, { input, output: path('skip.parquet'), key: 'id', onBadRow: 'skip', batchSize: 2 });
      assert.deepEqual({ rows: summary.rows, written: summary.written, skipped: summary.skipped, sample: summary.skippedRowsSample }, { rows: 5, written: 3, skipped: 2, sample: [2, 4] });
      const rows = await readTable(path('skip.parquet'));
      assert.deepEqual(
        rows.map((r) => r.id),
        ['k0', 'k2', 'k4'],
      );
      assertClose(scores(rows).flat(), [expected[0]!, expected[2]!, expected[4]!].flat(), 1e-5);
    });

    it('treats a key that does not read as its column type as a bad row', async () => {
      const row = (id: unknown, i: number) => ({ id, ...Object.fromEntries(FEATURES.map((f, j) => [f, x[i % 5]![j]])) });
      // DuckDB guesses JSON types from the first 20,480 rows: 'id' reads as BIGINT, so the last row's key does not fit.
      const rows = Array.from({ length: 25_000 }, (_, i) => row(i, i));
      rows.push(row('oops', 0));
      const jsonl = await writeJsonl(path('keys.jsonl'), rows);
      await rejectsWith(predictBatch(mlp, { input: jsonl, output: path('keys.parquet'), key: 'id' }), InvalidArgumentError, /Row 25001 .*key column 'id' .*"oops" does not convert/);
      const skipped = await predictBatch(mlp, { input: jsonl, output: path('keys.parquet'), key: 'id', onBadRow: 'skip' });
      assert.deepEqual([skipped.written, skipped.skippedRowsSample], [25_000, [25_001]]);
    });
  });

  describe('schema errors', () => {
    it('fails before reading rows when the model needs columns the file lacks, listing them', async () => {
      const input = await writeCsv(path('multi-missing.csv'), ['features_0', 'features_1', 'features_2', 'features_3'], [[1, 2, 3, 4]]);
      const err = await rejectsWith(predictBatch(multi, { input, output: path('multi-missing.parquet') }), InvalidArgumentError, /lacks a column for the model's input: ids\b/);
      assert.match(err.message, /'features' \(FP32 \[-1, 4\]\), 'ids' \(INT64 \[-1\]\)/);
      assert.equal((err as InvalidArgumentError).details?.reason, 'schema_mismatch');
      await assert.rejects(readFile(path('multi-missing.parquet')), { code: 'ENOENT' });
    });

    it('refuses a missing input file, a missing output folder and an existing output without overwrite', async () => {
      const input = await mlpCsv('paths.csv');
      await rejectsWith(predictBatch(mlp, { input: path('nope.csv'), output: path('nope.parquet') }), NotFoundError, /No such file/);
      await rejectsWith(predictBatch(mlp, { input, output: path('no/such/dir/out.parquet'), key: 'id' }), NotFoundError, /does not exist/);
      await writeFile(path('exists.csv'), 'old');
      await rejectsWith(predictBatch(mlp, { input, output: path('exists.csv'), key: 'id' }), AlreadyExistsError, /already exists; pass --overwrite/);
      assert.equal(await readFile(path('exists.csv'), 'utf8'), 'old');
      await predictBatch(mlp, { input, output: path('exists.csv'), key: 'id', overwrite: true });
      assert.match(await readFile(path('exists.csv'), 'utf8'), /^id,scores_0/);
      await rejectsWith(predictBatch(mlp, { input, output: input }), InvalidArgumentError, /would overwrite the input/);
      await rejectsWith(predictBatch(mlp, { input, output: path('out.txt'), key: 'id' }), InvalidArgumentError, /Cannot tell the format/);
    });
  });

  it('feeds a model with several inputs by input name, from NAME_i columns or a list column', async () => {
    const ref = await torchReference('torch-multi-io');
    const features = ref.inputs.features!.data as number[][];
    const ids = ref.inputs.ids!.data as number[];
    const out = ref.onnxruntime_outputs;
    const flat = await writeCsv(
      path('multi.csv'),
      ['ids', 'features_0', 'features_1', 'features_2', 'features_3'],
      features.map((f, i) => [ids[i], ...f]),
    );
    const listed = await writeJsonl(
      path('multi.jsonl'),
      features.map((f, i) => ({ features: f, ids: ids[i] })),
    );
    for (const input of [flat, listed]) {
      const output = `${input}.parquet`;
      const summary = await predictBatch(multi, { input, output });
      assert.deepEqual(summary.outputColumns, ['logits_0', 'logits_1', 'label', 'positive']);
      const rows = await readTable(output);
      assertClose(
        rows.flatMap((r) => [Number(r.logits_0), Number(r.logits_1)]),
        (out.logits!.data as number[][]).flat(),
        1e-5,
      );
      assert.deepEqual(
        rows.map((r) => Number(r.label)),
        out.label!.data,
      );
      assert.deepEqual(
        rows.map((r) => r.positive),
        out.positive!.data,
      );
    }
  });

  it('passes integer, boolean, half and string inputs through with their datatypes', async () => {
    const cases = [
      { dtype: 'int64', values: [[1, -2], [3, 4000000000]], sqlCheck: (v: unknown) => Number(v) },
      { dtype: 'bool', values: [[true, false], [false, true]], sqlCheck: (v: unknown) => v },
      { dtype: 'float16', values: [[0.5, -2], [1024, 0.25]], sqlCheck: (v: unknown) => Number(v) },
      { dtype: 'string', values: [['x', 'y'], ['hello', '']], sqlCheck: (v: unknown) => v },
    ] as const;
    for (const c of cases) {
      const model = await loadBatchModel(await writePackageDir(path(`identity-${c.dtype}`), buildIdentityModel({ dtype: c.dtype, shape: ['batch', 2] })), {}, { batchSize: 8 });
      try {
        const input = await writeJsonl(
          path(`identity-${c.dtype}.jsonl`),
          c.values.map(([p, q]) => ({ p, q })),
        );
        const output = path(`identity-${c.dtype}.parquet`);
        await predictBatch(model, { input, output, onBadRow: 'fail' });
        const rows = await readTable(output);
        assert.deepEqual(
          rows.map((r) => [c.sqlCheck(r.output_0), c.sqlCheck(r.output_1)]),
          c.values.map((r) => [...r]),
          c.dtype,
        );
      } finally {
        await model.unload();
      }
    }
  });

  it('stops when its signal aborts, leaving no output', async () => {
    const input = await writeCsv(path('abort.csv'), FEATURES, [...x, ...x]);
    const stop = new AbortController();
    const run = predictBatch(mlp, { input, output: path('abort.parquet'), batchSize: 2, signal: stop.signal, onProgress: () => stop.abort(new Error('stop here')) });
    await assert.rejects(run, /stop here/);
    await assert.rejects(readFile(path('abort.parquet')), { code: 'ENOENT' });
    assert.deepEqual(await leftovers(), []);
  });

  it('keeps input order across part files', async () => {
    const input = await writeCsv(path('parts.csv'), FEATURES, [...x, ...x, ...x]);
    const summary = await predictBatch(mlp, { input, output: path('parts.jsonl'), batchSize: 2, partRows: 3 });
    assert.equal(summary.written, 15);
    const rows = await readTable(path('parts.jsonl'));
    assert.deepEqual(
      rows.map((r) => Number(r.row)),
      Array.from({ length: 15 }, (_, i) => i),
    );
    assertClose(scores(rows).flat(), [...expected, ...expected, ...expected].flat(), 1e-5);
  });

  it('streams a 200,000-row Parquet file through in batches', async () => {
    // Row i repeats reference row i % 5, so every prediction has a known answer.
    const values = x.map((r, i) => `(${i}, ${r.map((v) => `${v}::FLOAT`).join(', ')})`).join(', ');
    await duck(
      `COPY (SELECT t.range AS id, r.* EXCLUDE (i) FROM range(200000) t JOIN (VALUES ${values}) r(i, ${FEATURES.join(', ')}) ON r.i = t.range % 5 ORDER BY t.range) TO $1 (FORMAT parquet)`,
      [path('big.parquet')],
    );
    let last: BatchProgress | undefined;
    const summary = await predictBatch(mlp, { input: path('big.parquet'), output: path('big-out.parquet'), key: 'id', batchSize: 4096, partRows: 50_000, onProgress: (p) => (last = p) });
    assert.equal(summary.written, 200_000);
    assert.equal(last?.total, 200_000, 'Parquet gives the row count up front');
    const [stats] = await readTable(path('big-out.parquet'), 'SELECT count(*) AS n, count(DISTINCT id) AS keys, min(id) AS lo, max(id) AS hi FROM {scan}');
    assert.deepEqual(stats, { n: 200_000n, keys: 200_000n, lo: 0n, hi: 199_999n });
    const sample = await readTable(path('big-out.parquet'), 'SELECT * FROM {scan} WHERE id % 39_989 = 0');
    assert.ok(sample.length >= 5);
    for (const r of sample) assertClose(scores([r])[0]!, expected[Number(r.id) % 5]!, 1e-5, `row ${r.id}`);
  });
});
