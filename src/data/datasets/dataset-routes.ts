import type { FastifyInstance } from 'fastify';
import type { FerryServices } from '../../server/services.js';

/** The datasets endpoints under /api/ferry/v1/data. */
export function registerDatasetRoutes(_app: FastifyInstance, _services: FerryServices): void {}
