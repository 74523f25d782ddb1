import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/errors.js';
import { validateInputs, validateOutputs } from '../../src/serving/input-validation.js';
import { fromHalf, type TensorMetadata } from '../../src/serving/tensor.js';

const X: TensorMetadata = { name: 'x', datatype: 'FP32', shape: [-1, 3] };
const IDS: TensorMetadata = { name: 'ids', datatype: 'INT64', shape: [-1] };
const specs = [X, IDS];

const x = (data: unknown, shape: unknown = [2, 3], datatype = 'FP32') => ({ name: 'x', datatype, shape, data });
const ids = (data: unknown = [1, 2], shape: unknown = [2]) => ({ name: 'ids', datatype: 'INT64', shape, data });

/** Asserts validation fails with InvalidArgumentError whose message matches every pattern and names `input`. */
function refuses(inputs: unknown, patterns: RegExp[], reason: string, input?: string, batchable = true, on: TensorMetadata[] = specs): void {
  assert.throws(
    () => validateInputs(on, inputs, batchable),
    (err: unknown) => {
      assert.ok(err instanceof InvalidArgumentError, String(err));
      for (const p of patterns) assert.match(err.message, p);
      assert.equal(err.details?.reason, reason, err.message);
      if (input !== undefined) assert.equal(err.details?.input, input);
      return true;
    },
  );
}

describe('validateInputs', () => {
  it('accepts nested and flattened data alike', () => {
    const nested = validateInputs(specs, [x([[1, 2, 3], [4, 5, 6]]), ids()], true);
    const flat = validateInputs(specs, [x([1, 2, 3, 4, 5, 6]), ids()], true);
    assert.deepEqual(nested, flat);
    assert.equal(nested.rows, 2);
    assert.deepEqual([...(nested.tensors.x!.data as Float32Array)], [1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...(nested.tensors.ids!.data as BigInt64Array)], [1n, 2n]);
  });

  it('takes the shape from nested data when a protocol sends none', () => {
    const v = validateInputs([X], [{ name: 'x', data: [[1, 2, 3]] }], true);
    assert.deepEqual(v.tensors.x!.shape, [1, 3]);
  });

  it('accepts the non-finite values Python clients send as bare NaN and Infinity', () => {
    const v = validateInputs([X], [x(['NaN', 'Infinity', '-Infinity'], [1, 3])], true);
    assert.deepEqual([...(v.tensors.x!.data as Float32Array)], [NaN, Infinity, -Infinity]);
  });

  it('converts FP16 numbers to half-precision bits', () => {
    const v = validateInputs([{ name: 'h', datatype: 'FP16', shape: [2] }], [{ name: 'h', datatype: 'FP16', shape: [2], data: [1.5, -65504] }], false);
    assert.deepEqual(Array.from(v.tensors.h!.data as Uint16Array, fromHalf), [1.5, -65504]);
  });

  it('refuses a missing input, naming it and what the model expects', () => {
    refuses([x([1, 2, 3, 4, 5, 6])], [/Missing input 'ids' \(INT64 \[-1\]\)/, /model expects 'x' \(FP32 \[-1, 3\]\), 'ids'/], 'missing_input', 'ids');
  });

  it('refuses an extra input, listing the real ones', () => {
    refuses([x([1, 2, 3, 4, 5, 6]), ids(), { name: 'z', datatype: 'FP32', shape: [1], data: [1] }], [/Unknown input 'z'/, /inputs are 'x'/], 'unknown_input', 'z');
  });

  it('refuses an input given twice', () => {
    refuses([x([1, 2, 3, 4, 5, 6]), x([1, 2, 3, 4, 5, 6]), ids()], [/'x' is given more than once/], 'duplicate_input', 'x');
  });

  it('refuses the wrong datatype, and one that is no datatype at all', () => {
    refuses([x([1, 2, 3, 4, 5, 6], [2, 3], 'FP64'), ids()], [/'x' has datatype FP64; the model expects FP32/], 'wrong_datatype', 'x');
    refuses([x([1, 2, 3, 4, 5, 6], [2, 3], 'float'), ids()], [/"float", which is not a tensor datatype/], 'wrong_datatype', 'x');
  });

  it('refuses the wrong rank and the wrong fixed dimension', () => {
    refuses([x([1, 2, 3, 4, 5, 6], [6]), ids()], [/'x' has shape \[6\], rank 1; the model expects rank 2/], 'wrong_rank', 'x');
    refuses([x([1, 2, 3, 4, 5, 6], [3, 2]), ids()], [/dimension 1 is 2, the model expects 3/], 'wrong_dimension', 'x');
    refuses([x([1, 2, 3], [1, 3]), ids([1], [1, 1])], [/'ids' has shape \[1, 1\], rank 2/], 'wrong_rank', 'ids');
  });

  it('refuses a shape that is not a list of non-negative integers', () => {
    for (const shape of ['2,3', [2, -3], [2, 1.5], null]) refuses([x([1], shape), ids()], [/a shape is a list of non-negative integers/], 'invalid_input', 'x');
  });

  it('refuses non-numeric values, saying where', () => {
    refuses([x([1, 2, 'three', 4, 5, 6]), ids()], [/element data\[2\] is "three", not a number/], 'wrong_value', 'x');
    refuses([x([[1, 2, 3], [4, null, 6]]), ids()], [/data\[1\]\[1\] is null/], 'wrong_value', 'x');
    refuses([x([1, 2, 3, 4, 5, true]), ids()], [/is true, not a number/], 'wrong_value', 'x');
  });

  it('refuses integers out of range or inexact, and non-booleans for BOOL', () => {
    refuses([x([1, 2, 3, 4, 5, 6]), ids([1, 2.5])], [/'ids' \(INT64\): element data\[1\] is 2.5, not an integer/], 'wrong_value', 'ids');
    refuses([x([1, 2, 3, 4, 5, 6]), ids([1, 2 ** 60])], [/within ±2\^53/], 'wrong_value', 'ids');
    const u8: TensorMetadata = { name: 'b', datatype: 'UINT8', shape: [-1] };
    refuses([{ name: 'b', datatype: 'UINT8', shape: [1], data: [256] }], [/is 256, not an integer from 0 to 255/], 'wrong_value', 'b', true, [u8]);
    const flag: TensorMetadata = { name: 'f', datatype: 'BOOL', shape: [-1] };
    refuses([{ name: 'f', datatype: 'BOOL', shape: [1], data: [1] }], [/is 1, not true or false/], 'wrong_value', 'f', true, [flag]);
  });

  it('refuses ragged nested arrays', () => {
    refuses([x([[1, 2, 3], [4, 5]]), ids()], [/'x' is ragged: data\[1\] has 2 items where 3 were expected/], 'ragged', 'x');
    refuses([x([[1, 2, 3], 4]), ids()], [/ragged: data\[1\] is 4 where a list was expected/], 'ragged', 'x');
    refuses([x([[1, [2], 3], [4, 5, 6]]), ids()], [/ragged: data\[0\]\[1\] is a list where a value was expected/], 'ragged', 'x');
  });

  it('refuses data whose length does not match the shape', () => {
    refuses([x([1, 2, 3, 4, 5]), ids()], [/'x' has 5 values, but shape \[2, 3\] holds 6/], 'wrong_length', 'x');
    refuses([x([[1, 2, 3]]), ids()], [/nested as \[1, 3\], which does not match shape \[2, 3\]/], 'wrong_length', 'x');
  });

  it('refuses inputs that disagree on the batch size', () => {
    refuses([x([1, 2, 3, 4, 5, 6]), ids([1, 2, 3], [3])], [/disagree on the batch size/, /'x' has 2 rows, 'ids' has 3/], 'batch_mismatch', 'ids');
  });

  it('refuses requests of the wrong structure', () => {
    refuses(undefined, [/needs "inputs"/], 'invalid_input');
    refuses([], [/needs "inputs"/], 'invalid_input');
    refuses([42], [/inputs\[0\] must be an object/], 'invalid_input');
    refuses([{ name: 'x', datatype: 'FP32', shape: [1, 3], data: 'abc' }, ids([1], [1])], [/needs "data", a list/], 'missing_data', 'x');
  });

  it('checks typed data from binary transports against the shape', () => {
    const ok = validateInputs([X], [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: new Float32Array(3) }], true);
    assert.equal(ok.rows, 1);
    refuses([{ name: 'x', datatype: 'FP32', shape: [1, 3], data: new Float32Array(4) }], [/has 4 values, but shape \[1, 3\] holds 3/], 'wrong_length', 'x', true, [X]);
    refuses([{ name: 'x', datatype: 'FP32', shape: [1, 3], data: new Int32Array(3) }], [/carries Int32Array data/], 'wrong_datatype', 'x', true, [X]);
  });
});

describe('validateOutputs', () => {
  const outs: TensorMetadata[] = [
    { name: 'a', datatype: 'FP32', shape: [-1] },
    { name: 'b', datatype: 'INT64', shape: [-1] },
  ];
  it('returns every output when none is named, else the named ones once each', () => {
    assert.deepEqual(validateOutputs(outs, undefined), ['a', 'b']);
    assert.deepEqual(validateOutputs(outs, ['b', 'b']), ['b']);
  });
  it('refuses an output the model does not produce', () => {
    assert.throws(() => validateOutputs(outs, ['c']), /Unknown output 'c': the model's outputs are 'a' \(FP32 \[-1\]\), 'b'/);
  });
});
