/** The dataset registry: what other modules may import. */
export { DatasetService } from './dataset-service.js';
export { DatasetStore } from './dataset-store.js';
export { registerDatasetRoutes, DATASETS_PATH } from './dataset-routes.js';
export { createDatasetScheme, type DatasetSchemeOptions } from './dataset-source.js';
export { datasetRunInput, DATASET_CONTEXT_TAG, FERRY_SOURCE_TYPE, type MlflowDatasetInputJson } from './dataset-run-input.js';
export { datasetJson, datasetVersionJson } from './dataset-json.js';
export { DATASET_LIMITS, validateDatasetName, validateDigest } from './dataset-validation.js';
export {
  blobPath,
  datasetRef,
  parseDatasetRef,
  runInputDigest,
  DATASET_BLOB_ROOT,
  DATASETS_SCHEME,
  type DatasetColumn,
  type DatasetKind,
  type DatasetPage,
  type DatasetPatch,
  type DatasetSchema,
  type DatasetVersion,
  type ListDatasetsQuery,
  type ListVersionsQuery,
  type RegisterDatasetInput,
  type RegisterDatasetResult,
  type RegisteredDataset,
} from './dataset-types.js';
