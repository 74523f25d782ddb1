import type { FastifyInstance } from 'fastify';
import { tokenFrom } from './auth-hook.js';
import type { Role, TokenService } from './token-service.js';

export const WHOAMI_PATH = '/api/ferry/v1/auth/whoami';

/** Who the caller is, as `GET /api/ferry/v1/auth/whoami` answers. */
export type WhoAmI = { auth: true; name: string; role: Role } | { auth: boolean; anonymous: true; problem?: string };

/**
 * `GET /api/ferry/v1/auth/whoami`: the caller's token name and role, so a
 * client (the web UI) can hide what the role may not do. With auth off every
 * caller is anonymous and may do everything. Public, because a client asks
 * before it knows whether it needs a token; the route checks any token sent
 * itself, since the auth hook skips public routes. A bad token makes the
 * caller anonymous with a `problem` saying so, not a 401: a public route
 * never refuses, and the client can still show why its token failed.
 */
export function registerWhoamiRoutes(app: FastifyInstance, tokens: TokenService, authEnabled: boolean): void {
  app.get(WHOAMI_PATH, { config: { permission: 'public' } }, async (request): Promise<WhoAmI> => {
    if (!authEnabled) return { auth: false, anonymous: true };
    const secret = tokenFrom(request);
    if (!secret) return { auth: true, anonymous: true };
    const principal = await tokens.verify(secret);
    if (!principal) return { auth: true, anonymous: true, problem: 'Invalid or revoked API token. Create a new one with `ferry tokens create`.' };
    return { auth: true, name: principal.name, role: principal.role };
  });
}
