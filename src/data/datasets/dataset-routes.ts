import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidArgumentError } from '../../errors.js';
import type { FerryServices } from '../../server/services.js';
import { optInt, optString } from '../../tracking/mlflow-json.js';
import { datasetJson, datasetVersionJson } from './dataset-json.js';

export const DATASETS_PATH = '/api/ferry/v1/datasets';

type Params = { name: string; version: string };

function objectBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidArgumentError('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

/** The token's name with auth on; otherwise the `user_id` the body names, if any. */
function actorOf(request: FastifyRequest, body: Record<string, unknown>): string | null {
  if (request.principal) return request.principal.name;
  return typeof body.user_id === 'string' && body.user_id !== '' ? body.user_id : null;
}

function query(request: FastifyRequest): Record<string, unknown> {
  return (request.query ?? {}) as Record<string, unknown>;
}

/**
 * The dataset registry under `/api/ferry/v1/datasets`:
 * - `POST /datasets {name, digest, kind, size, files, source?, schema?, profile?, description?, tags?}`
 *   registers a version: 201 `{dataset_version, created: true}` for a new digest (version N+1),
 *   200 with `created: false` and the existing version when the digest is already registered.
 * - `GET /datasets?name_contains=&max_results=&page_token=` → `{datasets, next_page_token?}`
 * - `GET|PATCH /datasets/:name` → `{dataset}`; PATCH takes `{description?, tags?}` (a null tag value removes it).
 * - `GET /datasets/:name/versions?digest=&max_results=&page_token=` → `{versions, next_page_token?}`, newest first.
 * - `GET|PATCH|DELETE /datasets/:name/versions/:version` (`latest` for the newest) → `{dataset_version}`.
 */
export function registerDatasetRoutes(app: FastifyInstance, services: FerryServices): void {
  const { datasets } = services;
  app.post(DATASETS_PATH, { config: { permission: 'write' } }, async (request, reply) => {
    const body = objectBody(request);
    const { user_id: _userId, ...fields } = body;
    const result = await datasets.register({ ...fields, createdBy: actorOf(request, body) });
    return reply.code(result.created ? 201 : 200).send({ dataset_version: datasetVersionJson(result.version), created: result.created });
  });
  app.get(DATASETS_PATH, { config: { permission: 'read' } }, async (request) => {
    const q = query(request);
    const page = await datasets.list({
      nameContains: optString(q, 'name_contains'),
      maxResults: optInt(q, 'max_results'),
      pageToken: optString(q, 'page_token') || undefined,
    });
    return { datasets: page.items.map(datasetJson), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
  });
  app.get(`${DATASETS_PATH}/:name`, { config: { permission: 'read' } }, async (request) => ({
    dataset: datasetJson(await datasets.get((request.params as Params).name)),
  }));
  app.patch(`${DATASETS_PATH}/:name`, { config: { permission: 'write' } }, async (request) => ({
    dataset: datasetJson(await datasets.update((request.params as Params).name, objectBody(request))),
  }));
  app.get(`${DATASETS_PATH}/:name/versions`, { config: { permission: 'read' } }, async (request) => {
    const q = query(request);
    const page = await datasets.listVersions((request.params as Params).name, {
      digest: optString(q, 'digest'),
      maxResults: optInt(q, 'max_results'),
      pageToken: optString(q, 'page_token') || undefined,
    });
    return { versions: page.items.map(datasetVersionJson), ...(page.nextPageToken ? { next_page_token: page.nextPageToken } : {}) };
  });
  app.get(`${DATASETS_PATH}/:name/versions/:version`, { config: { permission: 'read' } }, async (request) => {
    const p = request.params as Params;
    return { dataset_version: datasetVersionJson(await datasets.getVersion(p.name, p.version)) };
  });
  app.patch(`${DATASETS_PATH}/:name/versions/:version`, { config: { permission: 'write' } }, async (request) => {
    const p = request.params as Params;
    return { dataset_version: datasetVersionJson(await datasets.updateVersion(p.name, p.version, objectBody(request))) };
  });
  app.delete(`${DATASETS_PATH}/:name/versions/:version`, { config: { permission: 'write' } }, async (request) => {
    const p = request.params as Params;
    await datasets.deleteVersion(p.name, p.version);
    return {};
  });
}
