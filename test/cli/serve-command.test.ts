import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultServedName } from '../../src/server/build-serve-server.js';
import { openApiHarness, type ApiHarness } from '../helpers/api-server.js';
import { buildLinearModel, linearReference } from '../helpers/onnx-builder.js';
import { cleanEnv, freePort, spawnCli, waitForHealth, type CliProcess } from '../helpers/server-process.js';
import { assertClose, packageFiles, registerPackage, setAlias } from '../serving/serving-fixtures.js';

const MODEL = { inputs: 3, outputs: 2 };

describe('ferry serve', () => {
  let home: string;
  let seed: ApiHarness;
  let env: NodeJS.ProcessEnv;
  const running: CliProcess[] = [];

  /** Starts `ferry serve <args>` on a free port and waits until it answers. */
  const serve = async (args: string[]) => {
    const port = await freePort();
    const proc = spawnCli(['serve', ...args, '--port', String(port), '--log-level', 'silent'], env);
    running.push(proc);
    const base = `http://127.0.0.1:${port}`;
    await waitForHealth(base, proc, 30_000);
    return { base, proc };
  };
  const post = async (url: string, body: unknown, contentType = 'application/json'): Promise<{ status: number; body: any }> => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: res.status, body: (res.headers.get('content-type') ?? '').startsWith('application/json') ? await res.json() : await res.text() };
  };

  before(async () => {
    // A registry in a temp FERRY_HOME, seeded in-process; the served replica opens the same database and artifact folder.
    home = await mkdtemp(join(tmpdir(), 'ferry-serve-'));
    const databaseUrl = `sqlite:${join(home, 'ferry.db')}`;
    seed = await openApiHarness({ name: 'sqlite', create: async () => ({ url: databaseUrl, cleanup: async () => undefined }) }, { home });
    const v = await registerPackage(seed, 'scorer', packageFiles(buildLinearModel(MODEL)));
    await setAlias(seed, 'scorer', 'production', v);
    const { config } = seed.app.services;
    env = cleanEnv({ FERRY_HOME: home, FERRY_DATABASE_URL: config.databaseUrl, FERRY_ARTIFACTS_URL: config.artifactsUrl });
  });
  after(async () => {
    for (const p of running) {
      if (p.child.exitCode === null) p.child.kill('SIGTERM');
      await p.exited;
    }
    await seed.close();
    await rm(home, { recursive: true, force: true });
  });

  it('serves a registered model by alias over /invocations and /v2, with probes and metrics', async () => {
    const { base, proc } = await serve(['models:/scorer@production', '--max-batch-size', '8']);
    assert.match(proc.stdout(), /Serving model 'scorer' version 1/);
    const rows = [
      [1, 2, 3],
      [-1, 0.5, 2],
    ];
    const expected = linearReference(rows, MODEL);

    const mlflow = await post(`${base}/invocations`, { inputs: rows });
    assert.equal(mlflow.status, 200, JSON.stringify(mlflow.body));
    assertClose(mlflow.body.predictions.y.flat(), expected.flat(), 1e-5);

    const csv = await post(`${base}/invocations`, 'a,b,c\n1,2,3\n-1,0.5,2\n', 'text/csv');
    assert.equal(csv.status, 200, JSON.stringify(csv.body));
    assertClose(csv.body.predictions.flatMap((p: any) => p.y), expected.flat(), 1e-5);

    const oip = await post(`${base}/v2/models/scorer/infer`, { inputs: [{ name: 'x', datatype: 'FP32', shape: [2, 3], data: rows.flat() }] });
    assert.equal(oip.status, 200, JSON.stringify(oip.body));
    assert.equal(oip.body.model_version, '1');
    assertClose(oip.body.outputs[0].data, expected.flat(), 1e-5);

    const bad = await post(`${base}/invocations`, { inputs: [[1, 2]] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error_code, 'BAD_REQUEST');

    for (const path of ['/ping', '/health', '/version', '/v2/health/ready']) assert.equal((await fetch(`${base}${path}`)).status, 200, path);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /ferry_serving_requests_total\{model="scorer",version="1",protocol="mlflow",code="200"\} 2/);
    assert.match(metrics, /ferry_serving_requests_total\{model="scorer",version="1",protocol="oip",code="200"\} 1/);
  });

  it('serves under --name', async () => {
    const { base } = await serve(['models:/scorer/1', '--name', 'fraud']);
    const r = await post(`${base}/v2/models/fraud/infer`, { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  });

  it('exits non-zero for a model the registry does not have', async () => {
    const proc = spawnCli(['serve', 'models:/missing@production', '--port', String(await freePort()), '--log-level', 'silent'], env);
    running.push(proc);
    const { code } = await proc.exited;
    assert.notEqual(code, 0);
    assert.match(proc.stderr(), /missing/);
  });

  it('refuses a non-loopback bind without auth, as ferry server does', async () => {
    const proc = spawnCli(['serve', 'models:/scorer/1', '--host', '0.0.0.0', '--port', String(await freePort())], env);
    running.push(proc);
    const { code } = await proc.exited;
    assert.notEqual(code, 0);
    assert.match(proc.stderr(), /without authentication/);
  });

  it('refuses a database whose schema was never created, rather than migrating it', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'ferry-serve-empty-'));
    try {
      const proc = spawnCli(['serve', 'models:/scorer/1', '--port', String(await freePort())], cleanEnv({ FERRY_HOME: empty }));
      running.push(proc);
      const { code } = await proc.exited;
      assert.notEqual(code, 0);
      assert.match(proc.stderr(), /no Ferry schema/);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  describe('defaultServedName', () => {
    it('takes the registered model name, or the directory name', () => {
      assert.equal(defaultServedName('models:/fraud@production'), 'fraud');
      assert.equal(defaultServedName('models:/fraud/3'), 'fraud');
      assert.equal(defaultServedName('/srv/models/churn/'), 'churn');
    });
  });
});
