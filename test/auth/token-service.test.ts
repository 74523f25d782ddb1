import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { beforeEach, it } from 'node:test';
import { ROLES, TokenService } from '../../src/auth/token-service.js';
import { AlreadyExistsError, InvalidArgumentError, NotFoundError } from '../../src/errors.js';
import { describeEachDatabase } from '../helpers/test-databases.js';

describeEachDatabase('TokenService', (getDatabase) => {
  let now: number;
  let tokens: TokenService;
  let n = 0;
  /** Token names are unique per database, which each suite shares across its tests. */
  const name = (base: string) => `${base}-${++n}`;

  beforeEach(() => {
    now = 1_700_000_000_000;
    tokens = new TokenService(getDatabase(), () => now);
  });

  async function storedRows() {
    return getDatabase().db.selectFrom('api_tokens').selectAll().execute();
  }

  it('creates a prefixed 256-bit secret and returns its info', async () => {
    const tokenName = name('ci');
    const { token, info } = await tokens.create(tokenName, 'editor');
    assert.match(token, /^ferry_[A-Za-z0-9_-]{43}$/);
    assert.equal(info.name, tokenName);
    assert.equal(info.role, 'editor');
    assert.equal(info.createdAt, now);
    assert.equal(info.lastUsedAt, null);
    assert.equal(info.revokedAt, null);
    assert.match(info.tokenId, /^[0-9a-f]{16}$/);
  });

  it('stores only the SHA-256 of the secret, never the secret itself', async () => {
    const created = [];
    for (const role of ROLES) created.push(await tokens.create(name(`hash-${role}`), role));
    const rows = await storedRows();
    const dump = JSON.stringify(rows);
    for (const { token, info } of created) {
      assert.ok(!dump.includes(token), 'the secret is stored in clear');
      assert.ok(!dump.includes(token.slice('ferry_'.length)), 'the secret body is stored in clear');
      const row = rows.find((r) => r.token_id === info.tokenId)!;
      assert.equal(row.token_hash, createHash('sha256').update(token).digest('hex'));
    }
  });

  it('gives every token a different secret', async () => {
    const secrets = new Set<string>();
    for (let i = 0; i < 20; i++) secrets.add((await tokens.create(name('many'), 'viewer')).token);
    assert.equal(secrets.size, 20);
  });

  it('rejects an unknown role', async () => {
    await assert.rejects(tokens.create(name('r'), 'owner'), InvalidArgumentError);
    await assert.rejects(tokens.create(name('r'), ''), InvalidArgumentError);
  });

  it('rejects names that are empty, too long or have odd characters', async () => {
    for (const bad of ['', 'a'.repeat(101), 'has space', 'semi;colon', "quote'", 'new\nline', 'ünïcode']) {
      await assert.rejects(tokens.create(bad, 'viewer'), InvalidArgumentError, JSON.stringify(bad));
    }
    await tokens.create(`ok.name@host_${++n}-x`, 'viewer');
  });

  it('rejects a second token with the same name, even once the first is revoked', async () => {
    const tokenName = name('dup');
    await tokens.create(tokenName, 'viewer');
    await assert.rejects(tokens.create(tokenName, 'admin'), AlreadyExistsError);
    await tokens.revoke(tokenName);
    await assert.rejects(tokens.create(tokenName, 'admin'), AlreadyExistsError);
  });

  it('verifies a live token and returns who it is', async () => {
    const tokenName = name('live');
    const { token, info } = await tokens.create(tokenName, 'admin');
    const who = await tokens.verify(token);
    assert.equal(who?.tokenId, info.tokenId);
    assert.equal(who?.name, tokenName);
    assert.equal(who?.role, 'admin');
  });

  it('does not verify wrong, truncated, extended, unprefixed or oversized secrets', async () => {
    const { token } = await tokens.create(name('wrong'), 'admin');
    const body = token.slice('ferry_'.length);
    for (const bad of ['', 'ferry_', token.slice(0, -1), `${token}x`, body, `Ferry_${body}`, ` ${token}`, `ferry_${'a'.repeat(300)}`, token.toUpperCase()]) {
      assert.equal(await tokens.verify(bad), undefined, JSON.stringify(bad));
    }
  });

  it('revokes by name or by id, after which the token no longer verifies', async () => {
    const a = await tokens.create(name('rev-a'), 'editor');
    const b = await tokens.create(name('rev-b'), 'editor');
    now += 5;
    const revokedA = await tokens.revoke(a.info.name);
    assert.equal(revokedA.revokedAt, now);
    const revokedB = await tokens.revoke(b.info.tokenId);
    assert.equal(revokedB.tokenId, b.info.tokenId);
    assert.equal(await tokens.verify(a.token), undefined);
    assert.equal(await tokens.verify(b.token), undefined);
  });

  it('keeps the first revocation time when revoked again (idempotent)', async () => {
    const { info } = await tokens.create(name('twice'), 'viewer');
    const first = await tokens.revoke(info.name);
    now += 60_000;
    const second = await tokens.revoke(info.name);
    assert.equal(second.revokedAt, first.revokedAt);
    const listed = (await tokens.list()).find((t) => t.tokenId === info.tokenId);
    assert.equal(listed?.revokedAt, first.revokedAt);
  });

  it('fails to revoke an unknown token with NotFoundError', async () => {
    await assert.rejects(tokens.revoke('never-created'), NotFoundError);
  });

  it('revoking one token leaves the others working', async () => {
    const a = await tokens.create(name('keep-a'), 'viewer');
    const b = await tokens.create(name('keep-b'), 'viewer');
    await tokens.revoke(a.info.tokenId);
    assert.equal((await tokens.verify(b.token))?.tokenId, b.info.tokenId);
  });

  it('lists tokens in creation order without their secrets', async () => {
    now += 1_000_000;
    const first = await tokens.create(name('list-1'), 'viewer');
    now += 1;
    const second = await tokens.create(name('list-2'), 'admin');
    const list = await tokens.list();
    const ids = list.map((t) => t.tokenId);
    assert.ok(ids.indexOf(first.info.tokenId) < ids.indexOf(second.info.tokenId));
    assert.ok(!JSON.stringify(list).includes(first.token));
    for (const t of list) assert.deepEqual(Object.keys(t).sort(), ['createdAt', 'lastUsedAt', 'name', 'revokedAt', 'role', 'tokenId']);
  });

  it('records last use at most once a minute', async () => {
    const { token, info } = await tokens.create(name('touch'), 'viewer');
    const lastUsed = async () => (await tokens.list()).find((t) => t.tokenId === info.tokenId)!.lastUsedAt;
    assert.equal(await lastUsed(), null);
    const t0 = now;
    await tokens.verify(token);
    assert.equal(await lastUsed(), t0);
    now += 30_000;
    await tokens.verify(token);
    assert.equal(await lastUsed(), t0, 'touched again within a minute');
    now += 31_000;
    await tokens.verify(token);
    assert.equal(await lastUsed(), now);
  });

  it('verifies concurrently without errors', async () => {
    const { token, info } = await tokens.create(name('parallel'), 'editor');
    const results = await Promise.all(Array.from({ length: 50 }, () => tokens.verify(token)));
    assert.ok(results.every((r) => r?.tokenId === info.tokenId));
  });
});
