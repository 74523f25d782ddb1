/** Tracking's domain types, in Ferry's words. The MLflow wire shape lives in `mlflow-json.ts`. */

export type LifecycleStage = 'active' | 'deleted';
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];

/** Which lifecycle stages a search includes (MLflow's ViewType). */
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export interface Tag {
  key: string;
  value: string;
}

export interface Experiment {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  creationTime: number;
  lastUpdateTime: number;
  tags: Tag[];
}

export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

export interface RunInfo {
  runId: string;
  runName: string;
  experimentId: string;
  userId: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  artifactUri: string;
  lifecycleStage: LifecycleStage;
}

export interface Dataset {
  name: string;
  digest: string;
  sourceType: string;
  source: string;
  schema?: string | null;
  profile?: string | null;
}

export interface InputTag {
  key: string;
  value: string;
}

export interface DatasetInput {
  tags: InputTag[];
  dataset: Dataset;
}

export interface ModelInput {
  modelId: string;
}

export interface ModelOutput {
  modelId: string;
  step: number;
}

export interface Run {
  info: RunInfo;
  data: { metrics: Metric[]; params: Tag[]; tags: Tag[] };
  inputs: { datasetInputs: DatasetInput[]; modelInputs: ModelInput[] };
  outputs: { modelOutputs: ModelOutput[] };
}

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

export interface CreateRunInput {
  experimentId: string;
  userId?: string;
  runName?: string;
  startTime?: number;
  tags?: Tag[];
}

export interface UpdateRunInput {
  runId: string;
  status?: RunStatus;
  endTime?: number;
  runName?: string;
}

export interface LogBatchInput {
  runId: string;
  metrics?: Metric[];
  params?: Tag[];
  tags?: Tag[];
}

export interface SearchRunsInput {
  experimentIds: string[];
  filter?: string;
  viewType?: ViewType;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

export interface SearchExperimentsInput {
  filter?: string;
  viewType?: ViewType;
  maxResults?: number;
  orderBy?: string[];
  pageToken?: string;
}

export type LoggedModelStatus = 'LOGGED_MODEL_STATUS_UNSPECIFIED' | 'LOGGED_MODEL_PENDING' | 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED';

export interface LoggedModelMetric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  runId: string;
  datasetName?: string | null;
  datasetDigest?: string | null;
  modelId: string;
}

export interface LoggedModel {
  modelId: string;
  experimentId: string;
  name: string;
  artifactUri: string;
  creationTimestampMs: number;
  lastUpdatedTimestampMs: number;
  status: LoggedModelStatus;
  statusMessage?: string | null;
  modelType?: string | null;
  sourceRunId?: string | null;
  lifecycleStage: LifecycleStage;
  params: Tag[];
  tags: Tag[];
  metrics: LoggedModelMetric[];
}
