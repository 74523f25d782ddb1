import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '../../src/config/config.js';
import { buildServer, type FerryServer } from '../../src/server/build-server.js';
import { listRoutes } from '../../src/server/route-permission.js';

async function serverWithUi(home: string, root: string): Promise<FerryServer> {
  const app = await buildServer(loadConfig({ home, logLevel: 'silent' }, {}), { logger: false, uiRoot: root });
  await app.ready();
  return app;
}

describe('web UI routes', () => {
  let home: string;
  let built: FerryServer;
  let bare: FerryServer;

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'ferry-ui-routes-'));
    const root = join(home, 'ui');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html><title>Ferry UI</title><div id="root"></div>');
    await writeFile(join(root, 'assets', 'app-abc123.js'), 'console.log("ui")');
    built = await serverWithUi(join(home, 'a'), root);
    bare = await serverWithUi(join(home, 'b'), join(home, 'missing'));
  });

  after(async () => {
    await built?.close();
    await bare?.close();
    await rm(home, { recursive: true, force: true });
  });

  it('serves index.html at / and for client-side routes, so a reload keeps the page', async () => {
    for (const url of ['/', '/experiments/1?filter=metrics.loss%20%3C%201', '/runs/abc', '/compare?runs=a,b']) {
      const res = await built.inject({ method: 'GET', url });
      assert.equal(res.statusCode, 200, url);
      assert.match(res.headers['content-type'] as string, /text\/html/);
      assert.match(res.body, /Ferry UI/, url);
    }
  });

  it('serves built assets with a long cache lifetime', async () => {
    const res = await built.inject({ method: 'GET', url: '/assets/app-abc123.js' });
    assert.equal(res.statusCode, 200);
    assert.equal(res.body, 'console.log("ui")');
    assert.match(res.headers['cache-control'] as string, /immutable/);
  });

  it('keeps unknown API paths as 404s in their protocol shape, not the UI page', async () => {
    const mlflow = await built.inject({ method: 'GET', url: '/api/2.0/mlflow/nope' });
    assert.equal(mlflow.statusCode, 404);
    assert.equal(mlflow.json().error_code, 'ENDPOINT_NOT_FOUND');
    const ferry = await built.inject({ method: 'GET', url: '/api/ferry/v1/nope' });
    assert.equal(ferry.statusCode, 404);
    assert.equal(ferry.json().error.code, 'NOT_FOUND');
    assert.equal((await built.inject({ method: 'GET', url: '/v2/nope' })).statusCode, 404);
    assert.equal((await built.inject({ method: 'GET', url: '/health' })).body, 'OK');
  });

  it('does not serve files outside the UI folder', async () => {
    const res = await built.inject({ method: 'GET', url: '/..%2f..%2fetc%2fpasswd' });
    assert.doesNotMatch(res.body, /root:/);
  });

  it('says to run npm run build when the UI is not built', async () => {
    const res = await bare.inject({ method: 'GET', url: '/' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /npm run build/);
    assert.match((await bare.inject({ method: 'GET', url: '/experiments/1' })).body, /npm run build/);
  });

  it('declares a permission on every UI route', async () => {
    const ui = listRoutes(built).filter((r) => r.url === '/' || r.url === '/*');
    assert.ok(ui.length >= 2);
    for (const r of ui) assert.equal(r.permission, 'public', `${r.method} ${r.url}`);
  });
});
