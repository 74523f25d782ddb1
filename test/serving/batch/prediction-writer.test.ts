import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbEngine } from '../../../src/data/table/index.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import type { KeyPlan } from '../../../src/serving/batch/column-plan.js';
import { PredictionWriter } from '../../../src/serving/batch/prediction-writer.js';
import type { TensorMetadata } from '../../../src/serving/tensor.js';
import { readTable } from './batch-fixtures.js';

const ROW_KEY: KeyPlan = { name: 'row', sqlType: 'BIGINT', stageType: 'DOUBLE' };
const SCORES: TensorMetadata[] = [{ name: 'y', datatype: 'FP32', shape: [-1, 2] }];

describe('PredictionWriter', () => {
  let dir: string;
  let engine: DuckDbEngine;
  const path = (name: string) => join(dir, name);
  const writer = (output: string, options: { key?: KeyPlan; outputs?: TensorMetadata[]; partRows?: number } = {}) =>
    new PredictionWriter(engine, { path: path(output), format: output.endsWith('.csv') ? 'csv' : output.endsWith('.jsonl') ? 'jsonl' : 'parquet', workDir: dir, key: options.key ?? ROW_KEY, outputs: options.outputs ?? SCORES, partRows: options.partRows });
  /** Rows `from…from+n-1` as keys, with y = [k, -k]. */
  const batch = (from: number, n: number) => {
    const keys = Float64Array.from({ length: n }, (_, i) => from + i);
    const data = new Float32Array(n * 2);
    keys.forEach((k, i) => data.set([k, -k], i * 2));
    return { keys, outputs: { y: { datatype: 'FP32' as const, shape: [n, 2], data } } };
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-writer-'));
    engine = await DuckDbEngine.open({ threads: 1 });
  });
  after(async () => {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('.write', () => {
    it('writes batches in order, across part files and chunks of more than 2,048 rows', async () => {
      const w = writer('ordered.parquet', { partRows: 3000 });
      for (const [from, n] of [
        [0, 2500],
        [2500, 1],
        [2501, 4000],
      ] as const) {
        const b = batch(from, n);
        await w.write(b.keys, b.outputs, n);
      }
      await w.finish();
      assert.equal(w.written, 6501);
      assert.deepEqual(
        w.outputColumns!.map((c) => c.name),
        ['y_0', 'y_1'],
      );
      const [check] = await readTable(path('ordered.parquet'), 'SELECT count(*) AS n, bool_and(y_0 = row AND y_1 = -row) AS ok, typeof(any_value(row)) AS t FROM {scan}');
      assert.deepEqual(check, { n: 6501n, ok: true, t: 'BIGINT' });
      const rows = await readTable(path('ordered.parquet'));
      assert.ok(rows.every((r, i) => r.row === BigInt(i)), 'rows stay in input order');
    });

    it('names a single value per row "prediction" and keeps other key kinds', async () => {
      const w = writer('single.csv', { key: { name: 'id', column: 'id', sqlType: 'VARCHAR', stageType: 'VARCHAR' }, outputs: [{ name: 'p', datatype: 'INT64', shape: [-1] }] });
      await w.write(['a', null], { p: { datatype: 'INT64', shape: [2], data: BigInt64Array.from([7n, -8n]) } }, 2);
      await w.finish();
      assert.equal(await readFile(path('single.csv'), 'utf8'), 'id,prediction\na,7\n,-8\n');
    });

    it('refuses an output without one row per input row', async () => {
      const w = writer('mismatch.parquet');
      await assert.rejects(w.write(Float64Array.from([0, 1]), { y: { datatype: 'FP32', shape: [1, 2], data: new Float32Array(2) } }, 2), (err: unknown) => {
        assert.ok(err instanceof InvalidArgumentError);
        assert.match(err.message, /output 'y' has shape \[1, 2\] for a batch of 2 rows/);
        return true;
      });
      await w.abort();
    });
  });

  describe('.finish', () => {
    it('writes the header of the declared columns when no row came', async () => {
      const w = writer('empty.csv');
      await w.finish();
      assert.equal(await readFile(path('empty.csv'), 'utf8'), 'row,y_0,y_1\n');
    });
  });

  describe('.abort', () => {
    it('leaves no file behind', async () => {
      const w = writer('aborted.jsonl', { partRows: 1 });
      const b = batch(0, 3);
      await w.write(b.keys, b.outputs, 3);
      await w.abort();
      const files = await readdir(dir);
      assert.ok(!files.some((f) => f.startsWith('aborted') || f.includes('aborted.jsonl.ferry-tmp')), files.join(', '));
    });
  });
});
