import type { ArtifactStore } from '../backends/artifacts/artifact-store.js';
import { openDatabase, type Database } from '../backends/database/database.js';
import { migrateToLatest } from '../backends/database/migrate.js';
import { createArtifactStore } from '../backends/select.js';
import type { FerryConfig } from '../config/config.js';
import { ExperimentService } from '../tracking/experiment-service.js';
import { LoggedModelService } from '../tracking/logged-model-service.js';
import { RunService } from '../tracking/run-service.js';
import { TokenService } from '../auth/token-service.js';
import { ModelRegistry } from '../registry/model-registry.js';

/** Everything the HTTP layer, CLI and jobs share: one instance per process. */
export interface FerryServices {
  config: FerryConfig;
  database: Database;
  artifacts: ArtifactStore;
  experiments: ExperimentService;
  runs: RunService;
  loggedModels: LoggedModelService;
  registry: ModelRegistry;
  tokens: TokenService;
  close(): Promise<void>;
}

/** Opens the configured backends, migrates the schema and creates the Default experiment. */
export async function createServices(config: FerryConfig): Promise<FerryServices> {
  const database = await openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(database);
    const artifacts = await createArtifactStore(config.artifactsUrl);
    const experiments = new ExperimentService(database, config.defaultArtifactRoot);
    await experiments.ensureDefaultExperiment();
    const runs = new RunService(database, experiments);
    const loggedModels = new LoggedModelService(database, experiments, runs);
    const registry = new ModelRegistry({ database, runs, loggedModels, artifacts });
    const tokens = new TokenService(database);
    return {
      config,
      database,
      artifacts,
      experiments,
      runs,
      loggedModels,
      registry,
      tokens,
      close: async () => {
        await artifacts.close();
        await database.close();
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}
