import type { FastifyInstance } from 'fastify';
import type { FerryServices } from '../../server/services.js';

/** The drift endpoints under /api/ferry/v1/data. */
export function registerDriftRoutes(_app: FastifyInstance, _services: FerryServices): void {}
