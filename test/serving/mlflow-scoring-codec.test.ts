import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FerryError } from '../../src/errors.js';
import { decodeScoringCsv, decodeScoringJson, encodePredictions, frameToInputs, type ScoringModel } from '../../src/serving/mlflow-scoring-codec.js';
import type { InferenceResult } from '../../src/serving/serving-types.js';

const single: ScoringModel = {
  inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 2] }],
  signature: { inputs: [{ name: 'a', type: 'float' }, { name: 'b', type: 'float' }] },
};
const multi: ScoringModel = {
  inputs: [
    { name: 'f', datatype: 'FP32', shape: [-1, 2] },
    { name: 'id', datatype: 'INT64', shape: [-1] },
    { name: 'w', datatype: 'FP32', shape: [-1, 1] },
  ],
  signature: undefined,
};

const badRequest = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (err: unknown) => err instanceof FerryError && err.protocolCode === 'BAD_REQUEST' && pattern.test(err.message));

describe('mlflow-scoring-codec', () => {
  describe('frameToInputs', () => {
    it('stacks a frame into one 2-D tensor in signature column order for a one-input model', () => {
      assert.deepEqual(frameToInputs(single, ['b', 'a'], [[2, 1], [4, 3]]), [{ name: 'x', data: [[1, 2], [3, 4]] }]);
    });

    it('maps one column per input for a multi-input model, wrapping [-1, 1] columns', () => {
      assert.deepEqual(frameToInputs(multi, ['id', 'f', 'w'], [[7, [1, 2], 0.5]]), [
        { name: 'f', data: [[1, 2]] },
        { name: 'id', data: [7] },
        { name: 'w', data: [[0.5]] },
      ]);
    });
  });

  describe('decodeScoringJson', () => {
    it('decodes dataframe_split and dataframe_records as tabular', () => {
      const split = decodeScoringJson(single, { dataframe_split: { columns: ['a', 'b'], data: [[1, 2]] } });
      const records = decodeScoringJson(single, { dataframe_records: [{ b: 2, a: 1 }] });
      assert.deepEqual(split, { request: { inputs: [{ name: 'x', data: [[1, 2]] }] }, tabular: true });
      assert.deepEqual(records, split);
    });

    it('decodes inputs and instances as tensors, passing params through', () => {
      assert.deepEqual(decodeScoringJson(single, { inputs: [[1, 2]], params: { k: 1 } }), {
        request: { inputs: [{ name: 'x', data: [[1, 2]] }], parameters: { k: 1 } },
        tabular: false,
      });
      assert.deepEqual(decodeScoringJson(multi, { instances: [{ f: [1, 2], id: 3, w: [1] }] }).request.inputs, [
        { name: 'f', data: [[1, 2]] },
        { name: 'id', data: [3] },
        { name: 'w', data: [[1]] },
      ]);
    });

    it('refuses bodies MLflow refuses, with BAD_REQUEST', () => {
      badRequest(() => decodeScoringJson(single, {}), /exactly one of the input fields/);
      badRequest(() => decodeScoringJson(single, 'text'), /unexpected input type/);
      badRequest(() => decodeScoringJson(single, { dataframe_split: { columns: ['a', 'b'], data: [[1]] } }), /1 values for 2 columns/);
      badRequest(() => decodeScoringJson(single, { dataframe_records: [1] }), /list of objects/);
      badRequest(() => decodeScoringJson(multi, { inputs: [[1, 2]] }), /3 inputs/);
    });
  });

  describe('decodeScoringCsv', () => {
    it('reads a header and rows, with quoting and pandas-style values', () => {
      const r = decodeScoringCsv({ inputs: [{ name: 's', datatype: 'BYTES', shape: [-1, 3] }], signature: undefined }, 'a,b,c\n"x,y",True,\n');
      assert.deepEqual(r.request.inputs, [{ name: 's', data: [['x,y', true, 'NaN']] }]);
      badRequest(() => decodeScoringCsv(single, 'a,b\n'), /header row/);
      badRequest(() => decodeScoringCsv(single, 'a,b\n1\n'), /row 1 has 1 values/);
    });
  });

  describe('encodePredictions', () => {
    const result: InferenceResult = {
      modelName: 'm',
      modelVersion: '1',
      outputs: [
        { name: 'y', datatype: 'FP32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) },
        { name: 'label', datatype: 'INT64', shape: [2], data: new BigInt64Array([5n, 6n]) },
        { name: 'ok', datatype: 'BOOL', shape: [2, 1], data: new Uint8Array([1, 0]) },
      ],
    };

    it('answers tensor input with a dict of output → nested list', () => {
      assert.deepEqual(encodePredictions(result, false), { predictions: { y: [[1, 2], [3, 4]], label: [5, 6], ok: [[true], [false]] } });
    });

    it('answers DataFrame input with one record per row, one-value rows as scalars', () => {
      assert.deepEqual(encodePredictions(result, true), {
        predictions: [
          { y: [1, 2], label: 5, ok: true },
          { y: [3, 4], label: 6, ok: false },
        ],
      });
    });
  });
});
