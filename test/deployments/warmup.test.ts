import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zerosRequest } from '../../src/deployments/warmup.js';

describe('warmup', () => {
  describe('zerosRequest', () => {
    it('builds one row of zeros per input, dynamic dimensions as 1', () => {
      const r = zerosRequest({
        inputs: [
          { name: 'x', datatype: 'FP32', shape: [-1, 3] },
          { name: 'ids', datatype: 'INT64', shape: [-1, -1] },
          { name: 'text', datatype: 'BYTES', shape: [2] },
          { name: 'mask', datatype: 'BOOL', shape: [] },
        ],
      });
      assert.deepEqual(r.inputs, [
        { name: 'x', datatype: 'FP32', shape: [1, 3], data: [0, 0, 0] },
        { name: 'ids', datatype: 'INT64', shape: [1, 1], data: [0] },
        { name: 'text', datatype: 'BYTES', shape: [2], data: ['', ''] },
        { name: 'mask', datatype: 'BOOL', shape: [], data: [false] },
      ]);
    });
  });
});
