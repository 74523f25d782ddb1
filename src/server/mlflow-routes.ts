import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Json } from '../tracking/mlflow-json.js';
import type { Permission } from './route-permission.js';

/** The prefixes MLflow serves its REST API under; the UI uses ajax-api, old clients the preview path. */
export const MLFLOW_PREFIXES = ['/api/2.0/mlflow', '/ajax-api/2.0/mlflow', '/api/2.0/preview/mlflow'] as const;

export interface MlflowRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path under the MLflow prefix, e.g. '/runs/get' or '/logged-models/:model_id'. */
  path: string;
  permission: Permission;
  /** Gets the request's fields (query for GET, JSON body otherwise, path params merged in) and returns the response body. */
  /** A string return is sent as it is (already-rendered JSON). */
  handler(input: Json, request: FastifyRequest, reply: FastifyReply): Promise<Json | string | void>;
  /** Also answer GET with the same handler (MLflow allows both for some searches). */
  alsoGet?: boolean;
}

/** Registers MLflow-protocol routes under every MLflow prefix. */
export function registerMlflowRoutes(app: FastifyInstance, routes: MlflowRoute[]): void {
  for (const prefix of MLFLOW_PREFIXES) {
    for (const route of routes) {
      const methods = route.alsoGet ? [route.method, 'GET' as const] : [route.method];
      app.route({
        method: methods,
        url: `${prefix}${route.path}`,
        config: { permission: route.permission },
        handler: async (request, reply) => {
          const source = request.method === 'GET' || request.method === 'DELETE' ? request.query : request.body;
          const input: Json = { ...((source && typeof source === 'object' && !Array.isArray(source) ? source : {}) as Json) };
          if (request.method === 'DELETE' && request.body && typeof request.body === 'object') Object.assign(input, request.body);
          Object.assign(input, request.params as Json);
          const out = await route.handler(input, request, reply);
          return reply.send(out ?? {});
        },
      });
    }
  }
}
