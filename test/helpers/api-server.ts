import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ConfigOverrides } from '../../src/config/config.js';
import { buildServer, type FerryServer } from '../../src/server/build-server.js';
import type { TestDatabaseKind } from './test-database-urls.js';

export interface ApiHarness {
  app: FerryServer;
  /** Calls an MLflow endpoint in-process; returns status and parsed JSON body. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/**
 * `ApiHarness.call` over any built app: GET bodies become the query string
 * (lists as repeated keys), others JSON; answers parsed as JSON when they are.
 */
export function injectCall(app: FerryServer): ApiHarness['call'] {
  return async (method, path, body, headers = {}) => {
    const isGet = method === 'GET';
    let url = path;
    if (isGet && body && typeof body === 'object') {
      const qs = new URLSearchParams();
      for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
        if (Array.isArray(v)) v.forEach((x) => qs.append(k, String(x)));
        else if (v !== undefined) qs.append(k, String(v));
      }
      url = `${path}?${qs}`;
    }
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers: { ...(isGet || body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      payload: isGet || body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    let parsed: unknown = res.body;
    try {
      parsed = JSON.parse(res.body);
    } catch {
      // non-JSON bodies (artifact downloads) are returned as text
    }
    return { status: res.statusCode, body: parsed };
  };
}

/** An in-process server (inject, no socket) on a fresh database of `kind` and a temp artifact folder. */
export async function openApiHarness(kind: TestDatabaseKind, overrides: ConfigOverrides = {}): Promise<ApiHarness> {
  const home = await mkdtemp(join(tmpdir(), 'ferry-api-'));
  const db = await kind.create();
  const app = await buildServer(loadConfig({ home, databaseUrl: db.url, logLevel: 'silent', ...overrides }), { logger: false });
  await app.ready();
  return {
    app,
    call: injectCall(app),
    close: async () => {
      await app.close();
      await db.cleanup();
      await rm(home, { recursive: true, force: true });
    },
  };
}
