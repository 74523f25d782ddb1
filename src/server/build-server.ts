import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { registerAuth } from '../auth/auth-hook.js';
import { registerWhoamiRoutes } from '../auth/whoami-routes.js';
import { registerLineageRoutes } from '../registry/lineage-routes.js';
import { registerAuditRoutes, registryRoutes } from '../registry/registry-routes.js';
import { registerGovernanceRoutes } from '../registry/governance/index.js';
import type { FerryConfig } from '../config/config.js';
import { registerDataRoutes } from '../data/data-routes.js';
import { registerDeploymentRoutes } from '../deployments/index.js';
import { registerMetricSeriesRoutes } from '../tracking/metric-series-routes.js';
import { registerRunKeysRoutes } from '../tracking/run-keys-routes.js';
import { registerRunTableRoutes } from '../tracking/run-table-routes.js';
import { registerInvocationsRoutes } from '../serving/invocations-routes.js';
import { registerOipRoutes } from '../serving/oip-routes.js';
import { installServingMetrics } from '../serving/serving-metrics.js';
import { parseServeModels } from '../serving/serve-models-option.js';
import { artifactListRoute, registerArtifactProxy } from '../tracking/artifact-routes.js';
import { experimentRoutes } from '../tracking/experiment-routes.js';
import { loggedModelRoutes } from '../tracking/logged-model-routes.js';
import { runRoutes } from '../tracking/run-routes.js';
import { installErrorHandler, sendError } from './error-handler.js';
import { installJsonBodyParser } from './json-body-parser.js';
import { registerMlflowRoutes } from './mlflow-routes.js';
import { recordRoutes } from './route-permission.js';
import { createServices, type FerryServices } from './services.js';
import { registerSystemRoutes } from './system-routes.js';
import { registerUiRoutes } from './ui-routes.js';

export interface BuildServerOptions {
  /** Reuse already-open services (tests, embedding); otherwise they are created from the config. */
  services?: FerryServices;
  /** pino logger options; false silences logging. */
  logger?: boolean | Record<string, unknown>;
  /** The built web UI to serve at `/` (default: dist/ui of this package). */
  uiRoot?: string;
}

/** Builds the Fastify app with every route, without listening. `ferry server` listens; tests use inject(). */
export type FerryServer = FastifyInstance & { services: FerryServices };

export async function buildServer(config: FerryConfig, options: BuildServerOptions = {}): Promise<FerryServer> {
  const services = options.services ?? (await createServices(config));
  const app = Fastify({
    logger: options.logger ?? { level: config.logLevel },
    bodyLimit: config.bodyLimit,
    // Long artifact uploads and downloads must not be cut off.
    requestTimeout: 0,
    routerOptions: { maxParamLength: 4096 },
    // A bad percent-escape or an over-long path parameter fails before routing; answer in the path's protocol shape too.
    frameworkErrors: (err, request, reply) => void sendError(reply, request.url, err),
    // Per-request log lines cost more than a metric write; keep them for debug.
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' }),
  });
  recordRoutes(app);
  installErrorHandler(app);
  installJsonBodyParser(app);
  registerAuth(app, services.tokens, config.auth);
  // Before the inference routes, so its response hook counts them.
  const servingMetrics = installServingMetrics(app, services.serving);
  services.deployments.metrics.register(servingMetrics.registry);
  services.deployments.setLogger({ warn: (message, data) => app.log.warn(data ?? {}, message) });
  registerSystemRoutes(app);
  registerWhoamiRoutes(app, services.tokens, config.auth);
  registerMlflowRoutes(app, [
    ...experimentRoutes(services.experiments),
    ...runRoutes(services.runs, services.loggedModels),
    ...loggedModelRoutes(services.loggedModels),
    ...registryRoutes(services.registry),
    artifactListRoute(services.runs, services.artifacts),
  ]);
  registerArtifactProxy(app, services.artifacts);
  registerAuditRoutes(app, services.registry);
  registerGovernanceRoutes(app, services.governance);
  registerLineageRoutes(app, services.lineage);
  registerDataRoutes(app, services);
  registerOipRoutes(app, services.serving);
  registerInvocationsRoutes(app, services.serving);
  registerDeploymentRoutes(app, services.deployments);
  registerMetricSeriesRoutes(app, services.database);
  registerRunKeysRoutes(app, services.database);
  registerRunTableRoutes(app, services.database);
  await registerUiRoutes(app, { root: options.uiRoot });
  // Startup models load in the background; /v2/health/ready says when they are ready.
  void services.serving.preload(parseServeModels(config.serveModels));
  void services.deployments.start().catch((err) => app.log.error({ err }, 'stored deployments failed to load'));
  if (!options.services) app.addHook('onClose', async () => services.close());
  return Object.assign(app, { services }) as unknown as FerryServer;
}
