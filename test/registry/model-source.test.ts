import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../src/errors.js';
import { checkNoRelativePaths, isLocalUri, loggedModelIdOf, parseRunsUri } from '../../src/registry/model-source.js';

describe('model-source', () => {
  describe('isLocalUri', () => {
    it('treats plain paths and host-less file: URIs as local, as MLflow’s is_local_uri does', () => {
      for (const uri of ['/tmp/x', 'relative/x', 'file:///tmp/x', 'file:/tmp/x', 'file://localhost/tmp/x']) assert.equal(isLocalUri(uri), true, uri);
      for (const uri of ['file://host/share/x', 's3://b/x', 'mlflow-artifacts:/0/x', 'runs:/abc/model', 'models:/m/1', 'http://h/x']) assert.equal(isLocalUri(uri), false, uri);
    });
  });

  describe('checkNoRelativePaths', () => {
    it('accepts absolute artifact URIs', () => {
      for (const uri of ['mlflow-artifacts:/1/abc/artifacts/model', 's3://bucket/a/b', 'http://host:5000/api/2.0/mlflow-artifacts/artifacts/1/x', 'models:/m-abc', 'runs:/abc/model', 'mlflow-artifacts://host:5000/1/x/']) {
        assert.doesNotThrow(() => checkNoRelativePaths(uri), uri);
      }
    });

    it('refuses .., . and NUL, however they are encoded (MLflow’s examples)', () => {
      for (const uri of [
        'mlflow-artifacts://host:port/../../../../',
        'http://host:port/api/2.0/mlflow-artifacts/artifacts/../../../../',
        's3:/my_bucket/models/path/../../other/path',
        'file://path/to/../../../../some/where/you/should/not/be',
        'mlflow-artifacts://host:port/..%2f..%2f..%2f..%2f',
        'http://host:port/api/2.0/mlflow-artifacts/artifacts%00',
        's3://b/a/%252e%252e/x',
        's3://b/a/./x',
      ]) {
        assert.throws(() => checkNoRelativePaths(uri), (e: unknown) => e instanceof InvalidArgumentError && /without relative path references/.test(e.message), uri);
      }
    });
  });

  describe('parseRunsUri', () => {
    it('splits run id and path', () => {
      assert.deepEqual(parseRunsUri('runs:/abc/model'), { runId: 'abc', path: 'model' });
      assert.deepEqual(parseRunsUri('runs:/abc/a/b/'), { runId: 'abc', path: 'a/b' });
      assert.deepEqual(parseRunsUri('runs:/abc'), { runId: 'abc', path: '' });
      assert.throws(() => parseRunsUri('runs:'), /Not a proper runs:\/ URI/);
    });
  });

  describe('loggedModelIdOf', () => {
    it('reads models:/<id> only', () => {
      assert.equal(loggedModelIdOf('models:/m-abc'), 'm-abc');
      assert.equal(loggedModelIdOf('models:/name/1'), undefined);
      assert.equal(loggedModelIdOf('models:/name@a'), undefined);
    });
  });
});
