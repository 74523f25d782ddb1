import type { FastifyInstance } from 'fastify';
import type { Readable } from 'node:stream';
import { InvalidArgumentError } from '../../errors.js';
import { TABLE_FORMATS, tableFormatOf, type TableFormat } from '../table/table-format.js';
import type { UploadStore } from './upload-store.js';

export const UPLOADS_PATH = '/api/ferry/v1/data/uploads';

const BY_CONTENT_TYPE: Record<string, TableFormat> = {
  'text/csv': 'csv',
  'application/vnd.apache.parquet': 'parquet',
  'application/x-parquet': 'parquet',
  'application/x-ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
};

/**
 * `POST /api/ferry/v1/data/uploads?format=csv|parquet|jsonl` streams a table
 * file to the server and answers `{ upload: { id, ref, format, size_bytes } }`;
 * `ref` (`upload:ID`) is what the profile, validate and drift endpoints take.
 * `DELETE …/uploads/:id` removes one early.
 */
export function registerUploadRoutes(app: FastifyInstance, uploads: UploadStore): void {
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
    scope.post(UPLOADS_PATH, { config: { permission: 'write' }, bodyLimit: uploads.maxBytes }, async (request, reply) => {
      const query = (request.query ?? {}) as Record<string, unknown>;
      const type = String(request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      const format =
        typeof query.format === 'string'
          ? tableFormatOf('', query.format)
          : (BY_CONTENT_TYPE[type] ?? failFormat(type));
      if (!request.body) throw new InvalidArgumentError('The upload has no body; send the file as the request body.');
      const upload = await uploads.put(request.body as Readable, format);
      return reply.code(201).send({
        upload: { id: upload.id, ref: `upload:${upload.id}`, format: upload.format, size_bytes: upload.sizeBytes },
      });
    });
  });
  app.delete(`${UPLOADS_PATH}/:id`, { config: { permission: 'write' } }, async (request) => {
    await uploads.delete((request.params as { id: string }).id);
    return {};
  });
}

function failFormat(type: string): never {
  throw new InvalidArgumentError(
    `Say the upload's format with ?format=${TABLE_FORMATS.join('|')} or a content type (text/csv, application/vnd.apache.parquet, application/x-ndjson); got '${type || 'none'}'.`,
  );
}
