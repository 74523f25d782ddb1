import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where `npm run build` puts the web UI. From src/server (tsx) and from
 * dist/server (built) alike, two levels up is the package root.
 */
export const DEFAULT_UI_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'ui');

/** Paths that belong to APIs: an unknown one there must stay a 404 in its protocol's shape, never the UI's page. */
const API_PREFIXES = ['/api/', '/v2/', '/ajax-api/', '/health', '/version', '/metrics', '/invocations', '/ping'];
/** Under /models/ and /deployments/ only the inference endpoints are API; the rest are the UI's pages. */
const INFERENCE_PATH = /^\/(models|deployments)\/[^/]+\/(invocations|v2)(\/|$)/;

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ferry</title></head>
<body><main><h1>Ferry</h1>
<p>The web UI is not built. Run <code>npm run build</code> and restart <code>ferry server</code>.</p>
<p>The APIs are up: point MLflow clients at this server with <code>MLFLOW_TRACKING_URI</code>.</p>
</main></body></html>`;

export interface UiRoutesOptions {
  /** The built UI folder; defaults to dist/ui of this package. */
  root?: string;
}

function isApiPath(path: string): boolean {
  return API_PREFIXES.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p)) || INFERENCE_PATH.test(path);
}

/**
 * Serves the web UI at `/`: built files as they are, and index.html for every
 * other GET outside the API prefixes, so client-side routes survive a reload.
 * Public: the UI itself holds no data; it calls the APIs with the user's token.
 * Without a build, `/` says how to make one.
 */
export async function registerUiRoutes(app: FastifyInstance, options: UiRoutesOptions = {}): Promise<void> {
  const root = options.root ?? DEFAULT_UI_ROOT;
  const built = existsSync(join(root, 'index.html'));
  if (built) await app.register(fastifyStatic, { root, serve: false });

  const handler = async (request: { url: string }, reply: import('fastify').FastifyReply) => {
    let path: string;
    try {
      path = decodeURIComponent(request.url.split('?')[0] ?? '/');
    } catch {
      return reply.callNotFound();
    }
    if (isApiPath(path)) return reply.callNotFound();
    if (!built) return reply.type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    const file = normalize(join(root, path));
    if (file.startsWith(root + sep) && existsSync(file) && statSync(file).isFile()) {
      // Vite puts a content hash in asset names, so they never change under one URL.
      if (path.startsWith('/assets/')) return reply.sendFile(path.slice(1), { maxAge: 31_536_000_000, immutable: true });
      return reply.header('cache-control', 'no-cache').sendFile(path.slice(1), { cacheControl: false });
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  };
  app.get('/', { config: { permission: 'public' } }, handler);
  // An unknown API path caught here is answered like any unmatched request: a token first, then 404, so endpoints cannot be probed without one.
  app.get('/*', { config: { permission: 'public', permissionFor: (url) => (isApiPath(url.split('?')[0] ?? '/') ? 'read' : 'public') } }, handler);
}
