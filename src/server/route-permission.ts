/**
 * What a route needs from the caller's role when auth is on. Every route
 * declares one in its `config.permission`; the auth hook is the only reader.
 */
export type Permission = 'public' | 'read' | 'write' | 'admin';

export interface RouteConfig {
  permission: Permission;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    permission?: Permission;
  }
}
