/**
 * Deployments: named, stable inference endpoints in front of registered model
 * versions, with traffic strategies and automated canary roll-outs.
 */

/** How a deployment splits its traffic. */
export const STRATEGIES = ['direct', 'canary', 'ab', 'shadow'] as const;
export type Strategy = (typeof STRATEGIES)[number];

/** A registered model version, as a deployment pins it. */
export interface ModelRef {
  model: string;
  version: number;
}

/** One arm of an A/B split. */
export interface AbVariantSpec {
  /** Named in the `x-ferry-variant` response header and in metrics. */
  name: string;
  /** `models:/NAME/VERSION`. */
  model: string;
  /** Percent of traffic; the arms' weights add up to 100. */
  weight: number;
}

/** A check of the canary against the stable version over one analysis window. Every limit given must hold. */
export type CanaryCheck =
  | {
      metric: 'error_rate';
      /** Highest error rate (0–1) the canary may have. */
      max?: number;
      /** Highest amount the canary's error rate may exceed the stable version's by. */
      maxIncrease?: number;
    }
  | {
      metric: 'latency_p99';
      /** Highest p99 latency the canary may have, in milliseconds. */
      maxMs?: number;
      /** Highest ratio of the canary's p99 latency to the stable version's. */
      maxRatio?: number;
      /** A canary p99 at or below this passes the ratio check: sub-millisecond timings are noise. */
      floorMs: number;
    }
  | {
      metric: 'drift';
      /** Highest population stability index between the two versions' predictions (first output, first element). */
      max: number;
    };

export type CanaryMetric = CanaryCheck['metric'];

export interface CanarySpec {
  /** Percent of traffic the canary gets at each step, increasing; promotion follows the last. */
  steps: number[];
  /** How long each step runs before it is analysed, e.g. '30s'. */
  interval: string;
  /** Fewest canary requests a window needs to be judged; fewer is inconclusive (the roll-out pauses, it never passes). */
  minRequests: number;
  /** Failed analyses that roll the canary back. */
  failureLimit: number;
  /** Consecutive failed canary requests that roll it back at once, without waiting for the window; 0 turns it off. */
  consecutiveErrorLimit: number;
  checks: CanaryCheck[];
}

export interface ShadowSpec {
  /** The challenger: `models:/NAME/VERSION`. It gets a copy of live traffic; its answers are compared, never returned. */
  model: string;
  /** Share of requests copied to it (0–1). */
  sampleRate: number;
  /** Largest absolute difference between two output elements that still counts as a match. */
  tolerance: number;
}

export interface WebhookSpec {
  url: string;
  /** How long one notification may take, e.g. '2s'. */
  timeout: string;
}

/** Prediction logging: which answered requests are recorded, and how often they reach disk. */
export interface LoggingSpec {
  /** Share of answered requests recorded (0–1; 0 turns logging off). Default 1. */
  sampleRate: number;
  /** How often queued predictions are written out, e.g. '5s'. A crash loses at most this much. Default '5s'. */
  flushInterval: string;
}

/** What a deployment should serve and how, with every default filled in (what `parseDeploymentDocument` returns). */
export interface DeploymentSpec {
  strategy: Strategy;
  /** direct, canary, shadow: the version to serve (canary: rolled out step by step from the one serving now). */
  model?: string;
  /** ab: the arms and their weights. */
  variants?: AbVariantSpec[];
  /** shadow: the challenger. */
  shadow?: ShadowSpec;
  /** canary: steps, interval and checks. */
  canary?: CanarySpec;
  /** ab: the request header whose value keeps a caller on one arm. */
  stickyHeader?: string;
  /** How long a replaced version stays loaded for an instant rollback, e.g. '10m'. */
  previousRetention: string;
  /** Run one inference on a new version (its input example, else zeros) before it gets traffic. */
  warmup: boolean;
  /** Told about every transition: POST of the event as JSON, fire-and-forget. */
  webhook?: WebhookSpec;
  /** Prediction logging; absent means the defaults (every request, flushed every 5 s). */
  logging?: LoggingSpec;
}

/** A deployment as `ferry apply` and the API take it. */
export interface DeploymentDocument {
  apiVersion: 'ferry/v1';
  kind: 'Deployment';
  metadata: { name: string; description?: string };
  spec: DeploymentSpec;
}

/** What a live variant does with the requests it sees. */
export type VariantRole = 'stable' | 'canary' | 'shadow' | 'arm';

/** One model version taking part in a deployment's traffic now. */
export interface LiveVariant extends ModelRef {
  /** `stable`, `canary`, `shadow`, or an A/B arm's name. */
  name: string;
  role: VariantRole;
  /** Percent of traffic (a shadow's is 0: it answers copies only). */
  weight: number;
}

/** The window counters of one variant, summarised. */
export interface WindowSummary {
  requests: number;
  errors: number;
  errorRate: number;
  p50Ms: number;
  p99Ms: number;
}

export interface CheckResult {
  metric: CanaryMetric;
  passed: boolean;
  /** The canary's value. */
  value: number;
  /** The stable version's value, where the check compares. */
  stableValue?: number;
  /** The limits applied, as written in the spec (e.g. `{ maxRatio: 1.5 }`). */
  limits: Record<string, number>;
  message: string;
}

export type Verdict = 'pass' | 'fail' | 'inconclusive';

/** One analysis of a canary window: the verdict and the numbers behind it. */
export interface AnalysisResult {
  verdict: Verdict;
  reason: string;
  canary: WindowSummary;
  stable: WindowSummary;
  checks: CheckResult[];
}

export type RolloutState = 'progressing' | 'paused' | 'promoted' | 'rolled_back' | 'aborted';

/** A canary roll-out: where it is, and what its last analysis found. */
export interface RolloutStatus {
  state: RolloutState;
  stable: ModelRef;
  canary: ModelRef;
  /** Index into `steps`. */
  step: number;
  steps: number[];
  /** The canary's share of traffic now, in percent. */
  weight: number;
  startedAt: number;
  stepStartedAt: number;
  /** When the current step is next analysed; absent once finished. */
  nextAnalysisAt?: number;
  finishedAt?: number;
  failures: number;
  failureLimit: number;
  lastAnalysis?: AnalysisResult & { at: number };
  /** Why it is paused or ended. */
  reason?: string;
}

export type DeploymentPhase = 'ready' | 'progressing' | 'paused' | 'rolled_back' | 'aborted' | 'failed';

/** The version a deployment served before the current one, kept for rollback. */
export interface PreviousVersion extends ModelRef {
  /** Until when it stays loaded (epoch ms); null once released (a rollback then loads it again). */
  retainedUntil: number | null;
}

export interface DeploymentStatus {
  phase: DeploymentPhase;
  message: string;
  /** What the router splits traffic between now. */
  variants: LiveVariant[];
  previous?: PreviousVersion;
  rollout?: RolloutStatus;
  /** The spec generation this status reflects. */
  observedGeneration: number;
  updatedAt: number;
}

/** A deployment as stored. */
export interface Deployment {
  name: string;
  description?: string;
  spec: DeploymentSpec;
  status: DeploymentStatus;
  /** Goes up by one with each spec change. */
  generation: number;
  createdAt: number;
  createdBy: string;
  updatedAt: number;
  updatedBy: string;
}

/** Kinds of recorded transitions. */
export const TRANSITIONS = [
  'created',
  'updated',
  'deleted',
  'switched',
  'rollout_started',
  'step_advanced',
  'analysis_failed',
  'paused',
  'promoted',
  'rolled_back',
  'aborted',
  'previous_released',
  'load_failed',
] as const;
export type TransitionKind = (typeof TRANSITIONS)[number];

/** One recorded transition, with the numbers that caused it. */
export interface DeploymentEvent {
  id: number;
  deployment: string;
  at: number;
  actor: string;
  kind: TransitionKind;
  message: string;
  data: Record<string, unknown>;
}

/** One line of an apply diff: a spec field that was added, removed or changed. */
export interface SpecChange {
  op: 'add' | 'remove' | 'change';
  /** Dotted path, e.g. `spec.canary.steps`. */
  path: string;
  from?: unknown;
  to?: unknown;
}

export interface ApplyResult {
  action: 'created' | 'configured' | 'unchanged';
  dryRun: boolean;
  changes: SpecChange[];
  deployment: Deployment;
}

/** An answered request, handed to observers (metrics now, prediction logging later). Observers must not throw. */
export interface PredictionEvent {
  deployment: string;
  variant: string;
  role: VariantRole;
  model: string;
  version: number;
  requestId: string;
  at: number;
  inputs: ReadonlyArray<{ name: string; datatype?: string; shape?: unknown; data: unknown }>;
  /** Absent when the request failed. */
  outputs?: ReadonlyArray<{ name: string; datatype: string; shape: number[]; data: unknown }>;
  latencyMs: number;
  status: 'ok' | 'error';
  error?: string;
}

/** Told about every answered request of every deployment (shadow copies included, with role 'shadow'). */
export interface DeploymentObserver {
  onPrediction?(event: PredictionEvent): void;
  onTransition?(event: DeploymentEvent): void;
}

/** Comparison of a shadow's answers with the stable version's. */
export interface ShadowStats {
  /** Requests copied to the shadow. */
  mirrored: number;
  /** Pairs of answers compared (both succeeded). */
  compared: number;
  mismatches: number;
  mismatchRate: number;
  /** Mean over compared pairs of the mean absolute difference of their numeric output elements. */
  meanAbsDiff: number;
  shadowErrors: number;
  /** Copies dropped because too many were in flight (the shadow is slower than live traffic). */
  skipped: number;
  shadowP99Ms: number;
  stableP99Ms: number;
}
