import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../../src/errors.js';
import { saveInputExample, type InputExample } from '../../../src/registry/model-package/input-example.js';
import { readFixture } from './package-fixtures.js';

describe('input-example', () => {
  describe('.saveInputExample', () => {
    it('saves one tensor as MLflow saves an ndarray, floats as floats', async () => {
      const saved = saveInputExample([[1, 2, 3, 4]], { inputs: [{ name: 'x', dtype: 'float32', shape: [-1, 4] }] });
      assert.deepEqual(saved.info, { artifactPath: 'input_example.json', type: 'ndarray', servingInputPath: 'serving_input_example.json' });
      assert.equal(saved.files['input_example.json'], await readFixture('mlflow3-signature', 'input_example.json'));
      assert.equal(saved.files['serving_input_example.json'], await readFixture('mlflow3-signature', 'serving_input_example.json'));
    });

    it('keeps integers as integers for integer tensors', () => {
      const saved = saveInputExample([[1, 2]], { inputs: [{ name: 'ids', dtype: 'int64', shape: [-1, 2] }] });
      assert.equal(saved.files['input_example.json'], '[[1, 2]]');
    });

    it('saves named tensors as a dict of arrays', () => {
      const saved = saveInputExample({ a: [[1]], b: [[2]] }, { inputs: [{ name: 'a', dtype: 'float64', shape: [-1, 1] }, { name: 'b', dtype: 'int32', shape: [-1, 1] }] });
      assert.equal(saved.info.type, 'ndarray');
      assert.equal(saved.files['input_example.json'], '{"a": [[1.0]], "b": [[2]]}');
      assert.equal(JSON.parse(saved.files['serving_input_example.json']).inputs.b[0][0], 2);
    });

    it('saves a DataFrame in split orientation, as MLflow does', async () => {
      const saved = saveInputExample(
        { dataframe: { columns: ['a', 'b'], data: [[1, 1], [2, 2]] } },
        { inputs: [{ name: 'a', type: 'double' }, { name: 'b', type: 'long', required: false }] },
      );
      assert.deepEqual(saved.info, { artifactPath: 'input_example.json', type: 'dataframe', pandasOrient: 'split', servingInputPath: 'serving_input_example.json' });
      assert.equal(saved.files['input_example.json'], await readFixture('mlflow3-pyfunc-columns', 'input_example.json'));
      assert.equal(saved.files['serving_input_example.json'], await readFixture('mlflow3-pyfunc-columns', 'serving_input_example.json'));
    });

    it('refuses anything else', () => {
      for (const bad of [42, 'text', { a: 1 }, {}] as unknown as InputExample[]) {
        assert.throws(() => saveInputExample(bad), InvalidArgumentError);
      }
    });
  });
});
