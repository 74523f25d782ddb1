import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as drift from '../../../src/data/drift/index.js';

describe('data/drift index', () => {
  it('exports exactly the drift API', () => {
    assert.deepEqual(Object.keys(drift).sort(), [
      'DEFAULT_DRIFT_SHARE',
      'DRIFT_PATH',
      'KS_MAX_EXACT_N',
      'SMALL_DATA_MAX_ROWS',
      'STATTESTS',
      'STATTEST_NAMES',
      'binCategorical',
      'binNumerical',
      'chiSquareSf',
      'chiSquareTest',
      'chiSquareTwoSample',
      'columnDrift',
      'countCategories',
      'countSortedNumbers',
      'datasetDrift',
      'defaultStatTest',
      'detectDrift',
      'detectFileDrift',
      'erf',
      'erfc',
      'isStatTestName',
      'jensenShannonDistance',
      'klDivergence',
      'kolmogorovSmirnovSf',
      'ksStatistic',
      'ksTwoSample',
      'ksTwoSampleSorted',
      'logGamma',
      'normalCdf',
      'normedWassersteinDistanceSorted',
      'parseDriftRequest',
      'populationStabilityIndex',
      'proportionsDiffZ',
      'readDriftFrames',
      'regularizedGammaP',
      'regularizedGammaQ',
      'relEntr',
      'renderDriftHtml',
      'smirnovSf',
      'sortFloat64',
      'validateFileDriftOptions',
      'wassersteinDistance',
      'wassersteinDistanceSorted',
      'zTestTwoSample',
    ]);
  });
});
