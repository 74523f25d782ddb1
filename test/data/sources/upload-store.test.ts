import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, readdir, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { UploadStore } from '../../../src/data/sources/upload-store.js';

describe('UploadStore', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'ferry-uploads-'));
  });
  after(async () => rm(root, { recursive: true, force: true }));

  it('refuses a body over the limit and leaves no file behind', async () => {
    const store = new UploadStore(join(root, 'small'), 10);
    await assert.rejects(store.put(Readable.from([Buffer.alloc(6), Buffer.alloc(6)]), 'csv'), /exceeds the limit of 10 bytes/);
    assert.deepEqual(await readdir(join(root, 'small')), []);
  });

  it('sweeps uploads older than the age given', async () => {
    const store = new UploadStore(join(root, 'sweep'), 1000);
    const old = await store.put(Readable.from([Buffer.from('a\n')]), 'csv');
    const fresh = await store.put(Readable.from([Buffer.from('b\n')]), 'csv');
    const hourAgo = new Date(Date.now() - 3600_000);
    await utimes(old.path, hourAgo, hourAgo);
    assert.equal(await store.sweep(60_000), 1);
    await assert.rejects(store.get(old.id), { code: 'NOT_FOUND' });
    assert.equal((await store.get(fresh.id)).sizeBytes, 2);
  });
});
