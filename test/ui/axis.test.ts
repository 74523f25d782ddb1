/**
 * The compare views' axes (parallel coordinates, scatter, grouped), in Node:
 * numeric axes label round values, categorical ones their values in order.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeAxis, niceTicks } from '../../ui/src/components/compare/axis.js';

describe('compare axes', () => {
  it('puts ticks on round values 1, 2 or 5 × 10^k apart, inside the data range', () => {
    assert.deepEqual(niceTicks(0.0001, 0.01), [0.002, 0.004, 0.006, 0.008, 0.01]);
    assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(niceTicks(16, 256), [50, 100, 150, 200, 250]);
    assert.deepEqual(niceTicks(-3, 7), [-2, 0, 2, 4, 6]);
    assert.deepEqual(niceTicks(0.1, 0.3, 2), [0.1, 0.2, 0.3]);
    assert.deepEqual(niceTicks(5, 5), [5]);
  });

  it('places each tick where its value lies and labels it plainly', () => {
    const axis = makeAxis([0.0001, 0.003, 0.01, undefined]);
    assert.equal(axis.kind, 'numeric');
    assert.deepEqual(axis.ticks.map((t) => t.label), ['0.002', '0.004', '0.006', '0.008', '0.01']);
    for (const t of axis.ticks) assert.ok(Math.abs(t.pos - axis.pos(Number(t.label))!) < 1e-12, t.label);
    assert.equal(axis.pos(undefined), undefined);
    // One value: a step either side, so it sits in the middle.
    assert.deepEqual(makeAxis([3, 3]).ticks.map((t) => [t.label, t.pos]), [['2', 0], ['2.5', 0.25], ['3', 0.5], ['3.5', 0.75], ['4', 1]]);
  });

  it('orders categories as a person would (numbers within names by value)', () => {
    const axis = makeAxis(['sgd', 'adam', 'layer10', 'layer9', 'adam']);
    assert.equal(axis.kind, 'categorical');
    assert.deepEqual(axis.ticks.map((t) => t.label), ['adam', 'layer9', 'layer10', 'sgd']);
  });
});
