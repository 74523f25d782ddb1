import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseServeModels } from '../../src/serving/serve-models-option.js';

describe('parseServeModels', () => {
  it('reads NAME=URI entries and bare URIs, naming bare ones after the model or folder', () => {
    assert.deepEqual(parseServeModels(' iris=models:/iris@production , models:/churn/3,/srv/models/fraud/ ,file:///srv/ranker'), [
      { name: 'iris', spec: { uri: 'models:/iris@production' } },
      { name: 'churn', spec: { uri: 'models:/churn/3' } },
      { name: 'fraud', spec: { uri: '/srv/models/fraud/' } },
      { name: 'ranker', spec: { uri: 'file:///srv/ranker' } },
    ]);
  });

  it('is empty for an empty setting', () => {
    assert.deepEqual(parseServeModels(''), []);
    assert.deepEqual(parseServeModels(undefined), []);
    assert.deepEqual(parseServeModels(' , '), []);
  });

  it('refuses a name given twice, and a logged-model URI without a name', () => {
    assert.throws(() => parseServeModels('a=models:/x/1,a=models:/y/1'), /'a' is given twice/);
    assert.throws(() => parseServeModels('models:/m-0123456789abcdef'), /under a name/);
    assert.throws(() => parseServeModels('s3://bucket/model'), /Cannot tell which model/);
  });
});
