import type { FastifyRequest } from 'fastify';
import { InvalidArgumentError } from '../../errors.js';
import { changeContext } from '../registry-actor.js';
import type { GovernanceActor } from './governance-types.js';

/**
 * Who is acting, and whether as an admin. With auth on that is the token:
 * its name, and role `admin`. With auth off nobody is verified and every
 * route is open, so the caller (the `user_id` it names, else 'anonymous')
 * counts as an admin here too: approvals mean something only with auth on.
 */
export function governanceActor(request: FastifyRequest, body: Record<string, unknown> = {}): GovernanceActor {
  if (request.principal) return { actor: request.principal.name, admin: request.principal.role === 'admin' };
  return { actor: changeContext(request, body).actor, admin: true };
}

/** The JSON object body of a request; an absent body is an empty object. */
export function objectBody(request: FastifyRequest): Record<string, unknown> {
  const body = request.body ?? {};
  if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidArgumentError('The request body must be a JSON object.');
  return body as Record<string, unknown>;
}

/** Path parameters as Fastify decoded them. */
export function params(request: FastifyRequest): Record<string, string> {
  return request.params as Record<string, string>;
}

/** Where Ferry's own governance routes live. */
export const GOVERNANCE_PREFIX = '/api/ferry/v1';
