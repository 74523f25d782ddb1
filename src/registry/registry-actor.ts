import type { FastifyRequest } from 'fastify';
import type { Json } from '../tracking/mlflow-json.js';
import type { ChangeContext } from './registry-types.js';

/**
 * Who is making a registry change: the API token's name when auth is on;
 * otherwise the `user_id` the request names, or 'anonymous'.
 */
export function changeContext(request: FastifyRequest, input: Json): ChangeContext {
  if (request.principal) return { actor: request.principal.name };
  const userId = input.user_id;
  return { actor: typeof userId === 'string' && userId.trim() !== '' ? userId.slice(0, 256) : 'anonymous' };
}

/** The user a new model version is attributed to: the token's name, else the request's `user_id`. */
export function userIdOf(request: FastifyRequest, input: Json): string | null {
  if (request.principal) return request.principal.name;
  const userId = input.user_id;
  return typeof userId === 'string' && userId !== '' ? userId.slice(0, 256) : null;
}
