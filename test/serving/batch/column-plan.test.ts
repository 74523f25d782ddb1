import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../../src/errors.js';
import { planColumns, type FileColumn, type PlannableModel } from '../../../src/serving/batch/column-plan.js';

const floats = (...names: string[]): FileColumn[] => names.map((name) => ({ name, type: 'DOUBLE' }));
const single = (k: number, signature?: PlannableModel['signature']): PlannableModel => ({ inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, k] }], signature });
const columnsOf = (model: PlannableModel, file: FileColumn[], options = {}) => planColumns(model, file, options).feeds.map((f) => f.sources.map((s) => (s.index ? `${s.column}[${s.index}]` : s.column)));

function rejects(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof InvalidArgumentError, String(err));
    assert.match(err.message, pattern);
    return true;
  });
}

describe('planColumns', () => {
  describe('a model with one [-1, K] input', () => {
    it('takes the first K columns in file order, leaving out the key', () => {
      assert.deepEqual(columnsOf(single(2), floats('id', 'a', 'b', 'c'), { key: 'id' }), [['a', 'b']]);
      assert.deepEqual(columnsOf(single(3), floats('a', 'b', 'c', 'd')), [['a', 'b', 'c']]);
    });

    it("takes a column-based signature's columns, in its order", () => {
      const signature = { inputs: [{ name: 'c', type: 'double' }, { name: 'a', type: 'double' }] };
      assert.deepEqual(columnsOf(single(2, signature), floats('a', 'b', 'c')), [['c', 'a']]);
    });

    it('lets --columns choose and order the features', () => {
      assert.deepEqual(columnsOf(single(2), floats('a', 'b', 'c'), { columns: ['c', 'b'] }), [['c', 'b']]);
    });

    it('reads a list column named as the input item by item', () => {
      assert.deepEqual(columnsOf(single(3), [{ name: 'x', type: 'FLOAT[]' }, ...floats('a')]), [['x[1]', 'x[2]', 'x[3]']]);
    });

    it('takes every column for an input whose row size is dynamic', () => {
      const plan = planColumns({ inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, -1] }] }, floats('a', 'b', 'c'));
      assert.deepEqual(plan.feeds[0]!.rowShape, [3]);
    });

    it('names missing signature columns and the columns the file has', () => {
      const signature = { inputs: [{ name: 'a', type: 'double' }, { name: 'z', type: 'double' }] };
      rejects(() => planColumns(single(2, signature), floats('a', 'b')), /no column 'z'.*signature names its columns: 'a', 'z'.*columns are 'a', 'b'/);
    });

    it('refuses too few feature columns, or --columns of the wrong count', () => {
      rejects(() => planColumns(single(4), floats('id', 'a', 'b'), { key: 'id' }), /takes 4 values per row.*2 feature columns besides the key \('a', 'b'\)/);
      rejects(() => planColumns(single(2), floats('a', 'b', 'c'), { columns: ['a'] }), /takes 2 values per row, but 1 column is named/);
    });
  });

  describe('a model with several inputs', () => {
    const model: PlannableModel = {
      inputs: [
        { name: 'features', datatype: 'FP32', shape: [-1, 2] },
        { name: 'ids', datatype: 'INT64', shape: [-1] },
      ],
    };

    it("fills each input from the column of its name, or NAME_i columns", () => {
      assert.deepEqual(columnsOf(model, [...floats('features_0', 'features_1'), { name: 'ids', type: 'BIGINT' }]), [['features_0', 'features_1'], ['ids']]);
      assert.deepEqual(columnsOf(model, [{ name: 'features', type: 'DOUBLE[2]' }, { name: 'ids', type: 'BIGINT' }]), [['features[1]', 'features[2]'], ['ids']]);
    });

    it('lists every input that has no column', () => {
      rejects(() => planColumns(model, floats('a')), /lacks columns for the model's inputs: features \(a list column, or features_0…features_1\), ids/);
    });

    it('refuses --columns', () => {
      rejects(() => planColumns(model, floats('a'), { columns: ['a'] }), /--columns is for models with one input/);
    });
  });

  describe('the key', () => {
    it('is the row number, written as BIGINT, by default', () => {
      assert.deepEqual(planColumns(single(1), floats('a')).key, { name: 'row', sqlType: 'BIGINT', stageType: 'DOUBLE' });
    });

    it('keeps integer, float and text keys in their kind', () => {
      const file: FileColumn[] = [
        { name: 'i', type: 'INTEGER' },
        { name: 'b', type: 'BIGINT' },
        { name: 's', type: 'VARCHAR' },
        { name: 'd', type: 'DATE' },
        ...floats('a'),
      ];
      const key = (k: string) => planColumns(single(1), file, { key: k, columns: ['a'] }).key;
      assert.deepEqual([key('i').sqlType, key('i').stageType], ['BIGINT', 'DOUBLE']);
      assert.deepEqual([key('b').sqlType, key('b').stageType], ['BIGINT', 'BIGINT']);
      assert.equal(key('s').sqlType, 'VARCHAR');
      assert.equal(key('d').sqlType, 'VARCHAR');
    });

    it('must be a column of the file', () => {
      rejects(() => planColumns(single(1), floats('a'), { key: 'id' }), /--key 'id' is not a column of the input; its columns are 'a'/);
    });
  });

  it('refuses a model whose input has no batch dimension', () => {
    rejects(() => planColumns({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3] }] }, floats('a', 'b', 'c')), /dynamic first \(batch\) dimension/);
  });
});
