import type { FastifyInstance } from 'fastify';
import type { FerryServices } from '../../server/services.js';

/** The profile endpoints under /api/ferry/v1/data. */
export function registerProfileRoutes(_app: FastifyInstance, _services: FerryServices): void {}
