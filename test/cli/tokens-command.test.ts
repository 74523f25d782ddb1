import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { UnauthenticatedError } from '../../src/errors.js';
import { Ferry } from '../../src/sdk/ferry-client.js';
import { ferryCli, ferryJson } from '../helpers/ferry-cli.js';
import { startTestServer } from '../helpers/test-server.js';

describe('ferry tokens', () => {
  let home: string;

  before(async () => {
    home = await mkdtemp(join(tmpdir(), 'ferry-tokens-'));
  });
  after(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('says how to start when there are no tokens', async () => {
    const r = await ferryCli(['tokens', 'list', '--home', home]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /No tokens yet.*ferry tokens create --name admin --role admin/);
  });

  it('creates a token, prints the secret once with an MLflow hint, and the server accepts it', async () => {
    const r = await ferryCli(['tokens', 'create', '--name', 'admin', '--role', 'admin', '--home', home]);
    assert.equal(r.code, 0, r.stderr);
    const secret = /^\s+(ferry_\S+)$/m.exec(r.stdout)?.[1];
    assert.ok(secret, r.stdout);
    assert.match(r.stdout, new RegExp(`MLFLOW_TRACKING_TOKEN=${secret}`));

    const server = await startTestServer({ home, auth: true });
    try {
      assert.equal((await new Ferry({ url: server.url, token: secret }).experiments.get('0')).name, 'Default');
      await assert.rejects(new Ferry({ url: server.url, token: '' }).experiments.get('0'), UnauthenticatedError);
    } finally {
      await server.close();
    }
  });

  it('lists tokens without secrets, as a table or JSON', async () => {
    await ferryJson(['tokens', 'create', '--name', 'ci', '--role', 'editor', '--home', home]);
    const r = await ferryCli(['tokens', 'list', '--home', home]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAME\s+ID\s+ROLE\s+STATUS\s+CREATED\s+LAST USED\n/);
    assert.match(r.stdout, /\nci\s+\w+\s+editor\s+active\s/);
    assert.doesNotMatch(r.stdout, /ferry_/);
    const list = await ferryJson<Array<{ name: string; role: string; revokedAt: number | null }>>(['tokens', 'list', '--home', home]);
    assert.deepEqual(list.map((t) => [t.name, t.role]), [
      ['admin', 'admin'],
      ['ci', 'editor'],
    ]);
  });

  it('revokes a token by name, after which the server refuses it', async () => {
    const { token, tokenId } = await ferryJson<{ token: string; tokenId: string }>(['tokens', 'create', '--name', 'short-lived', '--role', 'viewer', '--home', home]);
    const server = await startTestServer({ home, auth: true });
    try {
      const ferry = new Ferry({ url: server.url, token });
      await ferry.experiments.get('0');
      const r = await ferryCli(['tokens', 'revoke', 'short-lived', '--home', home]);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, `Revoked token 'short-lived' (id ${tokenId}).\n`);
      await assert.rejects(ferry.experiments.get('0'), UnauthenticatedError);
    } finally {
      await server.close();
    }
    const list = await ferryJson<Array<{ name: string; revokedAt: number | null }>>(['tokens', 'list', '--home', home]);
    assert.ok(list.find((t) => t.name === 'short-lived')!.revokedAt);
  });

  it('reports bad input in one line', async () => {
    const dupe = await ferryCli(['tokens', 'create', '--name', 'admin', '--role', 'admin', '--home', home]);
    assert.equal(dupe.code, 1);
    assert.match(dupe.stderr, /^error: A token named 'admin' already exists/);
    const role = await ferryCli(['tokens', 'create', '--name', 'x', '--role', 'root', '--home', home]);
    assert.equal(role.code, 1);
    assert.match(role.stderr, /^error: Invalid role 'root'/);
    const missing = await ferryCli(['tokens', 'revoke', 'nobody', '--home', home]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: No token named 'nobody'/);
  });
});
