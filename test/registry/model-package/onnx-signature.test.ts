import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { refusal } from './package-fixtures.js';
import { inferOnnxSignature, inspectOnnxModel, onnxRuntimeVersion } from '../../../src/registry/model-package/onnx-signature.js';
import {
  buildAddModel,
  buildIdentityModel,
  buildInitializerInputModel,
  buildLinearModel,
  buildLinearModelWithExternalData,
  buildModel,
  buildModelWithExternalData,
  buildUnsupportedOpsetModel,
  corruptModelBytes,
  type ElemTypeName,
} from '../../helpers/onnx-builder.js';

describe('onnx-signature', () => {
  describe('.inspectOnnxModel', () => {
    it('describes a model: IR version, opsets, inputs and outputs with symbolic dims', async () => {
      const info = await inspectOnnxModel(buildLinearModel({ inputs: 4, outputs: 2, opset: 17 }));
      assert.equal(info.irVersion, 8);
      assert.equal(info.opset, 17);
      assert.deepEqual(info.opsets, { 'ai.onnx': 17 });
      assert.equal(info.producer, 'ferry-onnx-builder 0.1');
      assert.deepEqual(info.inputs, [{ name: 'x', isTensor: true, dtype: 'float32', onnxType: 'float', shape: ['batch', 4] }]);
      assert.deepEqual(info.outputs, [{ name: 'y', isTensor: true, dtype: 'float32', onnxType: 'float', shape: ['batch', 2] }]);
      assert.ok(info.sizeBytes > 0);
      assert.deepEqual(info.externalDataFiles, []);
    });

    it('maps element types to MLflow dtype names', async () => {
      const cases: Array<[ElemTypeName, string, string]> = [
        ['float32', 'float32', 'float'],
        ['float64', 'float64', 'double'],
        ['float16', 'float16', 'float16'],
        ['int32', 'int32', 'int32'],
        ['int64', 'int64', 'int64'],
        ['uint8', 'uint8', 'uint8'],
        ['bool', 'bool', 'bool'],
        ['string', 'str', 'string'],
      ];
      for (const [elem, dtype, onnxType] of cases) {
        const info = await inspectOnnxModel(buildIdentityModel({ dtype: elem, shape: [2] }));
        assert.deepEqual(info.inputs[0], { name: 'input', isTensor: true, dtype, onnxType, shape: [2] }, elem);
      }
    });

    it('tells a scalar (shape []) from a value with no recorded shape (null)', async () => {
      assert.deepEqual((await inspectOnnxModel(buildIdentityModel({ dtype: 'float32', shape: [] }))).inputs[0].shape, []);
      assert.equal((await inspectOnnxModel(buildIdentityModel({ dtype: 'float32' }))).inputs[0].shape, null);
    });

    it('lists only the inputs a caller feeds (not initializers listed as inputs)', async () => {
      const bytes = buildInitializerInputModel();
      assert.deepEqual(
        (await inspectOnnxModel(bytes)).inputs.map((i) => i.name),
        ['x'],
      );
    });

    it('loads tensors kept in external data files from a private folder', async () => {
      const built = buildLinearModelWithExternalData({ inputs: 4, outputs: 2, externalFile: 'weights/w.bin' });
      const info = await inspectOnnxModel(built.bytes, { externalData: built.externalData });
      assert.deepEqual(info.externalDataFiles, ['weights/w.bin']);
      assert.equal(info.inputs[0].name, 'x');
    });

    it('never lets ORT read external data from the working directory', async () => {
      const built = buildLinearModelWithExternalData({ inputs: 4, outputs: 2, externalFile: 'w.bin' });
      const dir = await mkdtemp(join(tmpdir(), 'ferry-cwd-'));
      const cwd = process.cwd();
      try {
        await writeFile(join(dir, 'w.bin'), built.externalData.get('w.bin')!);
        process.chdir(dir);
        await refusal(inspectOnnxModel(built.bytes), 'onnx_external_data', /keeps tensor data in 'w\.bin', which is missing from the package/);
      } finally {
        process.chdir(cwd);
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('refuses external data outside the model\'s folder', async () => {
      for (const location of ['../secret.bin', '/etc/passwd', 'a/../../b']) {
        const built = buildModelWithExternalData({
          nodes: [{ op: 'Identity', inputs: ['W'], outputs: ['y'] }],
          inputs: [],
          outputs: [{ name: 'y', dtype: 'float32', shape: [1] }],
          initializers: [{ name: 'W', dtype: 'float32', dims: [1], values: [1], externalFile: location }],
        });
        await refusal(inspectOnnxModel(built.bytes), 'onnx_external_data', /which is not a file beside the model/);
      }
    });

    it('rejects corrupt bytes, saying the file is not a valid model', async () => {
      await refusal(inspectOnnxModel(corruptModelBytes()), 'onnx_corrupt', /^model\.onnx is not a valid ONNX model: /);
      await refusal(inspectOnnxModel(Buffer.from('hello, not a model'), { fileName: 'weird.onnx' }), 'onnx_corrupt', /^weird\.onnx is not a valid ONNX model/);
      await refusal(inspectOnnxModel(new Uint8Array(0)), 'onnx_corrupt', /the file is empty/);
    });

    it('rejects a well-formed graph that ONNX Runtime finds invalid', async () => {
      const bytes = buildModel({
        nodes: [{ op: 'Add', inputs: ['a', 'nowhere'], outputs: ['o'] }],
        inputs: [{ name: 'a', dtype: 'float32', shape: [1] }],
        outputs: [{ name: 'o', dtype: 'float32', shape: [1] }],
      });
      await refusal(inspectOnnxModel(bytes), 'onnx_corrupt', /not a model ONNX Runtime can load \(corrupt or invalid\): .*'nowhere'/);
    });

    it('rejects an opset the runtime cannot load, naming the opset and the supported maximum', async () => {
      const err = await refusal(inspectOnnxModel(buildUnsupportedOpsetModel(99)), 'onnx_unsupported_opset', /uses opset 99 of domain ai\.onnx, which onnxruntime-node \S+ cannot load \(it supports ai\.onnx up to opset \d+\)/);
      assert.equal(typeof err.details?.maxSupportedOpset, 'number');
      assert.deepEqual(err.details?.opsets, { 'ai.onnx': 99 });
    });

    it('rejects an opset of another domain the runtime cannot load', async () => {
      const bytes = buildModel({
        extraOpsets: [{ domain: 'ai.onnx.ml', version: 99 }],
        nodes: [{ op: 'Identity', inputs: ['a'], outputs: ['o'] }],
        inputs: [{ name: 'a', dtype: 'float32', shape: [1] }],
        outputs: [{ name: 'o', dtype: 'float32', shape: [1] }],
      });
      await refusal(inspectOnnxModel(bytes), 'onnx_unsupported_opset', /opset 99 of domain ai\.onnx\.ml/);
    });

    it('rejects an opset too old for the runtime\'s kernels', async () => {
      await refusal(inspectOnnxModel(buildUnsupportedOpsetModel(6)), 'onnx_unsupported_opset', /has no implementation of Gemm for opset 6/);
    });

    it('rejects an IR version the runtime cannot load', async () => {
      await refusal(inspectOnnxModel(buildLinearModel({ inputs: 2, outputs: 1, irVersion: 99 })), 'onnx_unsupported_ir_version', /has IR version 99, which onnxruntime-node/);
    });

    it('rejects an operator the runtime does not know', async () => {
      const bytes = buildModel({
        nodes: [{ op: 'FooBar', inputs: ['a'], outputs: ['o'] }],
        inputs: [{ name: 'a', dtype: 'float32', shape: [1] }],
        outputs: [{ name: 'o', dtype: 'float32', shape: [1] }],
      });
      await refusal(inspectOnnxModel(bytes), 'onnx_unsupported_operator', /uses operator FooBar/);
    });

    it('rejects inputs of a type onnxruntime-node cannot exchange', async () => {
      await refusal(inspectOnnxModel(buildIdentityModel({ dtype: 'bfloat16', shape: [1] })), 'onnx_corrupt', /type bfloat16/);
    });
  });

  describe('.inferOnnxSignature', () => {
    it('turns symbolic and unnamed dynamic dims into -1 and keeps fixed dims', async () => {
      for (const [batch, first] of [
        ['batch', -1],
        [null, -1],
        [8, 8],
      ] as const) {
        const { signature, warnings } = inferOnnxSignature(await inspectOnnxModel(buildLinearModel({ inputs: 4, outputs: 2, batch })));
        assert.deepEqual(signature, {
          inputs: [{ name: 'x', dtype: 'float32', shape: [first, 4] }],
          outputs: [{ name: 'y', dtype: 'float32', shape: [first, 2] }],
        });
        assert.deepEqual(warnings, []);
      }
    });

    it('names every input of a multi-input model', async () => {
      const { signature } = inferOnnxSignature(await inspectOnnxModel(buildAddModel({ dtype: 'int64', shape: ['n', 'm'] })));
      assert.deepEqual(signature.inputs, [
        { name: 'a', dtype: 'int64', shape: [-1, -1] },
        { name: 'b', dtype: 'int64', shape: [-1, -1] },
      ]);
    });

    it('warns about a value with no shape and writes [-1]', async () => {
      const { signature, warnings } = inferOnnxSignature(await inspectOnnxModel(buildIdentityModel({ dtype: 'float32' })));
      assert.deepEqual(signature.inputs, [{ name: 'input', dtype: 'float32', shape: [-1] }]);
      assert.match(warnings[0], /input 'input' has no shape in the graph/);
    });

    it('leaves out values MLflow cannot describe, with a warning', () => {
      const { signature, warnings } = inferOnnxSignature({
        irVersion: 8,
        opset: 13,
        opsets: {},
        sizeBytes: 1,
        externalDataFiles: [],
        inputs: [{ name: 'x', isTensor: true, dtype: 'float32', onnxType: 'float', shape: [-1, 4] }],
        outputs: [
          { name: 'label', isTensor: true, dtype: 'int64', onnxType: 'int64', shape: [-1] },
          { name: 'probabilities', isTensor: false, dtype: null, onnxType: 'sequence', shape: null },
        ],
      });
      assert.deepEqual(signature.outputs, [{ name: 'label', dtype: 'int64', shape: [-1] }]);
      assert.match(warnings[0], /output 'probabilities' is a sequence, which an MLflow tensor signature cannot describe/);
    });
  });

  describe('.onnxRuntimeVersion', () => {
    it('reports the onnxruntime-node version', async () => {
      assert.match(await onnxRuntimeVersion(), /^\d+\.\d+\.\d+/);
    });
  });
});
