import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidArgumentError } from '../../errors.js';
import type { FerryServices } from '../../server/services.js';
import { parseResultFormat, parseSuite, parseSuiteText } from './suite-parser.js';
import type { ExpectationSuite } from './suite-types.js';
import { suggestSuiteForFile, validateFile } from './validate-file.js';

export const VALIDATE_PATH = '/api/ferry/v1/data/validate';
export const SUGGEST_PATH = '/api/ferry/v1/data/suggest';

/**
 * `POST /api/ferry/v1/data/validate` with
 * `{ source: "upload:ID" | "datasets:/NAME/VERSION", suite: <suite object or its YAML/JSON text>, result_format?: "SUMMARY" | … }`
 * answers GE's `ExpectationSuiteValidationResult` JSON (200 whether or not the
 * data passed; `success` says). The suite is checked before the source is
 * resolved, so a bad expectation is a 400 naming it.
 *
 * `POST /api/ferry/v1/data/suggest` with `{ source }` answers a drafted suite
 * (GE 1.x shape) from the table's profile.
 */
export function registerValidationRoutes(app: FastifyInstance, services: FerryServices): void {
  app.post(VALIDATE_PATH, { config: { permission: 'read' } }, async (request) => {
    const body = objectBody(request);
    const suite = suiteOf(body.suite);
    const resultFormat = body.result_format === undefined ? undefined : parseResultFormat(body.result_format);
    const table = await services.data.sources.resolve(body.source);
    try {
      return await validateFile(table.path, suite, { format: table.format, label: table.ref, resultFormat });
    } finally {
      await table.release();
    }
  });
  app.post(SUGGEST_PATH, { config: { permission: 'read' } }, async (request) => {
    const body = objectBody(request);
    if (body.name !== undefined && typeof body.name !== 'string') throw new InvalidArgumentError('name must be a string.');
    const table = await services.data.sources.resolve(body.source);
    try {
      return await suggestSuiteForFile(table.path, { format: table.format, label: table.ref, name: body.name as string | undefined });
    } finally {
      await table.release();
    }
  });
}

function objectBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidArgumentError('The request body must be a JSON object such as {"source": "upload:ID", "suite": {...}}.');
  }
  return body as Record<string, unknown>;
}

function suiteOf(value: unknown): ExpectationSuite {
  if (typeof value === 'string') return parseSuiteText(value, "the request's suite");
  if (value !== null && typeof value === 'object') return parseSuite(value, "the request's suite");
  throw new InvalidArgumentError("Give 'suite': a suite object ({\"expectations\": [...]}) or its YAML/JSON text.");
}
