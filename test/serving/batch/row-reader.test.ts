import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DuckDbEngine } from '../../../src/data/table/index.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { planColumns, type PlannableModel } from '../../../src/serving/batch/column-plan.js';
import { RowReader, type RowBatch, type RowReaderOptions } from '../../../src/serving/batch/row-reader.js';
import { duck } from './batch-fixtures.js';

const MODEL: PlannableModel = { inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2] }] };

describe('RowReader', () => {
  let dir: string;
  let engine: DuckDbEngine;
  let parquet: string;

  const open = async (path: string, options: Partial<RowReaderOptions> & { key?: string } = {}) => {
    const file = await engine.tableFile(path);
    const columns = await engine.describe(file);
    const plan = planColumns(MODEL, columns, { key: options.key });
    return new RowReader(engine, file, columns, plan, { batchSize: options.batchSize ?? 4, onBadRow: options.onBadRow ?? 'fail', sampleSize: options.sampleSize });
  };
  const collect = async (reader: RowReader, recycle = false) => {
    const batches: RowBatch[] = [];
    for await (const b of reader.batches()) {
      batches.push({ ...b, tensors: { x: { ...b.tensors.x!, data: (b.tensors.x!.data as Float32Array).slice() } }, keys: b.keys.slice() });
      if (recycle) reader.recycle(b);
    }
    return batches;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-row-reader-'));
    engine = await DuckDbEngine.open({ threads: 1 });
    parquet = join(dir, 'rows.parquet');
    // 5,000 rows (more than two DuckDB chunks): id, p = id, q = -id; q is null on every 1,000th row.
    await duck('COPY (SELECT range AS id, range::DOUBLE AS p, CASE WHEN range % 1000 = 999 THEN NULL ELSE -range END AS q FROM range(5000)) TO $1 (FORMAT parquet)', [parquet]);
  });
  after(async () => {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('.batches', () => {
    it('yields row-major FP32 batches of batchSize rows, across chunk boundaries, leaving out skipped rows', async () => {
      const reader = await open(parquet, { key: 'id', batchSize: 1500, onBadRow: 'skip', sampleSize: 3 });
      const batches = await collect(reader, true);
      assert.deepEqual(
        batches.map((b) => b.rows),
        [1500, 1500, 1500, 495],
      );
      assert.deepEqual(batches[0]!.tensors.x!.shape, [1500, 2]);
      const keys = batches.flatMap((b) => [...b.keys].map(Number));
      const values = batches.flatMap((b) => [...(b.tensors.x!.data as Float32Array)]);
      assert.equal(keys.length, 4995);
      keys.forEach((k, i) => {
        assert.notEqual(k % 1000, 999, 'null rows are skipped');
        assert.deepEqual([values[2 * i], values[2 * i + 1]], [k, 0 - k || 0]);
      });
      // Rows 1999 and 2999 (0-based) are skipped, so the second batch of 1,500 spans 1,502 rows.
      assert.deepEqual([batches[1]!.firstRow, batches[1]!.lastRow], [1501, 3002]);
      assert.deepEqual([reader.rowsRead, reader.skipped, reader.skippedSample], [5000, 5, [1000, 2000, 3000]]);
    });

    it('fails at the first null, naming its 1-based row', async () => {
      const reader = await open(parquet, { key: 'id' });
      await assert.rejects(collect(reader), (err: unknown) => {
        assert.ok(err instanceof InvalidArgumentError);
        assert.match(err.message, /^Row 1000 of .*rows\.parquet .* column 'q' \(FP32 for model input 'x'\): it is empty \(null\)/);
        return true;
      });
    });

    it('keys rows by 0-based row number without a key column', async () => {
      const csv = join(dir, 'nokey.csv');
      await duck("COPY (SELECT range AS p, range * 2 AS q FROM range(6)) TO $1 (FORMAT csv, HEADER true)", [csv]);
      const batches = await collect(await open(csv));
      assert.deepEqual(
        batches.map((b) => [...b.keys]),
        [
          [0, 1, 2, 3],
          [4, 5],
        ],
      );
      assert.deepEqual([...(batches[1]!.tensors.x!.data as Float32Array)], [4, 8, 5, 10]);
    });
  });
});
