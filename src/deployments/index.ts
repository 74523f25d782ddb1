/** Deployments: what other modules (the server, the CLI) may import. */
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ArtifactStore } from '../backends/artifacts/artifact-store.js';
import { LocalArtifactStore } from '../backends/artifacts/local-artifact-store.js';
import type { Database } from '../backends/database/database.js';
import type { AuditLog } from '../registry/audit-log.js';
import type { ModelRegistry } from '../registry/model-registry.js';
import type { ServingService } from '../serving/serving-service.js';
import { registerDeploymentApiRoutes } from './deployment-api-routes.js';
import { DeploymentMetrics } from './deployment-metrics.js';
import { installDeploymentAliases, registerDeploymentInferenceRoutes } from './deployment-routes.js';
import { DeploymentService } from './deployment-service.js';
import { DeploymentState, silentLogger, systemClock, type Clock, type DeploymentLogger } from './deployment-state.js';
import { DeploymentStore } from './deployment-store.js';
import { DeploymentTraffic } from './deployment-traffic.js';
import type { DeploymentObserver } from './deployment-types.js';
import { registerFeedbackRoutes } from './feedback-routes.js';
import { FeedbackService } from './feedback-service.js';
import { FeedbackStore } from './feedback-store.js';
import { PredictionLog } from './prediction-log.js';
import { RolloutController } from './rollout-controller.js';
import { VariantPool } from './variant-pool.js';

export interface DeploymentsDeps {
  database: Database;
  /** Where each variant is loaded, under `{deployment}--{model}-v{version}`. */
  serving: ServingService;
  registry?: ModelRegistry;
  /** Where warm-up reads a version's input example. */
  artifacts?: ArtifactStore;
  /** Transitions are copied here too; default the registry's audit log. */
  audit?: AuditLog;
  clock?: Clock;
  logger?: DeploymentLogger;
  /** Random numbers for weighted routing and shadow sampling (tests fix them). */
  random?: () => number;
  /**
   * Where predictions (`predictions/`) and feedback (`feedback/`) are written as Parquet.
   * Default: the root of a local artifact store; with another store, and no folder given, logging is off.
   */
  loggingDir?: string;
}

/** The deployments of one server: the service, its roll-out controller and its metrics. */
export interface Deployments {
  service: DeploymentService;
  controller: RolloutController;
  metrics: DeploymentMetrics;
  /** The prediction log; absent when logging is off (no local folder to write to). */
  predictions?: PredictionLog;
  /** Feedback, quality and A/B reports over the prediction log. */
  feedback: FeedbackService;
  /** Loads stored deployments and resumes their roll-outs; requests and changes wait for it. Call once. */
  start(): Promise<void>;
  /** Tells `observer` about every answered request and every transition (prediction logging hooks in here). Returns its removal. */
  addObserver(observer: DeploymentObserver): () => void;
  /** Where failures nobody waits for (webhooks, timer-driven steps) are logged, e.g. the app's logger. */
  setLogger(logger: DeploymentLogger): void;
  /** Stops the roll-out timers and writes out queued predictions (the serving service unloads the models). */
  close(): Promise<void>;
}

/** Creates the deployments of one server over its serving service and metadata database. Nothing loads until `start`. */
export function createDeployments(deps: DeploymentsDeps): Deployments {
  const store = new DeploymentStore(deps.database, deps.audit ?? deps.registry?.audit);
  const pool = new VariantPool(deps.serving, { registry: deps.registry, artifacts: deps.artifacts });
  const state = new DeploymentState(store, pool, deps.clock ?? systemClock, deps.logger ?? silentLogger);
  const controller = new RolloutController(state);
  const traffic = new DeploymentTraffic(state, controller, deps.random);
  const service = new DeploymentService({ state, controller, traffic, serving: deps.serving, registry: deps.registry });
  const metrics = new DeploymentMetrics(state);
  state.addObserver(metrics);
  const root = deps.loggingDir ?? (deps.artifacts instanceof LocalArtifactStore ? deps.artifacts.root : undefined);
  const predictions =
    root === undefined
      ? undefined
      : new PredictionLog({
          dir: join(root, 'predictions'),
          settings: (name) => state.live.get(name)?.record.spec.logging,
          logger: { warn: (message, data) => state.logger.warn(message, data) },
        });
  if (predictions) state.addObserver(predictions);
  const labels = predictions && root !== undefined ? new FeedbackStore(join(root, 'feedback'), predictions) : undefined;
  const feedback = new FeedbackService(service, labels);
  return {
    service,
    controller,
    metrics,
    ...(predictions ? { predictions } : {}),
    feedback,
    start: () => service.start(),
    addObserver: (o) => state.addObserver(o),
    setLogger: (logger) => void (state.logger = logger),
    close: async () => {
      service.close();
      await predictions?.close();
      await labels?.close();
    },
  };
}

/**
 * Adds the deployment API (`/api/ferry/v1/deployments…`), inference at
 * `/deployments/NAME/…`, and the deployment's name as an OIP model name at
 * `/v2/models/NAME/…` (and `/models/NAME/invocations`), and feedback, quality and
 * A/B reports under `/api/ferry/v1/deployments/NAME/`. Call before the app is ready.
 */
export function registerDeploymentRoutes(app: FastifyInstance, deployments: Deployments): void {
  registerDeploymentApiRoutes(app, deployments.service);
  registerDeploymentInferenceRoutes(app, deployments.service);
  installDeploymentAliases(app, deployments.service);
  registerFeedbackRoutes(app, deployments.feedback);
}

export { DeploymentService, toDocument } from './deployment-service.js';
export type { ApplyOptions, DeploymentView, VariantView } from './deployment-service.js';
export { DeploymentMetrics } from './deployment-metrics.js';
export { RolloutController, CONTROLLER_ACTOR } from './rollout-controller.js';
export { systemClock } from './deployment-state.js';
export type { Clock, DeploymentLogger } from './deployment-state.js';
export { parseDeploymentDocument, parseDuration, parseModelRef } from './deployment-spec.js';
export { diffDocuments, formatChange } from './spec-diff.js';
export { analyzeCanary, populationStability } from './canary-analysis.js';
export { stableHash, chooseVariant, routeRequest } from './traffic-router.js';
export { VARIANT_HEADER, VERSION_HEADER, REQUEST_ID_HEADER } from './deployment-routes.js';
export { DEPLOYMENTS_PREFIX } from './deployment-api-routes.js';
export { STRATEGIES, TRANSITIONS } from './deployment-types.js';
export type {
  AbVariantSpec,
  AnalysisResult,
  ApplyResult,
  CanaryCheck,
  CanarySpec,
  CheckResult,
  Deployment,
  DeploymentDocument,
  DeploymentEvent,
  DeploymentObserver,
  DeploymentPhase,
  DeploymentSpec,
  DeploymentStatus,
  LiveVariant,
  ModelRef,
  PredictionEvent,
  PreviousVersion,
  RolloutState,
  RolloutStatus,
  ShadowSpec,
  ShadowStats,
  SpecChange,
  Strategy,
  TransitionKind,
  VariantRole,
  Verdict,
  WebhookSpec,
  WindowSummary,
} from './deployment-types.js';
export { DeploymentsClient } from './deployments-client.js';
export { PredictionLog, predictionGlob, PREDICTION_COLUMNS } from './prediction-log.js';
export { FeedbackService } from './feedback-service.js';
export type { AbReport, AbVariantReport, AbComparison } from './ab-report.js';
export type { QualitySeries, QualityPoint } from './quality-report.js';
export type { FeedbackResult, LoggedPrediction } from './feedback-store.js';
