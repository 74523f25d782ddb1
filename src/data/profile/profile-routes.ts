import type { FastifyInstance, FastifyRequest } from 'fastify';
import { FerryError, InvalidArgumentError } from '../../errors.js';
import type { FerryServices } from '../../server/services.js';
import { profileFile } from './profile-file.js';
import { renderProfileHtml } from './profile-html.js';

export const PROFILE_PATH = '/api/ferry/v1/data/profile';

/**
 * `POST /api/ferry/v1/data/profile` with a JSON body
 * `{ source: "upload:ID" | "datasets:/NAME/VERSION", format?: "json" | "html", columns?: string[], top?: number, bins?: number }`
 * answers the table's profile as JSON, or as a self-contained HTML report
 * when `format` is "html" (or, without `format`, when `Accept` asks for text/html).
 */
export function registerProfileRoutes(app: FastifyInstance, services: FerryServices): void {
  app.post(PROFILE_PATH, { config: { permission: 'read' } }, async (request, reply) => {
    const body = objectBody(request);
    const html = wantsHtml(body.format, request.headers.accept);
    const options = { columns: columnsOf(body.columns), top: intOf(body, 'top'), bins: intOf(body, 'bins') };
    const table = await services.data.sources.resolve(body.source);
    try {
      const profile = await profileFile(table.path, { ...options, format: table.format, source: table.ref });
      if (html) return reply.type('text/html; charset=utf-8').send(renderProfileHtml(profile));
      return profile;
    } catch (err) {
      // DuckDB's messages name the file; the client knows it by its reference, not by a server path.
      if (err instanceof FerryError && err.message.includes(table.path)) {
        throw new FerryError(err.code, err.message.split(table.path).join(table.ref), { cause: err });
      }
      throw err;
    } finally {
      await table.release();
    }
  });
}

function objectBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidArgumentError('The request body must be a JSON object such as {"source": "upload:ID"}.');
  }
  return body as Record<string, unknown>;
}

function wantsHtml(format: unknown, accept: string | undefined): boolean {
  if (format === 'html') return true;
  if (format === 'json') return false;
  if (format !== undefined) throw new InvalidArgumentError(`format must be "json" or "html"; got ${JSON.stringify(format)}.`);
  return /\btext\/html\b/.test(accept ?? '');
}

function columnsOf(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  if (Array.isArray(v) && v.every((c) => typeof c === 'string')) return v;
  throw new InvalidArgumentError('columns must be a list of column names, e.g. ["age", "city"].');
}

function intOf(body: Record<string, unknown>, key: string): number | undefined {
  const v = body[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number') throw new InvalidArgumentError(`${key} must be a number; got ${JSON.stringify(v)}.`);
  return v;
}
