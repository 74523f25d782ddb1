import type { FastifyInstance } from 'fastify';

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
    /**
     * For a catch-all route whose paths differ in what they need (the web UI's
     * fallback also catches unknown API paths): the permission of one request's URL.
     */
    permissionFor?: (url: string) => Permission;
  }
}

/** One registered route as `listRoutes` reports it; `permission` is undefined where a route forgot to declare one. */
export interface RouteEntry {
  method: string;
  url: string;
  permission: Permission | undefined;
}

const routeTables = new WeakMap<object, RouteEntry[]>();

/** Records every route added after this call (child plugins included), so tests can walk the route table. */
export function recordRoutes(app: FastifyInstance): void {
  const table: RouteEntry[] = [];
  routeTables.set(app, table);
  app.addHook('onRoute', (route) => {
    const permission = (route.config as { permission?: Permission } | undefined)?.permission;
    for (const method of [route.method].flat()) table.push({ method, url: route.url, permission });
  });
}

/** The routes recorded by `recordRoutes` on this app, one entry per method. */
export function listRoutes(app: FastifyInstance): RouteEntry[] {
  return [...(routeTables.get(app) ?? [])];
}
