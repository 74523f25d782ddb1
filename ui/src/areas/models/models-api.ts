/** The models area's calls: MLflow's registry REST API and Ferry's lineage, audit, governance and whoami routes. */
import { request } from '../../api';

const call = request;

const enc = encodeURIComponent;
const MLFLOW = '/api/2.0/mlflow';
const FERRY = '/api/ferry/v1';

export interface Tag {
  key: string;
  value: string;
}
export interface ModelVersion {
  name: string;
  version: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  user_id?: string;
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  status?: string;
  status_message?: string;
  tags?: Tag[];
  run_link?: string;
  aliases?: string[];
  model_id?: string;
}
export interface RegisteredModel {
  name: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  description?: string;
  latest_versions?: ModelVersion[];
  tags?: Tag[];
  aliases?: Array<{ alias: string; version: string }>;
}
export interface AuditEntry {
  id: number;
  at: number;
  actor: string;
  entityType: string;
  entityName: string;
  entityVersion: number | null;
  action: string;
  before: unknown;
  after: unknown;
}
export interface CheckResult {
  check: 'metric' | 'baseline' | 'signature' | 'alias_holder';
  passed: boolean;
  message: string;
  metric?: string;
  op?: string;
  threshold?: number;
  observed?: number | null;
  direction?: 'higher' | 'lower';
  minImprovement?: number;
  maxRegression?: number;
  holderVersion?: number | null;
  holderValue?: number | null;
  improvement?: number | null;
  breakingChangeDeclared?: boolean;
  differences?: string[];
  expectedVersion?: number | null;
  observedVersion?: number | null;
}
export type PromotionStatus = 'pending' | 'approved' | 'rejected' | 'failed' | 'promoted';
export interface PromotionRequest {
  id: number;
  model: string;
  version: number;
  alias: string;
  requestedBy: string;
  requestedAt: number;
  status: PromotionStatus;
  checks: CheckResult[];
  decidedBy: string | null;
  decidedAt: number | null;
  comment: string | null;
}
export interface PromotionPolicy {
  model: string;
  alias: string;
  rules: { approval: { required: boolean; approvers: string[] } } & Record<string, unknown>;
  updatedAt: number;
  updatedBy: string;
}
/** One input or output of an MLflow signature: a column (`type`) or a tensor (`type: 'tensor'` with a spec). */
export interface SchemaEntry {
  name?: string;
  type: string;
  required?: boolean;
  dtype?: string;
  shape?: number[];
  'tensor-spec'?: { dtype: string; shape: number[] };
}
export interface ModelCard {
  model: string;
  version: number;
  signature: { signature: { inputs?: SchemaEntry[]; outputs?: SchemaEntry[] } } | { problem: string };
  lineage: { runId: string | null; runName: string | null; metrics: Array<{ key: string; value: number; step: number }> };
}
export type LineageNodeType = 'model_version' | 'run' | 'dataset' | 'logged_model' | 'experiment' | 'deployment';
export interface LineageNode {
  id: string;
  type: LineageNodeType;
  label: string;
  attributes: Record<string, unknown>;
}
export interface LineageEdge {
  from: string;
  to: string;
  type: string;
  attributes?: Record<string, unknown>;
}
export interface LineageGraph {
  roots: string[];
  nodes: LineageNode[];
  edges: LineageEdge[];
  truncated?: boolean;
}
/** What `GET /api/ferry/v1/auth/whoami` answers. */
export type WhoAmI = { auth: true; name: string; role: 'viewer' | 'editor' | 'admin' } | { auth: boolean; anonymous: true; problem?: string };

/** MLflow's filter grammar quotes strings in single quotes and has no escape for one inside, so a quote is dropped. */
const quoted = (s: string) => `'${s.replace(/'/g, '')}'`;

export const modelsApi = {
  searchModels: (query: string) => {
    const q = new URLSearchParams({ max_results: '200', order_by: 'name ASC' });
    if (query.trim()) q.set('filter', `name ILIKE ${quoted(`%${query.trim()}%`)}`);
    return call<{ registered_models?: RegisteredModel[]; next_page_token?: string }>('GET', `${MLFLOW}/registered-models/search?${q}`);
  },
  getModel: (name: string) => call<{ registered_model: RegisteredModel }>('GET', `${MLFLOW}/registered-models/get?name=${enc(name)}`),
  versions: (name: string) => {
    const q = new URLSearchParams({ filter: `name=${quoted(name)}`, max_results: '200', order_by: 'version_number DESC' });
    return call<{ model_versions?: ModelVersion[]; next_page_token?: string }>('GET', `${MLFLOW}/model-versions/search?${q}`);
  },
  getVersion: (name: string, version: string) =>
    call<{ model_version: ModelVersion }>('GET', `${MLFLOW}/model-versions/get?name=${enc(name)}&version=${enc(version)}`),
  audit: (name: string, version?: string) =>
    call<{ entries: AuditEntry[]; nextPageToken?: string }>('GET', `${FERRY}/audit?model=${enc(name)}${version ? `&version=${enc(version)}` : ''}&max_results=200`),
  lineage: (name: string, version: string) => call<LineageGraph>('GET', `${FERRY}/lineage?model=${enc(name)}&version=${enc(version)}`),
  card: (name: string, version: string) => call<{ card: ModelCard; markdown: string }>('GET', `${FERRY}/models/${enc(name)}/versions/${enc(version)}/card?format=json`),
  promotions: (name: string, version?: string) =>
    call<{ requests: PromotionRequest[] }>('GET', `${FERRY}/models/${enc(name)}/promotions?max_results=200${version ? `&version=${enc(version)}` : ''}`),
  policies: (name: string) => call<{ policies: PromotionPolicy[] }>('GET', `${FERRY}/models/${enc(name)}/policies`),
  decide: (id: number, verdict: 'approve' | 'reject', comment: string) =>
    call<{ request: PromotionRequest }>('POST', `${FERRY}/promotions/${id}/${verdict}`, comment.trim() ? { comment: comment.trim() } : {}),
  whoami: () => call<WhoAmI>('GET', `${FERRY}/auth/whoami`),
};
