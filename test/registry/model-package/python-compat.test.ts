import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PyFloat, dumpPyYaml, loadPyYaml, pythonFloatRepr, pythonJsonDumps } from '../../../src/registry/model-package/python-compat.js';
import { readFixture } from './package-fixtures.js';

describe('python-compat', () => {
  describe('pythonFloatRepr', () => {
    it('prints floats as Python repr() does', () => {
      // Expected values from CPython 3.11: repr(float(x)).
      const cases: Array<[number, string]> = [
        [1, '1.0'],
        [0.1, '0.1'],
        [-2.5, '-2.5'],
        [1e-7, '1e-07'],
        [1.5e-5, '1.5e-05'],
        [0.0001, '0.0001'],
        [1e15, '1000000000000000.0'],
        [1e16, '1e+16'],
        [2.5e300, '2.5e+300'],
        [-0, '-0.0'],
        [NaN, 'NaN'],
        [Infinity, 'Infinity'],
        [-Infinity, '-Infinity'],
      ];
      for (const [x, expected] of cases) assert.equal(pythonFloatRepr(x), expected, String(x));
    });
  });

  describe('pythonJsonDumps', () => {
    it('writes json.dumps separators, ASCII escapes, and PyFloat as floats', () => {
      // json.dumps({"a": [1, 1.0, "é\"\n", None, True], "b": {}})
      assert.equal(pythonJsonDumps({ a: [1, new PyFloat(1), 'é"\n', null, true], b: {} }), '{"a": [1, 1.0, "\\u00e9\\"\\n", null, true], "b": {}}');
    });

    it('writes json.dumps(indent=2) like MLflow saves serving_input_example.json', async () => {
      const f = (n: number) => new PyFloat(n);
      assert.equal(pythonJsonDumps({ inputs: [[f(1), f(2), f(3), f(4)]] }, 2), await readFixture('mlflow3-signature', 'serving_input_example.json'));
      assert.equal(
        pythonJsonDumps({ dataframe_split: { columns: ['a', 'b'], data: [[f(1), 1], [f(2), 2]] } }, 2),
        await readFixture('mlflow3-pyfunc-columns', 'serving_input_example.json'),
      );
      assert.equal(pythonJsonDumps({ e: [], o: {} }, 2), '{\n  "e": [],\n  "o": {}\n}');
    });
  });

  describe('dumpPyYaml', () => {
    for (const name of ['mlflow3-signature', 'mlflow3-no-signature', 'mlflow3-pyfunc-columns', 'mlflow3-log-model', 'mlflow2-signature', 'mlflow2-pyfunc-columns']) {
      it(`writes ${name}/MLmodel back byte for byte as PyYAML did`, async () => {
        const text = await readFixture(name);
        assert.equal(dumpPyYaml(loadPyYaml(text)), text);
      });
    }

    it('folds long plain and quoted scalars where PyYAML does', () => {
      const words = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
      // yaml.safe_dump({...}, default_flow_style=False) from PyYAML 6.
      const expected =
        'description: word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11\n' +
        '  word12 word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23\n' +
        '  word24 word25 word26 word27 word28 word29\n' +
        'nested:\n' +
        '  long_key: word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11\n' +
        '    word12 word13 word14 word15 word16 word17 word18 word19 word20 word21 word22 word23\n' +
        '    word24 word25 word26 word27 word28 word29\n' +
        "x: 'a  b a  b a  b a  b a  b a  b a  b a  b a  b a  b a  b a  b a  b a  b a  b a  b\n" +
        "  a  b a  b a  b a  b '\n";
      const value = { description: words, nested: { long_key: words }, x: 'a  b '.repeat(20) };
      assert.equal(dumpPyYaml(value), expected);
      assert.deepEqual(loadPyYaml(expected), value);
    });

    it('quotes strings YAML 1.1 would read as something else', () => {
      const text = dumpPyYaml({ a: 'yes', b: '3.11', c: 'null', d: '2026-01-02 03:04:05', e: 'model.onnx' });
      assert.equal(text, "a: 'yes'\nb: '3.11'\nc: 'null'\nd: '2026-01-02 03:04:05'\ne: model.onnx\n");
    });
  });

  describe('loadPyYaml', () => {
    it('reads YAML 1.1 booleans but keeps timestamps as written', () => {
      assert.deepEqual(loadPyYaml('a: yes\nb: off\nt: 2026-11-25 20:55:52.493937\n'), { a: true, b: false, t: '2026-11-25 20:55:52.493937' });
    });
  });
});
