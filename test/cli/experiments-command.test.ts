import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Ferry } from '../../src/sdk/ferry-client.js';
import { ferryCli, ferryJson } from '../helpers/ferry-cli.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

describe('ferry experiments', () => {
  let server: TestServer;
  let env: Record<string, string>;

  before(async () => {
    server = await startTestServer();
    env = { FERRY_URL: server.url };
  });
  after(async () => {
    await server.close();
  });

  describe('create', () => {
    it('creates an experiment with tags and prints its id', async () => {
      const r = await ferryCli(['experiments', 'create', 'cli-exp', '--tag', 'team=ml', '--tag', 'owner=ana'], env);
      assert.equal(r.code, 0, r.stderr);
      const id = /with id (\d+)/.exec(r.stdout)?.[1];
      assert.ok(id, r.stdout);
      const e = await new Ferry({ url: server.url }).experiments.get(id);
      assert.equal(e.name, 'cli-exp');
      assert.deepEqual(e.tags.map((t) => `${t.key}=${t.value}`).sort(), ['owner=ana', 'team=ml']);
    });

    it('fails with one clear line for a taken name', async () => {
      await ferryJson(['experiments', 'create', 'taken'], env);
      const r = await ferryCli(['experiments', 'create', 'taken'], env);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error: .*already exists.*\n$/);
    });
  });

  describe('list', () => {
    it('prints an aligned table', async () => {
      const r = await ferryCli(['experiments', 'list', '--url', server.url]);
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.trimEnd().split('\n');
      assert.match(lines[0]!, /^\s*ID\s+NAME\s+ARTIFACT LOCATION\s+CREATED$/);
      assert.ok(lines.some((l) => /^\s*0\s+Default\s+mlflow-artifacts:\/0/.test(l)));
    });

    it('prints JSON with --json and honours --filter and --view', async () => {
      await ferryJson(['experiments', 'create', 'json-a'], env);
      const list = await ferryJson<Array<{ name: string; lifecycleStage: string }>>(['experiments', 'list', '--filter', "name = 'json-a'"], env);
      assert.deepEqual(list.map((e) => e.name), ['json-a']);
      assert.equal(list[0]!.lifecycleStage, 'active');
    });
  });

  describe('delete', () => {
    it('deletes by name or by id', async () => {
      const a = await ferryJson<{ experimentId: string }>(['experiments', 'create', 'del-by-name'], env);
      const b = await ferryJson<{ experimentId: string }>(['experiments', 'create', 'del-by-id'], env);
      const r = await ferryCli(['experiments', 'delete', 'del-by-name'], env);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`Deleted experiment 'del-by-name' \\(id ${a.experimentId}\\)`));
      assert.equal((await ferryJson(['experiments', 'delete', b.experimentId], env)).name, 'del-by-id');
      const deleted = await ferryJson<Array<{ name: string }>>(['experiments', 'list', '--view', 'deleted'], env);
      assert.deepEqual(deleted.map((e) => e.name).sort(), ['del-by-id', 'del-by-name']);
    });

    it('says so when nothing matches', async () => {
      const r = await ferryCli(['experiments', 'delete', 'no-such-thing'], env);
      assert.equal(r.code, 1);
      assert.equal(r.stderr, "error: No experiment with id or name 'no-such-thing'.\n");
    });
  });
});
