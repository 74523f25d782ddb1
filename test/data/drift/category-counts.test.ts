import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { countCategories, countSortedNumbers } from '../../../src/data/drift/category-counts.js';

describe('countCategories', () => {
  it('counts both sides over the union of values, reference first', () => {
    assert.deepEqual(countCategories(['b', 'a', 'b'], ['c', 'b']), {
      keys: ['b', 'a', 'c'],
      reference: [2, 1, 0],
      current: [1, 0, 1],
      referenceTotal: 3,
      currentTotal: 2,
    });
  });

  it('keeps the number 1 and the string "1" apart', () => {
    assert.equal(countCategories([1, '1'], [true]).keys.length, 3);
  });
});

describe('countSortedNumbers', () => {
  it('counts distinct values of two sorted samples', () => {
    assert.deepEqual(countSortedNumbers(Float64Array.of(1, 1, 3), Float64Array.of(2, 3, 3)), {
      keys: [1, 2, 3],
      reference: [2, 0, 1],
      current: [0, 1, 2],
      referenceTotal: 3,
      currentTotal: 3,
    });
  });
});
