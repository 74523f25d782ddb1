import type { FastifyInstance, FastifyRequest } from 'fastify';
import { PermissionDeniedError, UnauthenticatedError } from '../errors.js';
import type { Permission } from '../server/route-permission.js';
import type { ApiToken, Role, TokenService } from './token-service.js';

/** The lowest role that holds each permission. */
const REQUIRED_ROLE: Record<Exclude<Permission, 'public'>, Role> = { read: 'viewer', write: 'editor', admin: 'admin' };
const RANK: Record<Role, number> = { viewer: 1, editor: 2, admin: 3 };

export function roleAllows(role: Role, permission: Permission): boolean {
  return permission === 'public' || RANK[role] >= RANK[REQUIRED_ROLE[permission]];
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: ApiToken;
  }
}

/** Reads a token from `Authorization: Bearer <t>` or HTTP Basic (the password, or the user name if the password is empty). */
export function tokenFrom(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, value = ''] = header.split(' ', 2);
  if (scheme?.toLowerCase() === 'bearer') return value.trim();
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value.trim(), 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    const user = i < 0 ? decoded : decoded.slice(0, i);
    const password = i < 0 ? '' : decoded.slice(i + 1);
    return password || user;
  }
  return undefined;
}

/**
 * The one place access is checked. Every route declares `config.permission`;
 * a route without one is treated as admin-only, so a forgotten declaration
 * fails closed. A request no route matches needs any valid token, then gets 404.
 */
export function registerAuth(app: FastifyInstance, tokens: TokenService, enabled: boolean): void {
  if (!enabled) return;
  app.addHook('onRequest', async (request, reply) => {
    // No route matched: any valid token may learn that (404), rather than hear that a missing endpoint needs admin.
    const config = request.routeOptions.config;
    const permission: Permission = config?.permissionFor?.(request.url) ?? config?.permission ?? (request.is404 ? 'read' : 'admin');
    if (permission === 'public') return;
    const secret = tokenFrom(request);
    if (!secret) {
      // A script's fetch (the web UI's) gets a Bearer challenge: a Basic one makes the browser
      // open its own password prompt over the page, which blocks the UI's sign-in form.
      const scripted = request.headers['sec-fetch-mode'] !== undefined && request.headers['sec-fetch-mode'] !== 'navigate';
      reply.header('www-authenticate', scripted ? 'Bearer realm="ferry"' : 'Basic realm="ferry", charset="UTF-8"');
      throw new UnauthenticatedError('Authentication required: send an API token as `Authorization: Bearer <token>` (MLflow: set MLFLOW_TRACKING_TOKEN). Create one with `ferry tokens create`.');
    }
    const principal = await tokens.verify(secret);
    if (!principal) throw new UnauthenticatedError('Invalid or revoked API token. Create a new one with `ferry tokens create`.');
    if (!roleAllows(principal.role, permission)) {
      throw new PermissionDeniedError(`Permission denied: this needs the '${REQUIRED_ROLE[permission as Exclude<Permission, 'public'>]}' role; token '${principal.name}' has '${principal.role}'.`);
    }
    request.principal = principal;
  });
}
