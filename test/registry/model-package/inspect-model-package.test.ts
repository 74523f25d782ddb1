import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../../src/errors.js';
import { inspectModelPackage, validateModelPackageDir, type ModelPackageInfo } from '../../../src/registry/model-package/inspect-model-package.js';
import { buildOnnxMlModel, stringifyMlModel } from '../../../src/registry/model-package/mlmodel.js';
import type { ModelSignature } from '../../../src/registry/model-package/model-signature.js';
import { buildAddModel, buildLinearModel, buildLinearModelWithExternalData, buildUnsupportedOpsetModel, corruptModelBytes } from '../../helpers/onnx-builder.js';
import { fixtureDir, fixtureFiles, refusal, storeWithPackage } from './package-fixtures.js';

const PKG = '1/0123456789abcdef0123456789abcdef/artifacts/model';
const linearSignature: ModelSignature = { inputs: [{ name: 'x', dtype: 'float32', shape: [-1, 4] }], outputs: [{ name: 'y', dtype: 'float32', shape: [-1, 2] }] };

/** An ONNX package as Ferry's SDK writes it. */
function onnxPackage(options: { signature?: ModelSignature; onnx?: Uint8Array | null; data?: string } = {}): Record<string, string | Uint8Array> {
  const files: Record<string, string | Uint8Array> = { MLmodel: stringifyMlModel(buildOnnxMlModel({ signature: options.signature, data: options.data })) };
  if (options.onnx !== null) files[options.data ?? 'model.onnx'] = options.onnx ?? buildLinearModel({ inputs: 4, outputs: 2 });
  return files;
}

async function inspectFiles(files: Record<string, string | Uint8Array>, options = {}): Promise<ModelPackageInfo> {
  const { store, cleanup } = await storeWithPackage(PKG, files);
  try {
    return await inspectModelPackage(store, PKG, options);
  } finally {
    await cleanup();
  }
}

function refused(files: Record<string, string | Uint8Array>, reason: string, pattern: RegExp, options = {}): Promise<InvalidArgumentError> {
  return refusal(inspectFiles(files, options), reason, pattern);
}

describe('inspect-model-package', () => {
  describe('.inspectModelPackage', () => {
    it('accepts a package written by mlflow.onnx.save_model and checks its signature against the graph', async () => {
      const info = await inspectFiles(await fixtureFiles('mlflow3-signature'));
      assert.deepEqual(info.flavors, ['onnx', 'python_function']);
      assert.equal(info.signatureInferred, false);
      assert.deepEqual(info.signature, linearSignature);
      assert.deepEqual(info.inputExample, { artifactPath: 'input_example.json', type: 'ndarray', servingInputPath: 'serving_input_example.json' });
      assert.equal(info.onnx?.file, 'model.onnx');
      assert.equal(info.onnx?.opset, 13);
      assert.equal(info.onnx?.irVersion, 7);
      assert.equal(info.onnx?.sizeBytes, 170);
      assert.deepEqual(info.onnx?.inputs, [{ name: 'x', isTensor: true, dtype: 'float32', onnxType: 'float', shape: ['batch', 4] }]);
      assert.deepEqual(info.warnings, []);
    });

    it('infers the signature of a package that has none, with -1 for the dynamic batch dim', async () => {
      for (const fixture of ['mlflow3-no-signature', 'mlflow3-log-model', 'mlflow2-no-signature']) {
        const info = await inspectFiles(await fixtureFiles(fixture));
        assert.equal(info.signatureInferred, true, fixture);
        assert.deepEqual(info.signature, linearSignature, fixture);
        assert.equal(info.mlmodel.signature, undefined);
      }
    });

    it('fetches the external data file MLflow writes beside a larger model', async () => {
      const info = await inspectFiles(await fixtureFiles('mlflow3-external-data'));
      assert.equal(info.onnx?.externalDataFiles.length, 1);
      assert.equal(info.onnx?.sizeBytes, 273 + 2048);
      assert.deepEqual(info.signature?.inputs, [{ name: 'x', dtype: 'float32', shape: [-1, 32] }]);
    });

    it('accepts a non-ONNX package as listed, without ONNX checks', async () => {
      const info = await inspectFiles(await fixtureFiles('mlflow3-pyfunc-columns'));
      assert.deepEqual(info.flavors, ['python_function']);
      assert.equal(info.onnx, undefined);
      assert.equal(info.signatureInferred, false);
      assert.deepEqual(info.signature?.inputs?.map((c) => c.name), ['a', 'b']);
      const sklearn = await inspectFiles({
        MLmodel: 'flavors:\n  python_function:\n    loader_module: mlflow.sklearn\n    model_path: model.pkl\n  sklearn:\n    pickled_model: model.pkl\n    sklearn_version: 1.5.0\nmlflow_version: 2.17.2\n',
      });
      assert.deepEqual(sklearn.flavors, ['python_function', 'sklearn']);
      assert.equal(sklearn.signature, undefined);
    });

    it('warns when the input example named by MLmodel is missing', async () => {
      const files = await fixtureFiles('mlflow3-signature');
      delete files['input_example.json'];
      const info = await inspectFiles(files);
      assert.match(info.warnings[0], /input example 'input_example\.json', but the package has no such file/);
    });

    it('refuses a folder without MLmodel, naming where it looked', async () => {
      await refused({ 'model.onnx': buildLinearModel({ inputs: 4, outputs: 2 }) }, 'mlmodel_missing', new RegExp(`^No MLmodel file in '${PKG}' of \\S+: a model package is a directory in MLflow's layout`));
    });

    it('refuses an MLmodel that does not parse', async () => {
      await refused({ MLmodel: 'flavors: [broken' }, 'mlmodel_invalid', /MLmodel is not valid YAML/);
      await refused({ MLmodel: 'just a string' }, 'mlmodel_invalid', /must be a YAML mapping/);
      await refused(onnxPackage({ data: '../../other/model.onnx', onnx: null }), 'mlmodel_invalid', /onnx flavor data '..\/..\/other\/model.onnx' is not a file inside the package/);
    });

    it('refuses a package whose ONNX file is missing', async () => {
      await refused(onnxPackage({ onnx: null }), 'onnx_missing', /onnx flavor names 'model\.onnx', but there is no such file in the package/);
    });

    it('refuses a corrupt ONNX file', async () => {
      await refused(onnxPackage({ onnx: corruptModelBytes() }), 'onnx_corrupt', /^model\.onnx is not a valid ONNX model/);
    });

    it('refuses an opset the runtime cannot load', async () => {
      await refused(onnxPackage({ onnx: buildUnsupportedOpsetModel(99) }), 'onnx_unsupported_opset', /model\.onnx uses opset 99 of domain ai\.onnx, which onnxruntime-node/);
    });

    it('refuses a declared signature that disagrees with the graph, naming each input and difference', async () => {
      const err = await refused(
        onnxPackage({
          signature: {
            inputs: [{ name: 'x', dtype: 'float64', shape: [-1, 5] }],
            outputs: [{ name: 'scores', dtype: 'float32', shape: [-1, 2] }],
          },
        }),
        'signature_mismatch',
        /^The package's declared signature disagrees with the ONNX graph in model\.onnx: input 'x': dtype float64 in the signature, float32 in the graph; input 'x': dimension 1 is 5 in the signature, 4 in the graph \[batch, 4\]; output 'scores' is in the signature but not in the graph/,
      );
      assert.equal((err.details?.problems as string[]).length, 4);
    });

    it('refuses a rank difference and a missing input', async () => {
      await refused(onnxPackage({ signature: { inputs: [{ name: 'x', dtype: 'float32', shape: [-1] }] } }), 'signature_mismatch', /input 'x': rank 1 in the signature \[-1\], rank 2 in the graph \[batch, 4\]/);
      await refused(
        onnxPackage({ onnx: buildAddModel(), signature: { inputs: [{ name: 'a', dtype: 'float32', shape: [-1, 3] }] } }),
        'signature_mismatch',
        /graph input 'b' is missing from the signature/,
      );
    });

    it('refuses a package whose external data file is missing', async () => {
      const built = buildLinearModelWithExternalData({ inputs: 4, outputs: 2, externalFile: 'model.onnx.data' });
      await refused(onnxPackage({ onnx: built.bytes }), 'onnx_external_data', /keeps tensor data in 'model\.onnx\.data', but there is no such file in the package/);
      const info = await inspectFiles({ ...onnxPackage({ onnx: built.bytes }), 'model.onnx.data': built.externalData.get('model.onnx.data')! });
      assert.deepEqual(info.onnx?.externalDataFiles, ['model.onnx.data']);
    });

    it('refuses an ONNX file larger than the cap', async () => {
      await refused(onnxPackage(), 'file_too_large', /model\.onnx in .* is \d+ bytes, more than the 64 bytes Ferry reads/, { maxOnnxBytes: 64 });
    });
  });

  describe('.validateModelPackageDir', () => {
    it('reads packages written by MLflow 3 and MLflow 2 from a local folder', async () => {
      for (const fixture of ['mlflow3-signature', 'mlflow2-signature', 'mlflow3-external-data', 'mlflow2-pyfunc-columns']) {
        const info = await validateModelPackageDir(fixtureDir(fixture));
        assert.ok(info.flavors.includes('python_function'), fixture);
      }
    });

    it('refuses a folder that is not a package', async () => {
      await assert.rejects(validateModelPackageDir(fixtureDir('does-not-exist')), (err: unknown) => {
        assert.ok(err instanceof InvalidArgumentError);
        assert.equal(err.details?.reason, 'mlmodel_missing');
        return true;
      });
    });
  });
});
