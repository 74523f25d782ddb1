import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { datasetRunInput } from '../../../src/data/datasets/dataset-run-input.js';
import type { DatasetVersion } from '../../../src/data/datasets/dataset-types.js';
import { LIMITS } from '../../../src/tracking/tracking-limits.js';
import { digestOf } from './dataset-fixtures.js';

function buildVersion(overrides: Partial<DatasetVersion> = {}): DatasetVersion {
  return {
    name: 'transactions',
    version: 3,
    digest: digestOf('transactions-3'),
    kind: 'directory',
    size: 2048,
    files: 4,
    source: 'data/transactions',
    schema: { format: 'parquet', rows: 120, columns: [{ name: 'amount', type: 'DECIMAL(18,2)' }, { name: 'id', type: 'BIGINT' }, { name: 'tags', type: 'VARCHAR[]' }] },
    profile: { big: 'x'.repeat(100) },
    description: null,
    tags: {},
    createdBy: null,
    creationTime: 1,
    lastUpdatedTime: 1,
    ...overrides,
  };
}

describe('datasetRunInput', () => {
  it('names the version by source and a digest that fits MLflow’s 36-character limit', () => {
    const v = buildVersion();
    const input = datasetRunInput(v, 'training');
    assert.deepEqual(input.tags, [{ key: 'mlflow.data.context', value: 'training' }]);
    assert.equal(input.dataset.name, 'transactions');
    assert.equal(input.dataset.source_type, 'ferry');
    assert.equal(input.dataset.source, 'datasets:/transactions/3');
    assert.equal(input.dataset.digest, v.digest.slice(7, 39));
    assert.ok(input.dataset.digest.length <= LIMITS.maxDatasetDigestSize);
  });

  it('carries the full digest, size and row count in the profile, and the columns as MLflow colspec', () => {
    const v = buildVersion();
    const input = datasetRunInput(v);
    assert.deepEqual(input.tags, []);
    assert.deepEqual(JSON.parse(input.dataset.profile), {
      num_rows: 120,
      ferry_dataset: { name: 'transactions', version: 3, digest: v.digest, kind: 'directory', size: 2048, files: 4 },
    });
    assert.deepEqual(JSON.parse(input.dataset.schema!), {
      mlflow_colspec: [
        { type: 'double', name: 'amount', required: true },
        { type: 'long', name: 'id', required: true },
        { type: 'varchar[]', name: 'tags', required: true },
      ],
    });
  });

  it('leaves the schema out when none was registered', () => {
    assert.equal('schema' in datasetRunInput(buildVersion({ schema: null })).dataset, false);
  });
});
