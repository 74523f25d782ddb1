import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type ConfigOverrides, type FerryConfig } from '../../src/config/config.js';
import { buildServer, type FerryServer } from '../../src/server/build-server.js';

export interface TestServer {
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  app: FerryServer;
  config: FerryConfig;
  /** The server's FERRY_HOME (database and artifacts), a temp folder unless `overrides.home` was given. */
  home: string;
  close(): Promise<void>;
}

/**
 * A real Ferry server listening on a free loopback port, with its own SQLite
 * database and artifact folder in a temp home. FERRY_* variables of the
 * shell are ignored, so they cannot change what a test means.
 */
export async function startTestServer(overrides: ConfigOverrides = {}): Promise<TestServer> {
  const home = overrides.home ?? (await mkdtemp(join(tmpdir(), 'ferry-test-')));
  const config = loadConfig({ logLevel: 'silent', ...overrides, home }, {});
  const app = await buildServer(config, { logger: false });
  try {
    await app.listen({ host: '127.0.0.1', port: 0 });
  } catch (err) {
    await app.close();
    throw err;
  }
  const { port } = app.server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    app,
    config,
    home,
    close: async () => {
      await app.close();
      if (overrides.home === undefined) await rm(home, { recursive: true, force: true });
    },
  };
}
