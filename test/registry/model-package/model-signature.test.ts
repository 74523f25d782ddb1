import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../../src/errors.js';
import { decodeSignature, encodeSignature, isTensorSpec, normalizeSignature } from '../../../src/registry/model-package/model-signature.js';
import { loadPyYaml } from '../../../src/registry/model-package/python-compat.js';
import { readFixture } from './package-fixtures.js';

const signatureOf = async (fixture: string) => (loadPyYaml(await readFixture(fixture)) as { signature: Record<string, string | null> }).signature;

describe('model-signature', () => {
  describe('decodeSignature', () => {
    it('reads a tensor signature written by MLflow', async () => {
      assert.deepEqual(decodeSignature(await signatureOf('mlflow3-signature')), {
        inputs: [{ name: 'x', dtype: 'float32', shape: [-1, 4] }],
        outputs: [{ name: 'y', dtype: 'float32', shape: [-1, 2] }],
      });
    });

    it('reads a column signature with optional columns, unnamed outputs and params', async () => {
      const sig = decodeSignature(await signatureOf('mlflow3-pyfunc-columns'));
      assert.deepEqual(sig, {
        inputs: [
          { name: 'a', type: 'double', required: true },
          { name: 'b', type: 'long', required: false },
        ],
        outputs: [{ type: 'double', required: true }],
        params: [{ name: 'scale', type: 'double', default: 1, shape: null }],
      });
      assert.equal(isTensorSpec(sig.inputs![0]), false);
    });

    it('keeps the parts of complex column types', () => {
      const sig = decodeSignature({ inputs: '[{"type": "array", "items": {"type": "string"}, "name": "tags", "required": true}]', outputs: null, params: null });
      assert.deepEqual(sig.inputs, [{ name: 'tags', type: 'array', required: true, extra: { items: { type: 'string' } } }]);
    });

    it('names the field that is not valid JSON', () => {
      assert.throws(() => decodeSignature({ inputs: '[{"type": ', outputs: null }), (err: unknown) => {
        assert.ok(err instanceof InvalidArgumentError);
        assert.match(err.message, /signature\.inputs is not valid JSON/);
        return true;
      });
    });

    it('refuses a tensor without a tensor-spec, and a side that mixes tensors and columns', () => {
      assert.throws(() => decodeSignature({ inputs: '[{"type": "tensor", "name": "x"}]' }), /signature\.inputs\[0\] is a tensor without a valid "tensor-spec"/);
      assert.throws(
        () => decodeSignature({ inputs: '[{"type": "tensor", "tensor-spec": {"dtype": "float32", "shape": [-1]}}, {"type": "double"}]' }),
        /mixes tensors and columns/,
      );
    });

    it('reads Python-written NaN defaults', () => {
      const sig = decodeSignature({ params: '[{"name": "t", "default": NaN, "shape": null, "type": "double"}]' });
      assert.equal(sig.params?.[0].default, 'NaN');
    });
  });

  describe('encodeSignature', () => {
    it('writes the JSON strings MLflow 3 writes, byte for byte', async () => {
      for (const fixture of ['mlflow3-signature', 'mlflow3-pyfunc-columns', 'mlflow2-signature']) {
        const raw = await signatureOf(fixture);
        assert.deepEqual(encodeSignature(decodeSignature(raw)), raw, fixture);
      }
    });

    it('writes what MLflow 2 wrote as the same JSON (2.x put a param\'s "type" second)', async () => {
      const raw = await signatureOf('mlflow2-pyfunc-columns');
      const enc = encodeSignature(decodeSignature(raw));
      for (const side of ['inputs', 'outputs', 'params'] as const) assert.deepEqual(JSON.parse(enc[side]!), JSON.parse(raw[side]!), side);
    });

    it('writes unnamed tensors without a name and float param defaults as floats', () => {
      const enc = encodeSignature({
        inputs: [{ dtype: 'float64', shape: [-1, 3] }],
        params: [{ name: 'temperature', type: 'float', default: 1, shape: null }, { name: 'ids', type: 'long', default: [1, 2], shape: [-1] }],
      });
      assert.equal(enc.inputs, '[{"type": "tensor", "tensor-spec": {"dtype": "float64", "shape": [-1, 3]}}]');
      assert.equal(enc.outputs, null);
      assert.equal(enc.params, '[{"name": "temperature", "default": 1.0, "shape": null, "type": "float"}, {"name": "ids", "default": [1, 2], "shape": [-1], "type": "long"}]');
    });
  });

  describe('normalizeSignature', () => {
    it('fills in required: true and checks the shape', () => {
      assert.deepEqual(normalizeSignature({ inputs: [{ name: 'a', type: 'double' }] }), { inputs: [{ name: 'a', type: 'double', required: true }] });
      assert.throws(() => normalizeSignature({ inputs: [{ name: 'x', dtype: 'float32', shape: [1.5] }] }), InvalidArgumentError);
    });
  });
});
