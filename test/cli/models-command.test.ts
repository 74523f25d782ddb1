import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { cardPath, quoteFilter } from '../../src/cli/commands/models-command.js';
import { ferryCli, ferryJson } from '../helpers/ferry-cli.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { harnessOf } from '../registry/lineage-fixtures.js';
import { registryClient, type RegistryClient } from '../registry/registry-fixtures.js';

describe('ferry models', () => {
  let server: TestServer;
  let env: Record<string, string>;
  let c: RegistryClient;
  let runId: string;

  before(async () => {
    server = await startTestServer();
    env = { FERRY_URL: server.url };
    c = registryClient(harnessOf(server.app));
    runId = (await c.buildRun()).runId;
    await c.createModel('fraud', { description: 'card fraud scorer', tags: [{ key: 'team', value: 'risk' }] });
    await c.createVersion('fraud', `runs:/${runId}/model`);
    await c.createVersion('fraud', `runs:/${runId}/model`);
    await c.ok('POST', '/registered-models/alias', { name: 'fraud', alias: 'champion', version: '1' });
    await c.createModel('churn');
  });
  after(async () => {
    await server.close();
  });

  describe('list', () => {
    it('lists registered models as a table', async () => {
      const r = await ferryCli(['models', 'list'], env);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split('\n');
      assert.match(lines[0]!, /^NAME\s+LATEST\s+ALIASES\s+UPDATED\s+DESCRIPTION$/);
      assert.ok(lines.some((l) => /^fraud\s+v2\s+@champion→v1\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+card fraud scorer$/.test(l)), r.stdout);
      assert.ok(lines.some((l) => /^churn\s+-\s/.test(l)), r.stdout);
    });

    it('filters, with --json', async () => {
      const models = await ferryJson<Array<{ name: string; aliases: unknown[] }>>(['models', 'list', '--filter', "name LIKE 'fr%'"], env);
      assert.deepEqual(models.map((m) => m.name), ['fraud']);
      assert.deepEqual(models[0]!.aliases, [{ alias: 'champion', version: 1 }]);
    });
  });

  describe('show', () => {
    it("prints the model's fields and its versions, newest first", async () => {
      const r = await ferryCli(['models', 'show', 'fraud'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /description\s+card fraud scorer\n/);
      assert.match(r.stdout, /tags\s+team=risk\n/);
      assert.match(r.stdout, /Versions\nVERSION\s+ALIASES\s+STAGE\s+STATUS\s+RUN ID\s+CREATED\s+SOURCE\n2\s+None\s+READY\s+/);
      assert.match(r.stdout, new RegExp(`\\n1\\s+@champion\\s+None\\s+READY\\s+${runId}\\s+`));
    });

    it('prints { model, versions } with --json', async () => {
      const out = await ferryJson<{ model: { name: string }; versions: Array<{ version: number }> }>(['models', 'show', 'fraud'], env);
      assert.equal(out.model.name, 'fraud');
      assert.deepEqual(out.versions.map((v) => v.version), [2, 1]);
    });

    it('fails in one line for an unknown model', async () => {
      const r = await ferryCli(['models', 'show', 'nope'], env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error: Registered Model with name=nope not found\n$/);
    });
  });

  describe('register', () => {
    it('creates the model when needed, then numbered versions', async () => {
      const r = await ferryCli(['models', 'register', `runs:/${runId}/model`, '--name', 'fresh', '--tag', 'owner=ana', '--description', 'first'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `Registered model 'fresh' version 1 from runs:/${runId}/model (run ${runId}).\n`);
      const v2 = await ferryJson<{ version: number; runId: string; tags: unknown[] }>(['models', 'register', `runs:/${runId}/model`, '--name', 'fresh'], env);
      assert.equal(v2.version, 2);
      assert.equal(v2.runId, runId);
      const v1 = await c.ok('GET', '/model-versions/get', { name: 'fresh', version: '1' });
      assert.deepEqual(v1.model_version.tags, [{ key: 'owner', value: 'ana' }]);
      assert.equal(v1.model_version.description, 'first');
    });

    it('refuses an unknown run and a malformed --tag in one line', async () => {
      const r = await ferryCli(['models', 'register', `runs:/${'0'.repeat(32)}/model`, '--name', 'fresh'], env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error: Run with id=0+ not found\n$/);
      const tag = await ferryCli(['models', 'register', `runs:/${runId}/model`, '--name', 'fresh', '--tag', 'novalue'], env);
      assert.notEqual(tag.code, 0);
      assert.match(tag.stderr, /--tag wants key=value/);
    });
  });

  describe('alias', () => {
    it('sets, shows, moves and deletes an alias', async () => {
      let r = await ferryCli(['models', 'alias', 'fraud', 'challenger', '2'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "Alias 'challenger' of model 'fraud' now points at version 2.\n");
      r = await ferryCli(['models', 'alias', 'fraud', 'challenger'], env);
      assert.equal(r.stdout, 'fraud@challenger → version 2\n');
      const moved = await ferryJson<{ version: number }>(['models', 'alias', 'fraud', 'challenger', '1'], env);
      assert.equal(moved.version, 1);
      r = await ferryCli(['models', 'alias', 'fraud', 'challenger', '--delete'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "Removed alias 'challenger' from model 'fraud'.\n");
      const gone = await ferryCli(['models', 'alias', 'fraud', 'challenger'], env);
      assert.equal(gone.code, 1);
      assert.match(gone.stderr, /^error: Registered model alias challenger not found\.\n$/);
    });

    it('refuses a version that is not a number, or one that does not exist', async () => {
      const r = await ferryCli(['models', 'alias', 'fraud', 'x', 'two'], env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /VERSION must be a version number/);
      const missing = await ferryCli(['models', 'alias', 'fraud', 'x', '9'], env);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /not found/);
    });
  });

  describe('card', () => {
    let fake: Server;
    let fakeUrl: string;

    before(async () => {
      // Stands in for the governance domain's card endpoint, in each answer shape the CLI reads.
      fake = createServer((req, res) => {
        const json = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        const path = req.url?.split('?')[0];
        if (path === cardPath('md', '1')) {
          res.writeHead(200, { 'content-type': 'text/markdown; charset=utf-8' });
          res.end('# md v1\n\nIntended use: tests.\n');
        } else if (path === cardPath('js', '1')) json(200, { card: { name: 'js', version: 1, format: req.url?.includes('format=json') ? 'json' : 'default' }, markdown: '# js v1' });
        else if (path === cardPath('gone', '1')) json(404, { error: { code: 'NOT_FOUND', message: 'Model Version (name=gone, version=1) not found' } });
        else json(404, { error: { code: 'NOT_FOUND', message: `No endpoint GET ${req.url}: Ferry does not implement it yet, or the path is misspelled.` } });
      });
      await new Promise<void>((resolve) => fake.listen(0, '127.0.0.1', resolve));
      fakeUrl = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
    });
    after(async () => {
      await new Promise((resolve) => fake.close(resolve));
    });

    it('prints a Markdown card as it comes, or the markdown of a JSON one', async () => {
      const md = await ferryCli(['models', 'card', 'md', '1'], { FERRY_URL: fakeUrl });
      assert.equal(md.code, 0, md.stderr);
      assert.equal(md.stdout, '# md v1\n\nIntended use: tests.\n');
      const js = await ferryCli(['models', 'card', 'js', '1'], { FERRY_URL: fakeUrl });
      assert.equal(js.stdout, '# js v1\n');
      const raw = await ferryJson<{ card: { name: string; format: string }; markdown: string }>(['models', 'card', 'js', '1'], { FERRY_URL: fakeUrl });
      assert.deepEqual(raw.card, { name: 'js', version: 1, format: 'json' });
      assert.equal(raw.markdown, '# js v1');
    });

    it("prints the real server's generated card", async () => {
      const r = await ferryCli(['models', 'card', 'fraud', '1'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /fraud/);
      assert.match(r.stdout, /^#/m);
    });

    it('says when the server has no model cards, and passes on an unknown version', async () => {
      const r = await ferryCli(['models', 'card', 'other', '1'], { FERRY_URL: fakeUrl });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error: This server does not serve model cards yet \(GET \/api\/ferry\/v1\/models\/other\/versions\/1\/card answered 404\)/);
      const gone = await ferryCli(['models', 'card', 'gone', '1'], { FERRY_URL: fakeUrl });
      assert.equal(gone.code, 1);
      assert.equal(gone.stderr, 'error: Model Version (name=gone, version=1) not found\n');
    });
  });

  it('explains each subcommand with examples in --help', async () => {
    const top = await ferryCli(['models', '--help'], env);
    assert.equal(top.code, 0);
    for (const sub of ['list', 'show', 'register', 'alias', 'lineage', 'card', 'promote', 'approve', 'reject']) assert.match(top.stdout, new RegExp(`\\n  ${sub}\\b`));
    const register = await ferryCli(['models', 'register', '--help'], env);
    assert.match(register.stdout, /Examples:\n\s+\$ ferry models register runs:\//);
  });

  it('quotes filter strings as MLflow reads them', () => {
    assert.equal(quoteFilter("o'brien"), "'o''brien'");
  });
});
