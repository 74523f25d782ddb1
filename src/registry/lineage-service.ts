import type { Database } from '../backends/database/database.js';
import { FerryError, InvalidArgumentError, NotFoundError } from '../errors.js';
import type { RunService } from '../tracking/run-service.js';
import type { Run } from '../tracking/tracking-types.js';
import {
  DATASET_CONTEXT_TAG,
  GraphBuilder,
  PARENT_RUN_TAG,
  datasetNode,
  deploymentNode,
  experimentNode,
  loggedModelNode,
  missingRunNode,
  nodeId,
  runNode,
  versionNode,
} from './lineage-graph.js';
import { LineageStore, type LoggedModelRow } from './lineage-store.js';
import { NO_DEPLOYMENTS, type DeploymentLineageSource, type LineageGraph } from './lineage-types.js';
import type { ModelRegistry } from './model-registry.js';
import type { ModelVersion } from './registry-types.js';
import { validateModelName } from './registry-validation.js';

export interface LineageServiceOptions {
  database: Database;
  runs: RunService;
  registry: ModelRegistry;
}

/** Caps that keep one answer bounded: a popular dataset may feed thousands of runs. */
export const LINEAGE_LIMITS = { runsPerDataset: 1000, versions: 1000, childRuns: 200, parentHops: 20 } as const;

/**
 * Lineage: where a model version came from (its run, the run's datasets, code
 * version, params and final metrics, logged model, parent runs) and where it
 * went (deployments), as a graph of nodes and edges. Read-only.
 */
export class LineageService {
  private readonly store: LineageStore;
  private deployments: DeploymentLineageSource = NO_DEPLOYMENTS;

  constructor(private readonly options: LineageServiceOptions) {
    this.store = new LineageStore(options.database);
  }

  /** Installs where deployments are looked up (the serving domain, once it exists). Replaces any earlier source. */
  setDeploymentSource(source: DeploymentLineageSource): void {
    this.deployments = source;
  }

  /**
   * A model version's lineage, rooted at the version.
   * @throws NotFoundError for an unknown model or version.
   * @throws InvalidArgumentError for a bad name or version number.
   */
  async forModelVersion(name: unknown, version: unknown): Promise<LineageGraph> {
    return this.fromVersion(await this.options.registry.versions.get(name, version));
  }

  /**
   * The lineage of the version an alias points at (`latest` is the newest version).
   * @throws NotFoundError for an unknown model or alias.
   */
  async forModelAlias(name: unknown, alias: unknown): Promise<LineageGraph> {
    const n = validateModelName(name, 'model');
    let mv: ModelVersion;
    try {
      mv = await this.options.registry.aliases.get(n, alias);
    } catch (err) {
      // The registry answers an unknown alias with MLflow's INVALID_PARAMETER_VALUE; here it is simply not found.
      if (err instanceof FerryError && err.code === 'INVALID_ARGUMENT' && /alias .* not found/.test(err.message)) throw new NotFoundError(err.message);
      throw err;
    }
    return this.fromVersion(mv);
  }

  /**
   * A run's lineage, rooted at the run: its datasets, experiment, parent and
   * child runs, the logged models it produced and the versions registered from it.
   * @throws NotFoundError for an unknown run.
   */
  async forRun(runId: unknown): Promise<LineageGraph> {
    const run = await this.options.runs.get(runId);
    const g = new GraphBuilder();
    const id = run.info.runId;
    await this.addRuns(g, [run], { parents: true });
    const childIds = await this.store.childRuns(id, LINEAGE_LIMITS.childRuns);
    if (childIds.length === LINEAGE_LIMITS.childRuns) g.truncated = true;
    const children = await this.options.runs.store.getMany(childIds);
    await this.addRuns(g, children, { parents: false, datasets: false });
    for (const child of children) g.addEdge(nodeId.run(child.info.runId), nodeId.run(id), 'child_of');
    const keys = await this.store.versionsFromRuns([id], LINEAGE_LIMITS.versions);
    if (keys.length === LINEAGE_LIMITS.versions) g.truncated = true;
    const versions = await this.versionsOf(keys);
    const produced = await this.store.loggedModels(
      run.outputs.modelOutputs.map((m) => m.modelId),
      [id],
    );
    await this.addVersions(g, versions, produced);
    return g.build([nodeId.run(id)]);
  }

  /**
   * A dataset's lineage, rooted at each digest of it: the runs that took it as
   * an input and the versions registered from those runs.
   * @throws NotFoundError when no run logged a dataset of that name (and digest).
   */
  async forDataset(name: unknown, digest?: unknown): Promise<LineageGraph> {
    if (typeof name !== 'string' || name === '') throw new InvalidArgumentError("Missing value for required parameter 'dataset'.");
    if (digest !== undefined && typeof digest !== 'string') throw new InvalidArgumentError("Parameter 'digest' must be a string.");
    const rows = await this.store.datasets(name, digest || undefined);
    if (rows.length === 0) {
      throw new NotFoundError(`Dataset '${name.slice(0, 300)}'${digest ? ` with digest '${digest.slice(0, 100)}'` : ''} not found: no run logged it as an input.`);
    }
    const g = new GraphBuilder();
    const roots = [...new Set(rows.map((d) => g.addNode(datasetNode(d))))];
    const runIds = await this.store.runsUsing(
      rows.map((d) => d.datasetUuid),
      LINEAGE_LIMITS.runsPerDataset,
    );
    if (runIds.length === LINEAGE_LIMITS.runsPerDataset) g.truncated = true;
    const runs = await this.options.runs.store.getMany(runIds);
    await this.addRuns(g, runs, { parents: true });
    const keys = await this.store.versionsFromRuns(runIds, LINEAGE_LIMITS.versions);
    if (keys.length === LINEAGE_LIMITS.versions) g.truncated = true;
    await this.addVersions(g, await this.versionsOf(keys));
    return g.build(roots);
  }

  private async fromVersion(mv: ModelVersion): Promise<LineageGraph> {
    const g = new GraphBuilder();
    const logged = mv.modelId ? await this.store.loggedModels([mv.modelId]) : [];
    const runId = mv.runId ?? logged[0]?.sourceRunId ?? null;
    if (runId) {
      const runs = await this.options.runs.store.getMany([runId]);
      if (runs.length === 0) g.addNode(missingRunNode(runId));
      await this.addRuns(g, runs, { parents: true });
    }
    await this.addVersions(g, [mv], logged);
    return g.build([nodeId.version(mv.name, mv.version)]);
  }

  private async versionsOf(keys: Array<{ name: string; version: number }>): Promise<ModelVersion[]> {
    const { registry } = this.options;
    return Promise.all(keys.map((k) => registry.versions.get(k.name, k.version)));
  }

  /**
   * Adds runs with their experiments and (optionally) dataset inputs, and
   * follows `mlflow.parentRunId` up to the root run.
   */
  private async addRuns(g: GraphBuilder, runs: Run[], opts: { parents: boolean; datasets?: boolean }): Promise<void> {
    const all = [...runs];
    for (const run of runs) {
      g.addNode(runNode(run));
      if (opts.datasets === false) continue;
      for (const input of run.inputs.datasetInputs) {
        const to = g.addNode(datasetNode(input.dataset));
        const context = input.tags.find((t) => t.key === DATASET_CONTEXT_TAG)?.value;
        g.addEdge(nodeId.run(run.info.runId), to, 'trained_on', context ? { context } : undefined);
      }
    }
    if (opts.parents) {
      let frontier = runs;
      for (let hop = 0; hop < LINEAGE_LIMITS.parentHops && frontier.length > 0; hop++) {
        const wanted = new Set<string>();
        for (const run of frontier) {
          const parent = run.data.tags.find((t) => t.key === PARENT_RUN_TAG)?.value;
          if (!parent || parent === run.info.runId) continue;
          g.addEdge(nodeId.run(run.info.runId), nodeId.run(parent), 'child_of');
          if (!g.has(nodeId.run(parent))) wanted.add(parent);
        }
        const parents = await this.options.runs.store.getMany([...wanted]);
        const found = new Set(parents.map((p) => p.info.runId));
        for (const id of wanted) if (!found.has(id)) g.addNode(missingRunNode(id));
        for (const p of parents) g.addNode(runNode(p));
        all.push(...parents);
        frontier = parents;
      }
    }
    const experiments = await this.store.experiments(all.map((r) => r.info.experimentId));
    for (const e of experiments) g.addNode(experimentNode(e));
    for (const run of all) g.addEdge(nodeId.run(run.info.runId), nodeId.experiment(run.info.experimentId), 'part_of');
  }

  /**
   * Adds versions, the logged models they came from (and any other logged
   * models given), their links to source runs, and the deployments serving them.
   */
  private async addVersions(g: GraphBuilder, versions: ModelVersion[], knownModels: LoggedModelRow[] = []): Promise<void> {
    const byId = new Map(knownModels.map((m) => [m.modelId, m]));
    const missing = versions.map((v) => v.modelId).filter((id): id is string => !!id && !byId.has(id));
    for (const m of await this.store.loggedModels([...new Set(missing)])) byId.set(m.modelId, m);
    for (const m of byId.values()) {
      const id = g.addNode(loggedModelNode(m));
      if (m.sourceRunId && g.has(nodeId.run(m.sourceRunId))) g.addEdge(nodeId.run(m.sourceRunId), id, 'produced');
    }
    for (const mv of versions) {
      const id = g.addNode(versionNode(mv));
      const model = mv.modelId ? byId.get(mv.modelId) : undefined;
      const runId = mv.runId ?? model?.sourceRunId ?? null;
      if (model) {
        g.addEdge(nodeId.loggedModel(model.modelId), id, 'registered_as');
        // A version may name a run other than the logged model's own source run.
        if (runId && g.has(nodeId.run(runId))) g.addEdge(nodeId.run(runId), nodeId.loggedModel(model.modelId), 'produced');
      } else if (runId && g.has(nodeId.run(runId))) {
        g.addEdge(nodeId.run(runId), id, 'registered_as');
      }
    }
    if (versions.length === 0) return;
    const served = await this.deployments.deploymentsServing(versions.map((v) => ({ name: v.name, version: v.version })));
    for (const d of served) {
      const from = nodeId.version(d.modelName, d.modelVersion);
      if (!g.has(from)) continue;
      g.addEdge(from, g.addNode(deploymentNode(d)), 'served_by');
    }
  }
}
