import type { FastifyInstance } from 'fastify';
import type { FerryServices } from '../../server/services.js';
import type { ResolvedTable } from '../sources/data-source-resolver.js';
import { DuckDbEngine } from '../table/duckdb-engine.js';
import { renderDriftHtml } from './drift-html.js';
import { parseDriftRequest } from './drift-request.js';
import { detectFileDrift } from './file-drift.js';

export const DRIFT_PATH = '/api/ferry/v1/data/drift';

/**
 * `POST /api/ferry/v1/data/drift` compares two tables (`upload:ID` or
 * `datasets:/NAME/VERSION`) column by column with Evidently's tests and
 * answers the JSON report, or with `"format": "html"` the HTML page.
 * Every option is checked before a table is resolved or read.
 */
export function registerDriftRoutes(app: FastifyInstance, services: FerryServices): void {
  app.post(DRIFT_PATH, { config: { permission: 'read' } }, async (request, reply) => {
    const req = parseDriftRequest(request.body);
    const tables: ResolvedTable[] = [];
    try {
      tables.push(await services.data.sources.resolve(req.reference));
      tables.push(await services.data.sources.resolve(req.current));
      const [reference, current] = tables as [ResolvedTable, ResolvedTable];
      const engine = await DuckDbEngine.open();
      try {
        const { report, frames } = await detectFileDrift(
          engine,
          await engine.tableFile(reference.path, reference.format),
          await engine.tableFile(current.path, current.format),
          req.options,
          // Reports and messages name the references, never the server's paths.
          { labels: { reference: reference.ref, current: current.ref } },
        );
        if (req.format === 'html') return reply.type('text/html; charset=utf-8').send(renderDriftHtml(report, frames.reference, frames.current));
        return report;
      } finally {
        engine.close();
      }
    } finally {
      await Promise.all(tables.map((t) => t.release()));
    }
  });
}
