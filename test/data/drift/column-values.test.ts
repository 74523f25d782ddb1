import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cleanCategorical, cleanNumerical, inferColumnType } from '../../../src/data/drift/column-values.js';

describe('inferColumnType', () => {
  it('calls typed arrays and numbers numerical', () => {
    assert.equal(inferColumnType(Float64Array.of(1, 2)), 'numerical');
    assert.equal(inferColumnType([1, null, 2n]), 'numerical');
  });

  it('calls strings, booleans and mixes categorical, as pandas object and bool dtypes are', () => {
    assert.equal(inferColumnType(['a', null]), 'categorical');
    assert.equal(inferColumnType([true, false]), 'categorical');
    assert.equal(inferColumnType([1, 'a']), 'categorical');
  });

  it('cannot tell the type of an all-null column', () => {
    assert.equal(inferColumnType([null, undefined, Number.NaN]), null);
  });
});

describe('cleanNumerical', () => {
  it('drops null, NaN and ±Infinity and sorts', () => {
    const r = cleanNumerical([3, null, Number.NaN, Infinity, -Infinity, 1, undefined, 2n]);
    assert.ok(r.ok);
    assert.deepEqual([...r.sorted], [1, 2, 3]);
  });

  it('drops NaN and infinities from typed arrays', () => {
    const r = cleanNumerical(Float64Array.of(2, Number.NaN, -Infinity, 1));
    assert.ok(r.ok);
    assert.deepEqual([...r.sorted], [1, 2]);
  });

  it('fails on a value that is not a number', () => {
    const r = cleanNumerical([1, 'x']);
    assert.deepEqual(r, { ok: false, reason: 'non-numeric value "x"' });
  });
});

describe('cleanCategorical', () => {
  it('drops missing values and keeps the rest as they are', () => {
    assert.deepEqual(cleanCategorical(['a', null, 1, Number.NaN, true, 5n, undefined]), ['a', 1, true, 5]);
  });
});
