import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OnnxValueInfo } from '../../../src/registry/model-package/onnx-signature.js';
import { signatureMismatches } from '../../../src/registry/model-package/signature-check.js';

const tensor = (name: string, dtype: string, shape: Array<number | string | null> | null): OnnxValueInfo => ({
  name,
  isTensor: true,
  dtype,
  onnxType: dtype === 'float32' ? 'float' : dtype,
  shape,
});

/** The graph of a 4 → 2 linear layer with a symbolic batch dim. */
const linear = { inputs: [tensor('x', 'float32', ['batch', 4])], outputs: [tensor('y', 'float32', ['batch', 2])] };
const twoInputs = { inputs: [tensor('a', 'float32', ['n', 3]), tensor('b', 'int64', ['n'])], outputs: [tensor('out', 'float32', ['n', 1])] };

describe('signature-check', () => {
  describe('.signatureMismatches', () => {
    it('accepts a signature that matches, with -1 for symbolic dims', () => {
      assert.deepEqual(
        signatureMismatches({ inputs: [{ name: 'x', dtype: 'float32', shape: [-1, 4] }], outputs: [{ name: 'y', dtype: 'float32', shape: [-1, 2] }] }, linear),
        [],
      );
    });

    it('accepts a fixed size where the graph is dynamic, and -1 where the graph is fixed', () => {
      assert.deepEqual(signatureMismatches({ inputs: [{ name: 'x', dtype: 'float32', shape: [16, -1] }] }, linear), []);
    });

    it('accepts numpy aliases of the same dtype', () => {
      const graph = { inputs: [tensor('s', 'str', [-1]), tensor('d', 'float64', [-1])], outputs: [] };
      assert.deepEqual(signatureMismatches({ inputs: [{ name: 's', dtype: 'object', shape: [-1] }, { name: 'd', dtype: 'double', shape: [-1] }] }, graph), []);
    });

    it('names an input that is not in the graph and a graph input the signature lacks', () => {
      assert.deepEqual(signatureMismatches({ inputs: [{ name: 'features', dtype: 'float32', shape: [-1, 4] }] }, linear), [
        "input 'features' is in the signature but not in the graph (graph inputs: x)",
        "graph input 'x' is missing from the signature",
      ]);
    });

    it('names a dtype difference', () => {
      assert.deepEqual(signatureMismatches({ inputs: [{ name: 'x', dtype: 'float64', shape: [-1, 4] }] }, linear), [
        "input 'x': dtype float64 in the signature, float32 in the graph",
      ]);
    });

    it('names a rank difference, with both shapes', () => {
      assert.deepEqual(signatureMismatches({ inputs: [{ name: 'x', dtype: 'float32', shape: [-1, 4, 1] }] }, linear), [
        "input 'x': rank 3 in the signature [-1, 4, 1], rank 2 in the graph [batch, 4]",
      ]);
    });

    it('names a fixed dimension that differs', () => {
      assert.deepEqual(signatureMismatches({ outputs: [{ name: 'y', dtype: 'float32', shape: [-1, 3] }] }, linear), [
        "output 'y': dimension 1 is 3 in the signature, 2 in the graph [batch, 2]",
      ]);
    });

    it('checks outputs by name too', () => {
      assert.deepEqual(signatureMismatches({ outputs: [{ name: 'probabilities', dtype: 'float32', shape: [-1, 2] }] }, linear), [
        "output 'probabilities' is in the signature but not in the graph (graph outputs: y)",
        "graph output 'y' is missing from the signature",
      ]);
    });

    it('lists every difference at once', () => {
      const problems = signatureMismatches(
        { inputs: [{ name: 'a', dtype: 'float32', shape: [-1, 4] }, { name: 'b', dtype: 'int32', shape: [-1] }] },
        twoInputs,
      );
      assert.deepEqual(problems, ["input 'a': dimension 1 is 4 in the signature, 3 in the graph [n, 3]", "input 'b': dtype int32 in the signature, int64 in the graph"]);
    });

    it('matches unnamed tensors by position', () => {
      assert.deepEqual(signatureMismatches({ inputs: [{ dtype: 'float32', shape: [-1, 4] }] }, linear), []);
      assert.deepEqual(signatureMismatches({ inputs: [{ dtype: 'float32', shape: [-1, 3] }] }, twoInputs), [
        'the signature has 1 unnamed input(s), the graph has 2 (a, b)',
      ]);
      assert.deepEqual(signatureMismatches({ inputs: [{ dtype: 'int64', shape: [-1, 4] }] }, linear), ["input 'x': dtype int64 in the signature, float32 in the graph"]);
    });

    it('says when the graph value is not a tensor', () => {
      const graph = { inputs: [], outputs: [{ name: 'probs', isTensor: false, dtype: null, onnxType: 'sequence', shape: null }] };
      assert.deepEqual(signatureMismatches({ outputs: [{ name: 'probs', dtype: 'float32', shape: [-1] }] }, graph), [
        "output 'probs': the signature declares a tensor, the graph has a sequence",
      ]);
    });

    it('does not check the rank of a value whose graph shape is unknown', () => {
      const graph = { inputs: [tensor('x', 'float32', null)], outputs: [] };
      assert.deepEqual(signatureMismatches({ inputs: [{ name: 'x', dtype: 'float32', shape: [-1, 7, 7] }] }, graph), []);
    });

    describe('column-based signatures', () => {
      it('feeds the columns of a DataFrame to a single [rows, columns] input, double into float32', () => {
        const cols = [
          { name: 'a', type: 'double' },
          { name: 'b', type: 'double' },
          { name: 'c', type: 'float' },
          { name: 'd', type: 'double' },
        ];
        assert.deepEqual(signatureMismatches({ inputs: cols }, linear), []);
        assert.deepEqual(signatureMismatches({ inputs: cols.slice(0, 3) }, linear), ["input 'x': the signature has 3 column(s), the graph expects 4 [batch, 4]"]);
        assert.deepEqual(signatureMismatches({ inputs: [...cols.slice(0, 3), { name: 'd', type: 'string' }] }, linear), [
          "column 'd' of type string cannot feed input 'x' of dtype float32",
        ]);
      });

      it('matches columns to the inputs of a multi-input graph by name', () => {
        assert.deepEqual(signatureMismatches({ inputs: [{ name: 'a', type: 'float' }, { name: 'b', type: 'long' }] }, twoInputs), []);
        assert.deepEqual(signatureMismatches({ inputs: [{ name: 'a', type: 'float' }, { name: 'c', type: 'long' }] }, twoInputs), [
          "input 'c' is in the signature but not in the graph (graph inputs: a, b)",
          "graph input 'b' is missing from the signature",
        ]);
        assert.deepEqual(signatureMismatches({ inputs: [{ name: 'a', type: 'float' }, { name: 'b', type: 'boolean' }] }, twoInputs), [
          "input 'b': type boolean in the signature, int64 in the graph",
        ]);
      });

      it('does not name-check unnamed output columns', () => {
        assert.deepEqual(signatureMismatches({ outputs: [{ type: 'double' }] }, linear), []);
      });
    });
  });
});
