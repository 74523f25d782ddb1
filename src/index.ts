/** Ferry's package entry: the client SDK, its error classes and the tracking types. The server is under `ferry/server`. */
export { Ferry, ExperimentsApi, RunsApi, ActiveRun, ArtifactsApi, ModelsApi } from './sdk/index.js';
export type {
  ActiveRunOptions,
  ArtifactBody,
  ArtifactFile,
  ColumnSpec,
  FerryOptions,
  InputExample,
  LogModelOptions,
  LoggedOnnxModel,
  ModelSignature,
  ParamSpec,
  RejectedParam,
  RetryOptions,
  SearchExperimentsOptions,
  SearchRunsOptions,
  StartRunOptions,
  TagsInput,
  TensorSpec,
} from './sdk/index.js';
export {
  ERROR_CODES,
  FerryError,
  InvalidArgumentError,
  NotFoundError,
  AlreadyExistsError,
  ConflictError,
  UnauthenticatedError,
  PermissionDeniedError,
  UnavailableError,
  InternalError,
  isFerryError,
} from './errors.js';
export type { ErrorCode, FerryErrorOptions } from './errors.js';
export { RUN_STATUSES } from './tracking/tracking-types.js';
export type {
  Dataset,
  DatasetInput,
  Experiment,
  InputTag,
  LifecycleStage,
  LogBatchInput,
  Metric,
  ModelInput,
  ModelOutput,
  Page,
  Run,
  RunInfo,
  RunStatus,
  Tag,
  ViewType,
} from './tracking/tracking-types.js';
export { FERRY_VERSION } from './version.js';
