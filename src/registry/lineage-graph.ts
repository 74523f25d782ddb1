import { encodeDouble } from '../tracking/mlflow-json.js';
import type { Dataset, Run } from '../tracking/tracking-types.js';
import type { ExperimentRow, LoggedModelRow } from './lineage-store.js';
import type { LineageDeployment, LineageEdge, LineageEdgeType, LineageGraph, LineageNode } from './lineage-types.js';
import type { ModelVersion } from './registry-types.js';

/** MLflow's system tags for the code a run came from (mlflow/utils/mlflow_tags.py). */
export const GIT_TAGS = {
  commit: 'mlflow.source.git.commit',
  branch: 'mlflow.source.git.branch',
  repoUrl: 'mlflow.source.git.repoURL',
  dirty: 'mlflow.source.git.dirty',
} as const;
export const PARENT_RUN_TAG = 'mlflow.parentRunId';
/** The input tag MLflow's `log_input(dataset, context=…)` writes. */
export const DATASET_CONTEXT_TAG = 'mlflow.data.context';

/** Tags too bulky for a graph node (whole diffs, model histories); the run itself still has them. */
const OMITTED_TAGS = new Set(['mlflow.source.git.diff', 'mlflow.log-model.history']);

export const nodeId = {
  version: (name: string, version: number) => `model_version:${name}/${version}`,
  run: (runId: string) => `run:${runId}`,
  dataset: (name: string, digest: string) => `dataset:${name}@${digest}`,
  loggedModel: (modelId: string) => `logged_model:${modelId}`,
  experiment: (experimentId: string) => `experiment:${experimentId}`,
  deployment: (id: string) => `deployment:${id}`,
};

const tagMap = (tags: Array<{ key: string; value: string }>) => Object.fromEntries(tags.map((t) => [t.key, t.value]));

export function versionNode(mv: ModelVersion): LineageNode {
  return {
    id: nodeId.version(mv.name, mv.version),
    type: 'model_version',
    label: `${mv.name} v${mv.version}`,
    attributes: {
      name: mv.name,
      version: mv.version,
      status: mv.status,
      currentStage: mv.currentStage,
      aliases: mv.aliases,
      source: mv.source,
      storageLocation: mv.storageLocation,
      runId: mv.runId,
      modelId: mv.modelId,
      userId: mv.userId,
      description: mv.description,
      creationTimestamp: mv.creationTimestamp,
      tags: tagMap(mv.tags),
    },
  };
}

/** The code version a run recorded: commit, branch, repository and whether the work tree had uncommitted changes. */
export function codeVersionOf(run: Run): Record<string, unknown> | null {
  const tag = (key: string) => run.data.tags.find((t) => t.key === key)?.value;
  const commit = tag(GIT_TAGS.commit);
  const dirty = tag(GIT_TAGS.dirty);
  const out = {
    gitCommit: commit ?? null,
    gitBranch: tag(GIT_TAGS.branch) ?? null,
    gitRepoUrl: tag(GIT_TAGS.repoUrl) ?? null,
    // MLflow writes 'true' / 'false'; null when the run did not record it.
    gitDirty: dirty === undefined ? null : dirty.toLowerCase() === 'true',
    sourceName: tag('mlflow.source.name') ?? null,
    sourceType: tag('mlflow.source.type') ?? null,
  };
  return Object.values(out).every((v) => v === null) ? null : out;
}

export function runNode(run: Run): LineageNode {
  const i = run.info;
  return {
    id: nodeId.run(i.runId),
    type: 'run',
    label: i.runName || i.runId,
    attributes: {
      runId: i.runId,
      runName: i.runName,
      experimentId: i.experimentId,
      status: i.status,
      lifecycleStage: i.lifecycleStage,
      userId: i.userId,
      startTime: i.startTime,
      endTime: i.endTime,
      artifactUri: i.artifactUri,
      parentRunId: run.data.tags.find((t) => t.key === PARENT_RUN_TAG)?.value ?? null,
      codeVersion: codeVersionOf(run),
      params: tagMap(run.data.params),
      // The latest value of each metric: what the run ended with.
      metrics: Object.fromEntries(run.data.metrics.map((m) => [m.key, encodeDouble(m.value)])),
      tags: tagMap(run.data.tags.filter((t) => !OMITTED_TAGS.has(t.key))),
    },
  };
}

/** A run the graph names but the database no longer has (purged by `ferry gc`). */
export function missingRunNode(runId: string): LineageNode {
  return { id: nodeId.run(runId), type: 'run', label: runId, attributes: { runId, missing: true } };
}

function parsedProfile(profile: string | null | undefined): unknown {
  if (!profile) return null;
  try {
    return JSON.parse(profile);
  } catch {
    return profile;
  }
}

export function datasetNode(d: Pick<Dataset, 'name' | 'digest' | 'sourceType' | 'source' | 'profile'>): LineageNode {
  return {
    id: nodeId.dataset(d.name, d.digest),
    type: 'dataset',
    label: `${d.name} (${d.digest})`,
    attributes: { name: d.name, digest: d.digest, sourceType: d.sourceType, source: d.source, profile: parsedProfile(d.profile) },
  };
}

export function loggedModelNode(m: LoggedModelRow): LineageNode {
  return {
    id: nodeId.loggedModel(m.modelId),
    type: 'logged_model',
    label: m.name || m.modelId,
    attributes: {
      modelId: m.modelId,
      name: m.name,
      status: m.status,
      modelType: m.modelType,
      artifactUri: m.artifactUri,
      sourceRunId: m.sourceRunId,
      experimentId: m.experimentId,
      lifecycleStage: m.lifecycleStage,
      creationTimestamp: m.creationTimestampMs,
    },
  };
}

export function experimentNode(e: ExperimentRow): LineageNode {
  return { id: nodeId.experiment(e.experimentId), type: 'experiment', label: e.name, attributes: { ...e } };
}

export function deploymentNode(d: LineageDeployment): LineageNode {
  return { id: nodeId.deployment(d.id), type: 'deployment', label: d.name, attributes: { deploymentId: d.id, name: d.name, ...d.attributes } };
}

/** Collects nodes and edges once each, in the order first added. */
export class GraphBuilder {
  private readonly nodes = new Map<string, LineageNode>();
  private readonly edges = new Map<string, LineageEdge>();
  truncated = false;

  has(id: string): boolean {
    return this.nodes.has(id);
  }

  /** Adds a node; a missing-run placeholder gives way to the real run. */
  addNode(node: LineageNode): string {
    const existing = this.nodes.get(node.id);
    if (!existing || existing.attributes.missing === true) this.nodes.set(node.id, node);
    return node.id;
  }

  addEdge(from: string, to: string, type: LineageEdgeType, attributes?: Record<string, unknown>): void {
    const key = `${from}\u0000${to}\u0000${type}`;
    if (!this.edges.has(key)) this.edges.set(key, attributes ? { from, to, type, attributes } : { from, to, type });
  }

  build(roots: string[]): LineageGraph {
    return { roots, nodes: [...this.nodes.values()], edges: [...this.edges.values()], ...(this.truncated ? { truncated: true } : {}) };
  }
}
