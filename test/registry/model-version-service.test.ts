import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { testDatabaseKinds, type TestDatabaseUrl } from '../helpers/test-database-urls.js';
import { cleanEnv, freePort, spawnCli, stopProcess, waitForHealth, type CliProcess } from '../helpers/server-process.js';

const API = '/api/2.0/mlflow';
const CREATES = 60;

/**
 * Version numbers are allocated under the registered model's write lock, so
 * creates from several server processes sharing one database never collide:
 * here two `ferry server` processes take turns on one model.
 */
for (const kind of testDatabaseKinds()) {
  describe(`ModelVersionService (${kind.name})`, () => {
    describe('.create across processes', () => {
      let home: string;
      let db: TestDatabaseUrl;
      const servers: Array<{ proc: CliProcess; base: string }> = [];

      before(async () => {
        home = await mkdtemp(join(tmpdir(), 'ferry-mv-'));
        // Two processes need a database they can both open: a file for SQLite, a schema for PostgreSQL.
        db = kind.name === 'sqlite' ? { url: `sqlite:${join(home, 'shared.db')}`, cleanup: async () => undefined } : await kind.create();
        for (let i = 0; i < 2; i++) {
          const port = await freePort();
          const proc = spawnCli(
            ['server', '--home', join(home, `h${i}`), '--database-url', db.url, '--artifacts-url', `file://${join(home, 'artifacts')}`, '--port', String(port), '--log-level', 'warn'],
            cleanEnv(),
          );
          const base = `http://127.0.0.1:${port}`;
          await waitForHealth(base, proc, 60_000);
          servers.push({ proc, base });
        }
      });
      after(async () => {
        for (const s of servers) await stopProcess(s.proc);
        await db?.cleanup();
        await rm(home, { recursive: true, force: true });
      });

      async function post(base: string, path: string, body: unknown): Promise<{ status: number; body: any }> {
        const res = await fetch(`${base}${API}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: res.status, body: await res.json() };
      }

      it(`numbers ${CREATES} concurrent creates from two servers 1…${CREATES} without a gap or a duplicate`, async () => {
        const name = `shared-${Date.now()}`;
        assert.equal((await post(servers[0]!.base, '/registered-models/create', { name })).status, 200);
        const results = await Promise.all(
          Array.from({ length: CREATES }, (_, i) => post(servers[i % 2]!.base, '/model-versions/create', { name, source: `s3://bucket/model-${i}` })),
        );
        for (const r of results) assert.equal(r.status, 200, JSON.stringify(r.body));
        const numbers = results.map((r) => Number(r.body.model_version.version)).sort((a, b) => a - b);
        assert.deepEqual(numbers, Array.from({ length: CREATES }, (_, i) => i + 1));
        // Each source got exactly the number its response named.
        const res = await fetch(`${servers[1]!.base}${API}/model-versions/search?${new URLSearchParams({ filter: `name = '${name}'`, max_results: '1000' })}`);
        const stored = new Map(((await res.json()) as any).model_versions.map((v: any) => [v.source, v.version]));
        for (const r of results) assert.equal(stored.get(r.body.model_version.source), r.body.model_version.version);
        const audit = await fetch(`${servers[0]!.base}/api/ferry/v1/audit?${new URLSearchParams({ model: name, max_results: '1000' })}`);
        const entries = ((await audit.json()) as any).entries.filter((e: any) => e.entityType === 'model_version' && e.action === 'create');
        assert.deepEqual(entries.map((e: any) => e.entityVersion).sort((a: number, b: number) => a - b), numbers);
      });
    });
  });
}
