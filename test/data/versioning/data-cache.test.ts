import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { DataCache } from '../../../src/data/versioning/data-cache.js';
import { ConflictError, NotFoundError } from '../../../src/errors.js';
import { makeProject, sha256, type TestProject } from './versioning-fixtures.js';

describe('DataCache', () => {
  let p: TestProject;
  let cache: DataCache;
  before(async () => {
    p = await makeProject();
    cache = new DataCache(join(p.root, '.ferry', 'cache'));
  });
  after(() => p.cleanup());

  it('stores bytes once under sha256/<2>/<62> and reads them back verified', async () => {
    const digest = await cache.putBytes(Buffer.from('manifest'));
    assert.equal(digest, sha256('manifest'));
    assert.equal(await cache.putBytes(Buffer.from('manifest')), digest);
    assert.ok(cache.blobPath(digest).endsWith(join('sha256', digest.slice(7, 9), digest.slice(9))));
    assert.deepEqual(await cache.readVerified(digest), Buffer.from('manifest'));
    await assert.rejects(cache.readVerified(sha256('absent')), NotFoundError);
  });

  it('reports a corrupt blob on read with its path and digest', async () => {
    const digest = await cache.putBytes(Buffer.from('good'));
    chmodSync(cache.blobPath(digest), 0o644);
    writeFileSync(cache.blobPath(digest), 'evil');
    await assert.rejects(cache.readVerified(digest), (err: Error) => err instanceof ConflictError && err.message.includes(cache.blobPath(digest)) && err.message.includes(digest));
  });

  it('keeps nothing of a download that breaks off or does not match', async () => {
    const digest = sha256('complete body');
    const broken = Readable.from(
      (async function* () {
        yield Buffer.from('complete');
        throw new Error('connection reset');
      })(),
    );
    await assert.rejects(cache.receive(digest, broken, 'test'), /connection reset/);
    await assert.rejects(cache.receive(digest, Readable.from([Buffer.from('something else')]), 'test'), ConflictError);
    assert.equal(cache.hasSync(digest), false);
    assert.deepEqual(readdirSync(join(cache.root, 'tmp')), []);
    assert.equal(await cache.receive(digest, Readable.from([Buffer.from('complete body')]), 'test'), 13);
    assert.equal(cache.hasSync(digest, 13), true);
  });

  it('removes temp files an interrupted run left a day ago, not fresh ones', async () => {
    mkdirSync(join(cache.root, 'tmp'), { recursive: true });
    const old = join(cache.root, 'tmp', 'old-partial');
    const fresh = join(cache.root, 'tmp', 'in-flight');
    writeFileSync(old, 'half a blob');
    writeFileSync(fresh, 'being written');
    const dayAgo = Date.now() / 1000 - 2 * 86400;
    utimesSync(old, dayAgo, dayAgo);
    await cache.removeStaleTemps();
    assert.equal(existsSync(old), false);
    assert.equal(existsSync(fresh), true);
  });
});
