/** The lineage graph's types: what `GET /api/ferry/v1/lineage` answers and the SDK and CLI read. */

export type LineageNodeType = 'model_version' | 'run' | 'dataset' | 'logged_model' | 'experiment' | 'deployment';

/**
 * How two nodes relate; `from` → `to` reads as a sentence:
 * - `trained_on`: run → dataset it took as an input (the input's context, e.g. `training`, is on the edge)
 * - `produced`: run → logged model it logged
 * - `registered_as`: logged model (or run, when the version came straight from the run's artifacts) → model version
 * - `child_of`: run → its parent run (`mlflow.parentRunId`)
 * - `part_of`: run → its experiment
 * - `served_by`: model version → deployment serving it
 */
export type LineageEdgeType = 'trained_on' | 'produced' | 'registered_as' | 'child_of' | 'part_of' | 'served_by';

export interface LineageNode {
  /** `<type>:<key>`, e.g. `model_version:fraud/2`, `run:3f2a…`, `dataset:train@a1b2c3`. Opaque to clients. */
  id: string;
  type: LineageNodeType;
  /** A short human name: `fraud v2`, the run name, `train (a1b2c3)`. */
  label: string;
  /** What the node records: a run's params, final metrics, code version; a dataset's digest and source; … */
  attributes: Record<string, unknown>;
}

export interface LineageEdge {
  from: string;
  to: string;
  type: LineageEdgeType;
  /** Facts about the link itself, e.g. `{ context: 'training' }` on `trained_on`. */
  attributes?: Record<string, unknown>;
}

export interface LineageGraph {
  /** The node(s) asked about: one model version or run, or each digest of a dataset. */
  roots: string[];
  nodes: LineageNode[];
  edges: LineageEdge[];
  /** Set when a cap (runs per dataset, versions per run set) cut the graph short. */
  truncated?: boolean;
}

/** What a lineage query names: exactly one of a model version (by number or alias), a run, a dataset. */
export type LineageQuery =
  | { model: string; version: number | string }
  | { model: string; alias: string }
  | { runId: string }
  | { dataset: string; digest?: string };

/** A deployment serving a model version, as the serving domain reports it. */
export interface LineageDeployment {
  id: string;
  name: string;
  modelName: string;
  modelVersion: number;
  attributes?: Record<string, unknown>;
}

/**
 * Where lineage learns which deployments serve which versions. Serving installs
 * one with `LineageService.setDeploymentSource` once deployments exist; until
 * then no version has any.
 */
export interface DeploymentLineageSource {
  /** The deployments serving any of `versions`. Read-only, may return them in any order. */
  deploymentsServing(versions: Array<{ name: string; version: number }>): Promise<LineageDeployment[]>;
}

export const NO_DEPLOYMENTS: DeploymentLineageSource = { deploymentsServing: async () => [] };
