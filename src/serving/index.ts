/** Model serving: what other modules (the server, the CLI, benchmarks) may import. */
export { ServingService } from './serving-service.js';
export type { LoadOptions, ServingServiceOptions } from './serving-service.js';
export { ServedModel } from './served-model.js';
export { DynamicBatcher } from './dynamic-batcher.js';
export { validateInputs, validateOutputs } from './input-validation.js';
export type { ValidatedInputs } from './input-validation.js';
export { OnnxRuntime, ONNX_PLATFORM, createOnnxRuntime } from './onnx-runtime.js';
export type { LoadablePackage, ModelRuntime, ModelRuntimeFactory, RuntimeMetadata, RuntimeOptions } from './model-runtime.js';
export type { BatchStat, DurationStat, ModelStatsSnapshot, ServingObserver } from './model-stats.js';
export { DEFAULT_BATCHING } from './serving-types.js';
export type {
  BatchingOptions,
  InferInput,
  InferenceRequest,
  InferenceResult,
  ModelIndexEntry,
  ModelState,
  OutputTensor,
  ServedModelSpec,
} from './serving-types.js';
export { DATATYPES, TENSOR_DATATYPES, datatypeOfNumpy, datatypeOfOrt, elementCount, fromHalf, toHalf } from './tensor.js';
export type { Tensor, TensorData, TensorDatatype, TensorMetadata } from './tensor.js';
export { locatePackage } from './package-source.js';
export type { LocatedPackage, PackageSourceDeps } from './package-source.js';
export { parseServeModels } from './serve-models-option.js';
export { registerOipRoutes, OIP_EXTENSIONS } from './oip-routes.js';
export { registerInvocationsRoutes } from './invocations-routes.js';
export type { InvocationsRoutesOptions } from './invocations-routes.js';
export { SCORING_FORMATS, decodeScoringCsv, decodeScoringJson, encodePredictions } from './mlflow-scoring-codec.js';
export type { ScoringModel, ScoringRequest } from './mlflow-scoring-codec.js';
export { ServingMetrics, installServingMetrics } from './serving-metrics.js';
export type { InferenceProtocol, ServingMetricsOptions } from './serving-metrics.js';
