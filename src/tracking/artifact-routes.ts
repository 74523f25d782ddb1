import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { extname } from 'node:path';
import type { Readable } from 'node:stream';
import { normalizeArtifactPath, proxyPathOf } from '../backends/artifacts/artifact-path.js';
import type { ArtifactStore } from '../backends/artifacts/artifact-store.js';
import { InvalidArgumentError } from '../errors.js';
import type { MlflowRoute } from '../server/mlflow-routes.js';
import { optString, reqString, type Json } from './mlflow-json.js';
import type { RunService } from './run-service.js';

/** The artifact proxy's paths, fixed by MLflow's HTTP artifact repository. */
export const ARTIFACT_PREFIXES = ['/api/2.0/mlflow-artifacts', '/ajax-api/2.0/mlflow-artifacts'];
/** MLflow's `_UnsupportedMultipartUploadException.MESSAGE`, which its client matches as a prefix. */
export const MPU_UNSUPPORTED = 'Multipart upload is not supported for the current artifact repository';

const CONTENT_TYPES: Record<string, string> = {
  '.txt': 'text/plain; charset=utf-8',
  '.log': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.yaml': 'text/plain; charset=utf-8',
  '.yml': 'text/plain; charset=utf-8',
  '.csv': 'text/plain; charset=utf-8',
  '.html': 'text/plain; charset=utf-8',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'text/plain; charset=utf-8',
};

function decodedPath(request: FastifyRequest): string {
  const raw = (request.params as { '*': string })['*'] ?? '';
  if (raw.includes('\0')) throw new InvalidArgumentError('Artifact paths may not contain NUL bytes.');
  return normalizeArtifactPath(raw);
}

/**
 * MLflow's artifact proxy (`--serve-artifacts`): the client PUTs, GETs, lists
 * and DELETEs under /api/2.0/mlflow-artifacts/artifacts. Bodies stream both ways.
 */
export function registerArtifactProxy(app: FastifyInstance, store: ArtifactStore): void {
  // Uploads are raw bytes of any type; take the stream as it is instead of buffering it.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    for (const prefix of ARTIFACT_PREFIXES) {
      scope.put(`${prefix}/artifacts/*`, { config: { permission: 'write' }, bodyLimit: Number.MAX_SAFE_INTEGER }, async (request, reply) => {
        const path = decodedPath(request);
        if (path === '') throw new InvalidArgumentError('Give the artifact path to upload to, e.g. PUT …/artifacts/0/<run_id>/artifacts/model.pkl');
        const body = request.body as Readable | undefined;
        await store.put(path, body ?? Buffer.alloc(0));
        return reply.send({});
      });
    }
  });
  for (const prefix of ARTIFACT_PREFIXES) {
    app.get(`${prefix}/artifacts`, { config: { permission: 'read' } }, async (request, reply) => {
      const q = request.query as Json;
      const p = optString(q, 'path');
      const path = p ? normalizeArtifactPath(p) : '';
      const entries = await store.list(path);
      const files = entries.map((e) => ({
        path: e.path.split('/').pop() ?? e.path,
        is_dir: e.isDir,
        ...(e.isDir ? {} : { file_size: e.size ?? 0 }),
      }));
      return reply.send(files.length > 0 ? { files } : {});
    });
    app.get(`${prefix}/artifacts/*`, { config: { permission: 'read' } }, async (request, reply) => streamArtifact(store, decodedPath(request), reply));
    app.delete(`${prefix}/artifacts/*`, { config: { permission: 'write' } }, async (request, reply) => {
      await store.delete(decodedPath(request));
      return reply.send({});
    });
    // MLflow's HTTP artifact repository falls back to a plain PUT only when the
    // message *starts with* its own wording, so keep that prefix exactly (501, as MLflow).
    for (const op of ['create', 'complete', 'abort']) {
      app.post(`${prefix}/mpu/${op}/*`, { config: { permission: 'write' } }, async (_request, reply) =>
        reply.status(501).send({
          error_code: 'NOT_IMPLEMENTED',
          message: `${MPU_UNSUPPORTED}: Ferry streams plain uploads of any size, so unset MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD.`,
        }),
      );
    }
    // MLflow 3 clients with MLFLOW_ENABLE_PROXY_MULTIPART_DOWNLOAD fall back to a proxied GET on 501.
    app.get(`${prefix}/presigned/*`, { config: { permission: 'read' } }, async (_request, reply) =>
      reply.status(501).send({
        error_code: 'NOT_IMPLEMENTED',
        message: 'Multipart download is not supported for the current artifact repository: Ferry serves artifacts through the proxy (GET …/mlflow-artifacts/artifacts/<path>).',
      }),
    );
  }
}

async function streamArtifact(store: ArtifactStore, path: string, reply: FastifyReply): Promise<FastifyReply> {
  const { stream, size } = await store.get(path);
  const type = CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
  return reply
    .header('content-type', type)
    .header('content-length', size)
    .header('x-content-type-options', 'nosniff')
    .send(stream);
}

/** The tracking API's artifacts/list: a run's artifacts by path relative to the run's root. */
export function artifactListRoute(runs: RunService, store: ArtifactStore): MlflowRoute {
  return {
    method: 'GET',
    path: '/artifacts/list',
    permission: 'read',
    handler: async (b) => {
      const run = await runs.getInfo(reqString(b, 'run_id', 'run_uuid'));
      const rel = optString(b, 'path');
      const relPath = rel ? normalizeArtifactPath(rel) : '';
      const root = proxyPathOf(run.artifactUri);
      const out: Json = { root_uri: run.artifactUri };
      if (root === undefined) return out;
      const entries = await store.list(relPath ? `${root}/${relPath}` : root);
      const files = entries.map((e) => ({
        path: e.path.slice(root.length + 1),
        is_dir: e.isDir,
        ...(e.isDir ? {} : { file_size: e.size ?? 0 }),
      }));
      if (files.length > 0) out.files = files;
      return out;
    },
  };
}
