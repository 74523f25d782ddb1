/**
 * Drift detection with Evidently's semantics over in-memory columns; what
 * other modules (the DuckDB reader, CLI, routes) may import.
 */
export { detectDrift, datasetDrift, DEFAULT_DRIFT_SHARE } from './detect-drift.js';
export { columnDrift, type ColumnDriftRequest } from './column-drift.js';
export { defaultStatTest, SMALL_DATA_MAX_ROWS } from './default-stattest.js';
export { STATTESTS, STATTEST_NAMES, isStatTestName, type StatTestDefinition } from './stattest-registry.js';
export type {
  CategoryValue,
  ColumnDrift,
  ColumnDriftOptions,
  ColumnType,
  ComputedColumnDrift,
  DatasetDrift,
  DriftColumnValues,
  DriftFrame,
  DriftOptions,
  DriftReport,
  DriftScalar,
  SkippedColumnDrift,
  StatTestName,
} from './drift-types.js';
export { ksTwoSample, ksTwoSampleSorted, ksStatistic, KS_MAX_EXACT_N, type KsMethod, type KsResult } from './ks-two-sample.js';
export { kolmogorovSmirnovSf } from './kolmogorov-distribution.js';
export { smirnovSf } from './smirnov.js';
export { chiSquareSf, logGamma, regularizedGammaP, regularizedGammaQ } from './gamma.js';
export { erf, erfc, normalCdf } from './normal.js';
export { chiSquareTest, chiSquareTwoSample, type ChiSquareResult } from './chi-square.js';
export { zTestTwoSample, proportionsDiffZ, type ZTestResult } from './z-test.js';
export { wassersteinDistance, wassersteinDistanceSorted, normedWassersteinDistanceSorted } from './wasserstein.js';
export { jensenShannonDistance, klDivergence, populationStabilityIndex, relEntr } from './relative-entropy.js';
export { binNumerical, binCategorical, type BinnedShares } from './binning.js';
export { countCategories, countSortedNumbers, type CategoryCounts } from './category-counts.js';
export { sortFloat64 } from './sort-float64.js';
export { detectFileDrift, type DriftInput, type FileDriftReport, type FileDriftRun } from './file-drift.js';
export { readDriftFrames, type DriftFrames, type DriftReadOptions, type DriftColumnSchema } from './drift-reader.js';
export { renderDriftHtml, type DriftHtmlOptions } from './drift-html.js';
export { validateFileDriftOptions, type FileDriftOptions } from './file-drift-options.js';
export { parseDriftRequest, type DriftRequest } from './drift-request.js';
export { DRIFT_PATH } from './drift-routes.js';
