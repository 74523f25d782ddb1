import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readOnnxModelProto } from '../../../src/registry/model-package/onnx-proto.js';
import { buildIdentityModel, buildInitializerInputModel, buildLinearModel, buildLinearModelWithExternalData, buildModel, buildModelWithExternalData, corruptModelBytes } from '../../helpers/onnx-builder.js';
import { fixtureDir } from './package-fixtures.js';

describe('onnx-proto', () => {
  describe('.readOnnxModelProto', () => {
    it('reads IR version, opsets, producer and typed inputs and outputs', () => {
      const m = readOnnxModelProto(
        buildModel({
          irVersion: 7,
          opset: 15,
          extraOpsets: [{ domain: 'ai.onnx.ml', version: 3 }],
          producerName: 'tests',
          nodes: [{ op: 'Add', inputs: ['a', 'b'], outputs: ['c'] }],
          inputs: [
            { name: 'a', dtype: 'float64', shape: ['batch', 3, null] },
            { name: 'b', dtype: 'int64', shape: [] },
          ],
          outputs: [{ name: 'c', dtype: 'bool' }],
        }),
      );
      assert.equal(m.irVersion, 7);
      assert.deepEqual([...m.opsets], [
        ['', 15],
        ['ai.onnx.ml', 3],
      ]);
      assert.equal(m.producerName, 'tests');
      assert.deepEqual(m.inputs, [
        { name: 'a', kind: 'tensor', elemType: 11, shape: ['batch', 3, null] },
        { name: 'b', kind: 'tensor', elemType: 7, shape: [] },
      ]);
      // No shape recorded: rank unknown, unlike the scalar above.
      assert.deepEqual(m.outputs, [{ name: 'c', kind: 'tensor', elemType: 9 }]);
      assert.deepEqual(m.externalDataFiles, []);
    });

    it('leaves out initializers listed as inputs (IR < 4 style)', () => {
      const m = readOnnxModelProto(
        buildInitializerInputModel(),
      );
      assert.deepEqual(
        m.inputs.map((i) => i.name),
        ['x'],
      );
    });

    it('finds external data files, as written by the builder and by onnx.save_model', async () => {
      assert.deepEqual(readOnnxModelProto(buildLinearModelWithExternalData({ inputs: 4, outputs: 2, externalFile: 'w.bin' }).bytes).externalDataFiles, ['w.bin']);
      const dir = fixtureDir('mlflow3-external-data');
      const m = readOnnxModelProto(await readFile(join(dir, 'model.onnx')));
      assert.equal(m.externalDataFiles.length, 1);
      assert.match(m.externalDataFiles[0], /^[0-9a-f-]{36}$/);
    });

    it('finds external data inside Constant node attributes', () => {
      const built = buildModelWithExternalData({
        nodes: [
          { op: 'Constant', inputs: [], outputs: ['k'], attributes: { value: { tensor: { name: 'k', dtype: 'float32', dims: [2], values: [1, 2], externalFile: 'const.bin' } } } },
          { op: 'Add', inputs: ['x', 'k'], outputs: ['y'] },
        ],
        inputs: [{ name: 'x', dtype: 'float32', shape: [2] }],
        outputs: [{ name: 'y', dtype: 'float32', shape: [2] }],
      });
      assert.deepEqual(readOnnxModelProto(built.bytes).externalDataFiles, ['const.bin']);
    });

    it('reads real fixtures written by the onnx Python package', async () => {
      const m = readOnnxModelProto(await readFile(join(fixtureDir('mlflow3-signature'), 'model.onnx')));
      assert.equal(m.irVersion, 7);
      assert.equal(m.opsets.get(''), 13);
      assert.deepEqual(m.inputs, [{ name: 'x', kind: 'tensor', elemType: 1, shape: ['batch', 4] }]);
    });

    it('throws for truncated, empty and graph-less bytes', () => {
      assert.throws(() => readOnnxModelProto(corruptModelBytes()), /^Error: malformed protobuf \(field 7 claims \d+ bytes, \d+ left\)$/);
      assert.throws(() => readOnnxModelProto(new Uint8Array(0)), /the file is empty/);
      assert.throws(() => readOnnxModelProto(Buffer.from([0x08, 0x07])), /there is no graph in it/);
      assert.throws(() => readOnnxModelProto(Buffer.from('{"not": "onnx"}')), /malformed protobuf/);
      assert.doesNotThrow(() => readOnnxModelProto(buildIdentityModel({ dtype: 'string' })));
      assert.doesNotThrow(() => readOnnxModelProto(buildLinearModel({ inputs: 1, outputs: 1 })));
    });
  });
});
