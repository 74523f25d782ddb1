/** The SDK's public names; `src/index.ts` re-exports them for the package. */
export { Ferry, ExperimentsApi, RunsApi } from './ferry-client.js';
export type { FerryOptions, SearchExperimentsOptions, SearchRunsOptions, StartRunOptions } from './ferry-client.js';
export { ActiveRun } from './active-run.js';
export type { ActiveRunOptions, RejectedParam, RunWriter } from './active-run.js';
export { ArtifactsApi, proxyPathOf } from './artifacts-api.js';
export type { ArtifactBody } from './artifacts-api.js';
export { ModelsApi } from './models-api.js';
export type { InputExample, LogModelOptions, LoggedOnnxModel } from './models-api.js';
export { RegistryApi } from './registry-api.js';
export type { AuditQueryOptions, CreateModelVersionOptions, SearchRegistryOptions } from './registry-api.js';
export type { LineageEdge, LineageEdgeType, LineageGraph, LineageNode, LineageNodeType, LineageQuery } from '../registry/lineage-types.js';
export type { AuditEntry, ModelVersion, RegisteredModel, RegisteredModelAlias } from '../registry/registry-types.js';
export type { ColumnSpec, ModelSignature, ParamSpec, TensorSpec } from '../registry/model-package/model-signature.js';
export { HttpClient, errorFromResponse } from './http-client.js';
export type { HttpClientOptions, RetryOptions } from './http-client.js';
export type { ArtifactFile, TagsInput } from './mlflow-decode.js';
