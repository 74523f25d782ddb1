import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../../src/errors.js';
import {
  MLFLOW_LAYOUT_VERSION,
  buildOnnxMlModel,
  onnxEnvironmentFiles,
  parseMlModel,
  stringifyMlModel,
  utcTimeCreated,
} from '../../../src/registry/model-package/mlmodel.js';
import { readFixture } from './package-fixtures.js';

function rejectsWith(text: string, pattern: RegExp): void {
  assert.throws(() => parseMlModel(text), (err: unknown) => {
    assert.ok(err instanceof InvalidArgumentError, String(err));
    assert.match(err.message, pattern);
    assert.equal(err.details?.reason, 'mlmodel_invalid');
    return true;
  });
}

describe('mlmodel', () => {
  describe('parseMlModel', () => {
    it('reads an MLmodel written by mlflow.onnx.save_model (MLflow 3)', async () => {
      const m = parseMlModel(await readFixture('mlflow3-signature'));
      assert.deepEqual(Object.keys(m.flavors), ['onnx', 'python_function']);
      assert.equal(m.flavors.onnx.data, 'model.onnx');
      assert.equal(m.flavors.onnx.onnx_version, '1.12.0');
      assert.deepEqual(m.flavors.onnx.providers, ['CUDAExecutionProvider', 'CPUExecutionProvider']);
      assert.equal(m.flavors.python_function.loader_module, 'mlflow.onnx');
      assert.equal(m.mlflowVersion, '3.11.1');
      assert.equal(m.modelId, null);
      assert.match(m.modelUuid!, /^[0-9a-f]{32}$/);
      assert.match(m.utcTimeCreated!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/);
      assert.deepEqual(m.signature, { inputs: [{ name: 'x', dtype: 'float32', shape: [-1, 4] }], outputs: [{ name: 'y', dtype: 'float32', shape: [-1, 2] }] });
      assert.deepEqual(m.savedInputExampleInfo, { artifactPath: 'input_example.json', type: 'ndarray', servingInputPath: 'serving_input_example.json' });
      assert.deepEqual(m.metadata, { owner: 'fixtures' });
      assert.equal(m.modelSizeBytes, 268);
      assert.deepEqual(m.extra, { is_signature_from_type_hint: false, prompts: null, type_hint_from_example: false });
    });

    it('reads an MLmodel written by mlflow.onnx.log_model (MLflow 3, against Ferry)', async () => {
      const m = parseMlModel(await readFixture('mlflow3-log-model'));
      assert.match(m.artifactPath!, /^mlflow-artifacts:\/1\/models\/m-[0-9a-f]{32}\/artifacts$/);
      assert.match(m.modelId!, /^m-[0-9a-f]{32}$/);
      assert.equal(m.modelUuid, m.modelId);
      assert.match(m.runId!, /^[0-9a-f]{32}$/);
      assert.equal(m.signature, undefined);
    });

    it('reads MLflow 2 packages, with and without the onnx flavor', async () => {
      const onnx = parseMlModel(await readFixture('mlflow2-signature'));
      assert.equal(onnx.mlflowVersion, '2.17.2');
      assert.equal(onnx.modelId, undefined);
      assert.deepEqual(onnx.signature?.inputs, [{ name: 'x', dtype: 'float32', shape: [-1, 4] }]);
      const pyfunc = parseMlModel(await readFixture('mlflow2-pyfunc-columns'));
      assert.deepEqual(Object.keys(pyfunc.flavors), ['python_function']);
      assert.equal(pyfunc.flavors.python_function.loader_module, 'mlflow.pyfunc.model');
      assert.deepEqual(pyfunc.savedInputExampleInfo, { artifactPath: 'input_example.json', type: 'dataframe', pandasOrient: 'split', servingInputPath: 'serving_input_example.json' });
    });

    it('refuses text that is not YAML, not a mapping, or has no flavors', () => {
      rejectsWith('flavors: [unclosed', /MLmodel is not valid YAML/);
      rejectsWith('- a\n- b\n', /must be a YAML mapping/);
      rejectsWith('mlflow_version: 3.11.1\n', /no "flavors" mapping/);
      rejectsWith('flavors: {}\n', /no "flavors" mapping/);
      rejectsWith('flavors:\n  onnx: model.onnx\n', /flavor "onnx" must be a mapping/);
    });

    it('refuses a signature that is not MLflow JSON, naming the field', () => {
      rejectsWith("flavors:\n  onnx: {data: model.onnx}\nsignature:\n  inputs: '[{\"type\": \"tensor\"'\n", /signature\.inputs is not valid JSON/);
      rejectsWith('flavors:\n  onnx: {data: model.onnx}\nsaved_input_example_info: {type: ndarray}\n', /saved_input_example_info/);
    });
  });

  describe('stringifyMlModel', () => {
    for (const name of ['mlflow3-signature', 'mlflow3-no-signature', 'mlflow3-pyfunc-columns', 'mlflow3-log-model', 'mlflow3-external-data', 'mlflow2-signature']) {
      it(`writes a parsed ${name}/MLmodel back byte for byte`, async () => {
        const text = await readFixture(name);
        assert.equal(stringifyMlModel(parseMlModel(text)), text);
      });
    }
  });

  describe('buildOnnxMlModel', () => {
    it('writes what mlflow.onnx.log_model writes in MLflow 3, key for key', async () => {
      const real = parseMlModel(await readFixture('mlflow3-log-model'));
      const ours = parseMlModel(
        stringifyMlModel(
          buildOnnxMlModel({
            artifactPath: real.artifactPath,
            runId: real.runId,
            modelId: real.modelId!,
            modelSizeBytes: 268,
            pythonVersion: '3.11.2',
            onnxVersion: '1.12.0',
            savedInputExampleInfo: real.savedInputExampleInfo,
          }),
        ),
      );
      assert.deepEqual(ours.flavors, real.flavors);
      const keys = (m: object) => Object.keys(m).filter((k) => (m as Record<string, unknown>)[k] !== undefined).sort();
      assert.deepEqual(keys(ours), keys(real));
      assert.deepEqual(ours.extra, real.extra);
      assert.equal(ours.modelUuid, real.modelId);
      assert.equal(ours.mlflowVersion, MLFLOW_LAYOUT_VERSION);
    });

    it('adds the signature flags MLflow 3 writes with a signature, and a fresh uuid without a model id', () => {
      const m = buildOnnxMlModel({ signature: { inputs: [{ name: 'x', dtype: 'float32', shape: [-1, 4] }] } });
      assert.deepEqual(m.extra, { prompts: null, is_signature_from_type_hint: false, type_hint_from_example: false });
      assert.match(m.modelUuid!, /^[0-9a-f]{32}$/);
      assert.equal(m.modelId, null);
      const text = stringifyMlModel(m);
      // Folded as PyYAML folds it, with outputs and params written as null.
      assert.match(text, /^signature:\n {2}inputs: '\[\{"name": "x", "type": "tensor", "tensor-spec": \{"dtype": "float32", "shape":\n {4}\[-1, 4\]\}\}\]'\n {2}outputs: null\n {2}params: null\n/m);
      assert.deepEqual(parseMlModel(text).signature, m.signature);
    });
  });

  describe('utcTimeCreated', () => {
    it('formats like str(datetime.utcnow())', () => {
      assert.equal(utcTimeCreated(new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678))), '2026-01-02 03:04:05.678000');
    });
  });

  describe('onnxEnvironmentFiles', () => {
    it('writes requirements, conda.yaml and python_env.yaml in MLflow\'s shapes', async () => {
      const files = onnxEnvironmentFiles('3.11.2');
      assert.equal(files['requirements.txt'], `mlflow==${MLFLOW_LAYOUT_VERSION}\nonnx\nonnxruntime`);
      assert.equal(files['requirements.txt'], await readFixture('mlflow3-signature', 'requirements.txt'));
      assert.match(files['conda.yaml'], /^channels:\n- conda-forge\ndependencies:\n- python=3\.11\.2\n- pip\n- pip:\n {2}- mlflow==3\.11\.1\n {2}- onnx\n {2}- onnxruntime\nname: mlflow-env\n$/);
      assert.equal(files['python_env.yaml'], 'python: 3.11.2\nbuild_dependencies:\n- pip\ndependencies:\n- -r requirements.txt\n');
    });
  });
});
