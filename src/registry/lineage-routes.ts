import type { FastifyInstance } from 'fastify';
import { InvalidArgumentError } from '../errors.js';
import { optString, type Json } from '../tracking/mlflow-json.js';
import type { LineageService } from './lineage-service.js';
import type { LineageGraph } from './lineage-types.js';

export const LINEAGE_PATH = '/api/ferry/v1/lineage';

const USAGE = 'Ask for one of: ?model=NAME&version=V (or &alias=A), ?run=RUN_ID, or ?dataset=NAME[&digest=D].';

/** Decodes the lineage query string and asks the service; exactly one subject per request. */
export async function answerLineage(lineage: LineageService, q: Json): Promise<LineageGraph> {
  const model = optString(q, 'model');
  const version = optString(q, 'version');
  const alias = optString(q, 'alias');
  const run = optString(q, 'run');
  const dataset = optString(q, 'dataset');
  const digest = optString(q, 'digest');
  const subjects = [model, run, dataset].filter((s) => s !== undefined);
  if (subjects.length === 0) throw new InvalidArgumentError(`Missing lineage subject. ${USAGE}`);
  if (subjects.length > 1) throw new InvalidArgumentError(`Give only one of model, run or dataset. ${USAGE}`);
  if (model !== undefined) {
    if (model === '') throw new InvalidArgumentError("Missing value for required parameter 'model'.");
    if (digest !== undefined) throw new InvalidArgumentError("'digest' goes with 'dataset', not 'model'.");
    if (version !== undefined && alias !== undefined) throw new InvalidArgumentError("Give either 'version' or 'alias', not both.");
    if (alias !== undefined) return lineage.forModelAlias(model, alias);
    if (version === undefined || version === '') throw new InvalidArgumentError(`Missing value for required parameter 'version' (or give 'alias'). ${USAGE}`);
    return lineage.forModelVersion(model, version);
  }
  if (version !== undefined || alias !== undefined) throw new InvalidArgumentError("'version' and 'alias' go with 'model'.");
  if (run !== undefined) {
    if (digest !== undefined) throw new InvalidArgumentError("'digest' goes with 'dataset', not 'run'.");
    if (run === '') throw new InvalidArgumentError("Missing value for required parameter 'run'.");
    return lineage.forRun(run);
  }
  if (dataset === '') throw new InvalidArgumentError("Missing value for required parameter 'dataset'.");
  return lineage.forDataset(dataset, digest === '' ? undefined : digest);
}

/**
 * `GET /api/ferry/v1/lineage?model=NAME&version=V` (or `&alias=A`),
 * `?run=RUN_ID`, `?dataset=NAME[&digest=D]`: the lineage graph as
 * `{ roots, nodes, edges }`.
 */
export function registerLineageRoutes(app: FastifyInstance, lineage: LineageService): void {
  app.get(LINEAGE_PATH, { config: { permission: 'read' } }, async (request) => answerLineage(lineage, (request.query ?? {}) as Json));
}
