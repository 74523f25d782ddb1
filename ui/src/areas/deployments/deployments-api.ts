/** Ferry's deployment API as the web UI reads it (shapes of src/deployments/deployment-types.ts, trimmed to what the pages show). */
import { ApiError, request } from '../../api';

/** GET or POST with the sign-in token; a non-2xx answer becomes an ApiError carrying the server's message. */
/** Ferry's JSON call helper, under the name this area and the data area use. */
export const ferryRequest = request;

export interface ModelRef {
  model: string;
  version: number;
}
export interface LiveVariant extends ModelRef {
  name: string;
  role: 'stable' | 'canary' | 'shadow' | 'arm';
  weight: number;
}
export interface WindowSummary {
  requests: number;
  errors: number;
  errorRate: number;
  p50Ms: number;
  p99Ms: number;
}
export interface CheckResult {
  metric: 'error_rate' | 'latency_p99' | 'drift';
  passed: boolean;
  value: number;
  stableValue?: number;
  limits: Record<string, number>;
  message: string;
}
export interface AnalysisResult {
  verdict: 'pass' | 'fail' | 'inconclusive';
  reason: string;
  canary: WindowSummary;
  stable: WindowSummary;
  checks: CheckResult[];
  at: number;
}
export interface RolloutStatus {
  state: 'progressing' | 'paused' | 'promoted' | 'rolled_back' | 'aborted';
  stable: ModelRef;
  canary: ModelRef;
  step: number;
  steps: number[];
  weight: number;
  startedAt: number;
  stepStartedAt: number;
  nextAnalysisAt?: number;
  finishedAt?: number;
  failures: number;
  failureLimit: number;
  lastAnalysis?: AnalysisResult;
  reason?: string;
}
export interface Deployment {
  name: string;
  description?: string;
  spec: { strategy: 'direct' | 'canary' | 'ab' | 'shadow'; model?: string; canary?: { steps: number[]; interval: string; minRequests: number; failureLimit: number } };
  status: {
    phase: 'ready' | 'progressing' | 'paused' | 'rolled_back' | 'aborted' | 'failed';
    message: string;
    variants: LiveVariant[];
    previous?: ModelRef & { retainedUntil: number | null };
    rollout?: RolloutStatus;
    updatedAt: number;
  };
  generation: number;
  createdAt: number;
  updatedAt: number;
  updatedBy: string;
}
export interface VariantView extends LiveVariant {
  servedName: string;
  loaded: boolean;
  total: WindowSummary;
  window?: WindowSummary;
  consecutiveErrors: number;
}
export interface DeploymentView {
  deployment: Deployment;
  variants: VariantView[];
}
export interface DeploymentEvent {
  id: number;
  at: number;
  actor: string;
  kind: string;
  message: string;
}
export type RolloutAction = 'promote' | 'abort' | 'rollback';

/** `GET /api/ferry/v1/auth/whoami`; null where the server has no such route (the action buttons then stay, and a 403 says what is missing). */
export type WhoAmI = { auth: boolean; anonymous?: true; name?: string; role?: 'viewer' | 'editor' | 'admin' };

const BASE = '/api/ferry/v1/deployments';
const item = (name: string) => `${BASE}/${encodeURIComponent(name)}`;

export const deploymentsApi = {
  list: () => ferryRequest<{ deployments: Deployment[] }>('GET', BASE),
  rollout: (name: string) => ferryRequest<DeploymentView>('GET', `${item(name)}/rollout`),
  events: (name: string) => ferryRequest<{ events: DeploymentEvent[] }>('GET', `${item(name)}/events?max_results=1000`),
  act: (name: string, action: RolloutAction) => ferryRequest<DeploymentView & { events: DeploymentEvent[] }>('POST', `${item(name)}/rollout/${action}`, {}),
  whoami: async (): Promise<WhoAmI | null> => {
    try {
      return await ferryRequest<WhoAmI>('GET', '/api/ferry/v1/auth/whoami');
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return null;
      throw err;
    }
  },
};

/** Whether the caller may press promote/abort/rollback: false only when the server says so (a viewer, or anonymous with auth on). */
export function mayChange(who: WhoAmI | null | undefined): boolean {
  if (!who || !who.auth) return true;
  return who.role === 'editor' || who.role === 'admin';
}
