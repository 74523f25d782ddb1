import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { datatypeOfNumpy, datatypeOfOrt, elementCount, fromHalf, toHalf } from '../../src/serving/tensor.js';

describe('tensor', () => {
  describe('toHalf / fromHalf', () => {
    it('round-trips values half precision holds exactly', () => {
      for (const v of [0, 1, -2, 0.5, 1.5, 65504, -65504, 2 ** -14, 2 ** -24, Infinity, -Infinity]) assert.equal(fromHalf(toHalf(v)), v, String(v));
      assert.ok(Number.isNaN(fromHalf(toHalf(NaN))));
    });

    it('rounds to the nearest half, ties to even, and overflows to infinity', () => {
      assert.equal(fromHalf(toHalf(1 + 2 ** -11)), 1);
      assert.equal(fromHalf(toHalf(1 + 3 * 2 ** -11)), 1 + 2 ** -9);
      assert.equal(fromHalf(toHalf(0.1)), 0.0999755859375);
      assert.equal(fromHalf(toHalf(70000)), Infinity);
      assert.equal(fromHalf(toHalf(2 ** -26)), 0);
    });
  });

  describe('datatypeOfNumpy / datatypeOfOrt', () => {
    it("maps MLflow's numpy dtype names and onnxruntime's type names to OIP datatypes", () => {
      assert.equal(datatypeOfNumpy('float32'), 'FP32');
      assert.equal(datatypeOfNumpy('double'), 'FP64');
      assert.equal(datatypeOfNumpy('long'), 'INT64');
      assert.equal(datatypeOfNumpy('str'), 'BYTES');
      assert.equal(datatypeOfNumpy('datetime64'), undefined);
      assert.equal(datatypeOfOrt('bool'), 'BOOL');
      assert.equal(datatypeOfOrt('string'), 'BYTES');
      assert.equal(datatypeOfOrt('float16'), 'FP16');
      assert.equal(datatypeOfOrt('int4'), undefined);
    });
  });

  describe('elementCount', () => {
    it('multiplies the dimensions (1 for a scalar)', () => {
      assert.equal(elementCount([2, 3, 4]), 24);
      assert.equal(elementCount([]), 1);
      assert.equal(elementCount([0, 5]), 0);
    });
  });
});
