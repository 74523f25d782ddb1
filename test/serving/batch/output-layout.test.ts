import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../../src/errors.js';
import type { KeyPlan } from '../../../src/serving/batch/column-plan.js';
import { outputLayout, resultWidths } from '../../../src/serving/batch/output-layout.js';

const ROW: KeyPlan = { name: 'row', sqlType: 'BIGINT', stageType: 'DOUBLE' };
const names = (...args: Parameters<typeof outputLayout>) => outputLayout(...args).map((c) => `${c.name}:${c.sqlType}`);

describe('outputLayout', () => {
  it('writes a single value per row as "prediction"', () => {
    assert.deepEqual(names([{ name: 'y', datatype: 'FP32', shape: [-1, 1] }], { y: 1 }, ROW), ['prediction:FLOAT']);
  });

  it('writes NAME for one value and NAME_i for several, per output', () => {
    const outputs = [
      { name: 'logits', datatype: 'FP32' as const, shape: [-1, 2] },
      { name: 'label', datatype: 'INT64' as const, shape: [-1] },
      { name: 'positive', datatype: 'BOOL' as const, shape: [-1] },
    ];
    assert.deepEqual(names(outputs, { logits: 2, label: 1, positive: 1 }, ROW), ['logits_0:FLOAT', 'logits_1:FLOAT', 'label:BIGINT', 'positive:BOOLEAN']);
  });

  it('renames a prediction column that would take the key column\'s name', () => {
    assert.deepEqual(names([{ name: 'id', datatype: 'FP64', shape: [-1] }, { name: 'p', datatype: 'FP16', shape: [-1] }], { id: 1, p: 1 }, { ...ROW, name: 'id' }), ['id_output:DOUBLE', 'p:FLOAT']);
  });
});

describe('resultWidths', () => {
  it('counts the values per row of each output', () => {
    assert.deepEqual(resultWidths({ a: { datatype: 'FP32', shape: [4, 2, 3], data: new Float32Array(24) }, b: { datatype: 'FP32', shape: [4], data: new Float32Array(4) } }, 4), { a: 6, b: 1 });
  });

  it('refuses an output that is not one row per input row', () => {
    assert.throws(() => resultWidths({ s: { datatype: 'FP32', shape: [], data: new Float32Array(1) } }, 4), InvalidArgumentError);
  });
});
