import type { FastifyInstance } from 'fastify';

/** One (method, url) pair as Fastify registered it, e.g. `GET /api/2.0/mlflow/logged-models/:model_id`. */
export interface RoutePair {
  method: string;
  url: string;
}

/**
 * Every (method, url) the app answers, read from `printRoutes({ commonPrefix: false })`.
 * That tree splits a path where two routes share a prefix and indents the rest
 * beneath it, four characters a level, so a line's full url is its parents' urls joined.
 * Wildcard routes print wrongly (find-my-way drops the '/' before `*` and may fold
 * several into one `* (POST)` line), so entries containing `*` are left out.
 */
export function printedRoutes(app: FastifyInstance): RoutePair[] {
  const out: RoutePair[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const url = (stack[depth - 1] ?? '') + m[2]!;
    stack.push(url);
    if (m[3] && !url.includes('*')) for (const method of m[3].split(', ')) out.push({ method, url });
  }
  return out;
}

/** A request url for a route pattern: `:param` and `*` replaced by the given values. */
export function concreteUrl(url: string, param = 'x', wildcard = 'x'): string {
  return url.replace(/:[A-Za-z_]+/g, param).replace(/\*$/, wildcard);
}

export const pairKey = (r: RoutePair): string => `${r.method} ${r.url}`;
