import type { FastifyInstance } from 'fastify';
import type { FerryServices } from '../../server/services.js';

/** The validation endpoints under /api/ferry/v1/data. */
export function registerValidationRoutes(_app: FastifyInstance, _services: FerryServices): void {}
