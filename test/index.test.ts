import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ferry from '../src/index.js';

describe('package entry', () => {
  it('exports exactly the public runtime names', () => {
    assert.deepEqual(Object.keys(ferry).sort(), [
      'ActiveRun',
      'AlreadyExistsError',
      'ArtifactsApi',
      'ConflictError',
      'DatasetsApi',
      'ERROR_CODES',
      'ExperimentsApi',
      'FERRY_VERSION',
      'Ferry',
      'FerryError',
      'InternalError',
      'InvalidArgumentError',
      'ModelsApi',
      'NotFoundError',
      'PermissionDeniedError',
      'RUN_STATUSES',
      'RegistryApi',
      'RunsApi',
      'UnauthenticatedError',
      'UnavailableError',
      'isFerryError',
    ]);
  });
});
