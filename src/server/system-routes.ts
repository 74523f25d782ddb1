import type { FastifyInstance } from 'fastify';
import { FERRY_VERSION } from '../version.js';

/** Liveness and version endpoints that MLflow's clients and load balancers probe. */
export function registerSystemRoutes(app: FastifyInstance): void {
  app.get('/health', { config: { permission: 'public' } }, async (_req, reply) => reply.type('text/plain').send('OK'));
  app.get('/version', { config: { permission: 'public' } }, async (_req, reply) => reply.type('text/plain').send(FERRY_VERSION));
  app.get('/api/ferry/v1/health', { config: { permission: 'public' } }, async () => ({ status: 'ok', version: FERRY_VERSION }));
}
