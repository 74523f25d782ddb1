import { basename } from 'node:path';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { registerAuth } from '../auth/auth-hook.js';
import { TokenService } from '../auth/token-service.js';
import { openDatabase } from '../backends/database/database.js';
import { assertSchemaCurrent } from '../backends/database/migrate.js';
import { createArtifactStore } from '../backends/select.js';
import type { FerryConfig } from '../config/config.js';
import { ModelRegistry } from '../registry/model-registry.js';
import { registerInvocationsRoutes } from '../serving/invocations-routes.js';
import { registerOipRoutes } from '../serving/oip-routes.js';
import { installServingMetrics } from '../serving/serving-metrics.js';
import { ServingService } from '../serving/serving-service.js';
import type { BatchingOptions } from '../serving/serving-types.js';
import { ExperimentService } from '../tracking/experiment-service.js';
import { LoggedModelService } from '../tracking/logged-model-service.js';
import { RunService } from '../tracking/run-service.js';
import { installErrorHandler, sendError } from './error-handler.js';
import { installJsonBodyParser } from './json-body-parser.js';
import { recordRoutes } from './route-permission.js';
import { registerSystemRoutes } from './system-routes.js';

export interface ServeServerOptions {
  /** `models:/NAME/VERSION`, `models:/NAME@alias`, or a local package directory. */
  uri: string;
  /** The name the model is served under; default the registered model's name (or the directory's). */
  name?: string;
  batching?: Partial<BatchingOptions>;
  logger?: boolean | Record<string, unknown>;
}

export type ServeServer = FastifyInstance & { serving: ServingService; modelName: string };

/** The name a model URI is served under when none is given: `models:/fraud@prod` → `fraud`. */
export function defaultServedName(uri: string): string {
  const m = /^models:\/([^/@]+)/.exec(uri);
  if (m) return decodeURIComponent(m[1]!);
  return basename(uri.replace(/^file:\/\//, '').replace(/\/+$/, '')) || 'model';
}

/**
 * The standalone server of `ferry serve`: one model over the Open Inference
 * Protocol (/v2/…) and MLflow's scoring protocol (/invocations, /ping), with
 * /health, /version and /metrics. It reads the registry's database and
 * artifact store and writes neither: it runs no migrations (it refuses a
 * schema that is not current) and creates no Default experiment. The one
 * write left is the auth hook stamping a token's `last_used_at` (at most once a minute per token) when FERRY_AUTH=on.
 * The model is loaded before this returns.
 * @throws what loading the model throws (NotFoundError for a URI that names nothing, InvalidArgumentError for a bad package).
 */
export async function buildServeServer(config: FerryConfig, options: ServeServerOptions): Promise<ServeServer> {
  const database = await openDatabase(config.databaseUrl);
  let serving: ServingService | undefined;
  try {
    await assertSchemaCurrent(database);
    const artifacts = await createArtifactStore(config.artifactsUrl);
    const experiments = new ExperimentService(database, config.defaultArtifactRoot);
    const runs = new RunService(database, experiments);
    const loggedModels = new LoggedModelService(database, experiments, runs);
    const registry = new ModelRegistry({ database, runs, loggedModels, artifacts });
    serving = new ServingService({ registry, artifacts });
    const name = options.name ?? defaultServedName(options.uri);
    // The operator chose the URI on the command line, so a local directory is allowed.
    await serving.load(name, { uri: options.uri, ...(options.batching ? { batching: options.batching } : {}) }, { allowLocalPaths: true, startup: true });

    const app = Fastify({
      logger: options.logger ?? { level: config.logLevel },
      bodyLimit: config.bodyLimit,
      routerOptions: { maxParamLength: 4096 },
      frameworkErrors: (err, request, reply) => void sendError(reply, request.url, err),
      logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' }),
    });
    recordRoutes(app);
    installErrorHandler(app);
    installJsonBodyParser(app);
    registerAuth(app, new TokenService(database), config.auth);
    installServingMetrics(app, serving, { singleModel: name });
    registerSystemRoutes(app);
    registerOipRoutes(app, serving);
    registerInvocationsRoutes(app, serving, { singleModel: name });
    const held = serving;
    app.addHook('onClose', async () => {
      await held.close();
      await artifacts.close();
      await database.close();
    });
    return Object.assign(app, { serving, modelName: name }) as unknown as ServeServer;
  } catch (err) {
    await serving?.close();
    await database.close();
    throw err;
  }
}
