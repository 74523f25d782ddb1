import type { ArtifactStore } from '../backends/artifacts/artifact-store.js';
import { openDatabase, type Database } from '../backends/database/database.js';
import { migrateToLatest } from '../backends/database/migrate.js';
import { createArtifactStore } from '../backends/select.js';
import type { FerryConfig } from '../config/config.js';
import { ExperimentService } from '../tracking/experiment-service.js';
import { LoggedModelService } from '../tracking/logged-model-service.js';
import { RunService } from '../tracking/run-service.js';
import { TokenService } from '../auth/token-service.js';
import { LineageService } from '../registry/lineage-service.js';
import { ModelRegistry } from '../registry/model-registry.js';
import { ServingService } from '../serving/serving-service.js';
import { createDataServices, type DataServices } from '../data/data-services.js';
import { createDatasetScheme, DatasetService } from '../data/datasets/index.js';
import { createDeployments, type Deployments } from '../deployments/index.js';
import { createGovernance, type Governance } from '../registry/governance/index.js';
import { metricSnapshots } from '../tracking/metric-snapshots.js';

/** Longest a shutdown waits for queued metric snapshots; past it they are left (charts then read the metrics table). */
const SNAPSHOT_FLUSH_MS = 5_000;

/** Everything the HTTP layer, CLI and jobs share: one instance per process. */
export interface FerryServices {
  config: FerryConfig;
  database: Database;
  artifacts: ArtifactStore;
  experiments: ExperimentService;
  runs: RunService;
  loggedModels: LoggedModelService;
  registry: ModelRegistry;
  /** Promotion policies, requests and model cards over the registry. */
  governance: Governance;
  lineage: LineageService;
  tokens: TokenService;
  /** Models served over the Open Inference Protocol (/v2). */
  serving: ServingService;
  /** Uploads and table references for the data API. */
  data: DataServices;
  /** The dataset registry: named, versioned digests (`datasets:/NAME/VERSION`). */
  datasets: DatasetService;
  /** Named endpoints over serving: traffic strategies and canary roll-outs. */
  deployments: Deployments;
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
    const lineage = new LineageService({ database, runs, registry });
    const governance = createGovernance({ database, registry, runs, artifacts });
    const tokens = new TokenService(database);
    const serving = new ServingService({ registry, artifacts });
    registry.setDeletionGuard((target) => serving.servedUses(target));
    const deployments = createDeployments({ database, serving, registry, artifacts, loggingDir: config.home });
    const data = createDataServices(config.home);
    const datasets = new DatasetService(database);
    data.sources.register('datasets', createDatasetScheme(datasets, artifacts));
    return {
      config,
      database,
      artifacts,
      experiments,
      runs,
      loggedModels,
      registry,
      governance,
      lineage,
      tokens,
      serving,
      data,
      datasets,
      deployments,
      close: async () => {
        await deployments.close();
        await serving.close();
        await artifacts.close();
        // Snapshots queued by runs that just ended are what the next start reads charts from.
        await metricSnapshots(database).idle(SNAPSHOT_FLUSH_MS);
        await database.close();
      },
    };
  } catch (err) {
    await database.close();
    throw err;
  }
}
