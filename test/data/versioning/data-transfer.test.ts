import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { LocalArtifactStore } from '../../../src/backends/artifacts/local-artifact-store.js';
import { addData } from '../../../src/data/versioning/data-add.js';
import { checkoutData } from '../../../src/data/versioning/data-checkout.js';
import { fetchData, pushData } from '../../../src/data/versioning/data-transfer.js';
import { findPointers } from '../../../src/data/versioning/pointer-scan.js';
import { remoteBlobPath, remoteMissing } from '../../../src/data/versioning/remote-blobs.js';
import { makeProject, sha256, type TestProject } from './versioning-fixtures.js';

describe('pushData / fetchData', () => {
  let p: TestProject;
  let clone: TestProject;
  let remoteDir: string;
  let store: LocalArtifactStore;
  before(async () => {
    p = await makeProject();
    clone = await makeProject('ferry-versioning-clone-');
    remoteDir = join(p.root, '..', `${p.root.split('/').pop()}-remote`);
    store = new LocalArtifactStore(pathToFileURL(remoteDir).href);
    p.write('data/train.csv', 'x,y\n1,2\n');
    p.write('images/a.bin', Buffer.alloc(5000, 1));
    p.write('images/b/c.bin', Buffer.alloc(7000, 2));
    await p.with(async (ws) => {
      await addData(ws, 'data/train.csv');
      await addData(ws, 'images');
    });
  });
  after(async () => {
    await Promise.all([p.cleanup(), clone.cleanup()]);
    const { rm } = await import('node:fs/promises');
    await rm(remoteDir, { recursive: true, force: true });
  });

  it('pushes every blob to <remote>/ferry-data/sha256/<2>/<62>, then only what is missing', async () => {
    const first = await p.with(async (ws) => pushData(ws, store, await findPointers(p.root, p.root, [])));
    assert.deepEqual({ ...first, bytes: undefined }, { blobs: 4, present: 0, transferred: 4, bytes: undefined, failed: [] });
    const hex = sha256('x,y\n1,2\n').slice(7);
    assert.equal(readFileSync(join(remoteDir, 'ferry-data', 'sha256', hex.slice(0, 2), hex.slice(2)), 'utf8'), 'x,y\n1,2\n');
    const again = await p.with(async (ws) => pushData(ws, store, await findPointers(p.root, p.root, [])));
    assert.equal(again.transferred, 0);
    assert.equal(again.present, 4);

    p.write('images/new.bin', 'one more file');
    await p.with((ws) => addData(ws, 'images'));
    const third = await p.with(async (ws) => pushData(ws, store, await findPointers(p.root, p.root, ['images'])));
    assert.equal(third.transferred, 2, 'the new file and the new manifest only');
    assert.equal(third.present, 2);
  });

  it('pulls into a fresh clone (pointers only, empty cache) and restores identical bytes', async () => {
    mkdirSync(join(clone.root, 'data'));
    copyFileSync(join(p.root, 'data', 'train.csv.ferry'), join(clone.root, 'data', 'train.csv.ferry'));
    copyFileSync(join(p.root, 'images.ferry'), join(clone.root, 'images.ferry'));
    const fetched = await clone.with(async (ws) => {
      const refs = await findPointers(clone.root, clone.root, []);
      const r = await fetchData(ws, store, refs);
      const co = await checkoutData(ws, refs);
      assert.deepEqual(co.map((c) => [c.pointer, c.status, c.restored]), [['data/train.csv.ferry', 'restored', 1], ['images.ferry', 'restored', 3]]);
      return r;
    });
    assert.equal(fetched.transferred, 5, 'one file, three files and a manifest');
    assert.deepEqual(fetched.failed, []);
    for (const rel of ['data/train.csv', 'images/a.bin', 'images/b/c.bin', 'images/new.bin']) {
      assert.deepEqual(readFileSync(join(clone.root, rel)), readFileSync(join(p.root, rel)), rel);
    }
    const again = await clone.with(async (ws) => fetchData(ws, store, await findPointers(clone.root, clone.root, [])));
    assert.equal(again.transferred, 0);
  });

  it('refuses a corrupt remote blob on pull, naming it, and keeps nothing of it', async () => {
    const fresh = await makeProject('ferry-versioning-fresh-');
    try {
      copyFileSync(join(p.root, 'images.ferry'), join(fresh.root, 'images.ferry'));
      const victim = join(remoteDir, ...remoteBlobPath(sha256(Buffer.alloc(5000, 1))).split('/'));
      chmodSync(victim, 0o644);
      writeFileSync(victim, Buffer.alloc(5000, 9));
      const r = await fresh.with(async (ws) => fetchData(ws, store, await findPointers(fresh.root, fresh.root, [])));
      assert.equal(r.failed.length, 1);
      assert.match(r.failed[0]!.message, new RegExp(`Blob ${sha256(Buffer.alloc(5000, 1))} from the remote .* is corrupt`));
      const cached = join(fresh.root, '.ferry', 'cache');
      assert.equal(readdirSync(join(cached, 'tmp')).length, 0, 'no temp file left');
      await fresh.with(async (ws) => assert.equal(await ws.cache.has(sha256(Buffer.alloc(5000, 1))), false));

      // push --force repairs the remote from a good copy.
      const repaired = await p.with(async (ws) => pushData(ws, store, await findPointers(p.root, p.root, ['images']), { force: true }));
      assert.equal(repaired.failed.length, 0);
      assert.deepEqual(readFileSync(victim), Buffer.alloc(5000, 1));
    } finally {
      await fresh.cleanup();
    }
  });

  it('does not upload a corrupt cache blob, and says which blobs a remote lacks on pull', async () => {
    const other = new LocalArtifactStore(pathToFileURL(`${remoteDir}-other`).href);
    const digest = sha256('x,y\n1,2\n');
    const blob = join(p.root, '.ferry', 'cache', 'sha256', digest.slice(7, 9), digest.slice(9));
    try {
      chmodSync(blob, 0o644);
      writeFileSync(blob, 'x,y\n9,9\n');
      const r = await p.with(async (ws) => pushData(ws, other, await findPointers(p.root, p.root, ['data'])));
      assert.equal(r.transferred, 0);
      assert.match(r.failed[0]!.message, new RegExp(`^Corrupt blob .*: expected ${digest}`));
      assert.deepEqual(await other.list(remoteBlobPath(digest).split('/').slice(0, -1).join('/')), []);

      const fresh = await makeProject('ferry-versioning-fresh-');
      try {
        copyFileSync(join(p.root, 'data', 'train.csv.ferry'), join(fresh.root, 'train.csv.ferry'));
        const pulled = await fresh.with(async (ws) => fetchData(ws, other, await findPointers(fresh.root, fresh.root, [])));
        assert.match(pulled.failed[0]!.message, new RegExp(`^${digest} is not on the remote .* \\(ferry-data/sha256/${digest.slice(7, 9)}/${digest.slice(9)}\\)`));
      } finally {
        await fresh.cleanup();
      }
    } finally {
      writeFileSync(blob, 'x,y\n1,2\n');
      const { rm } = await import('node:fs/promises');
      await rm(`${remoteDir}-other`, { recursive: true, force: true });
    }
  });

  it('reports blobs the remote lacks, and truncated ones', async () => {
    const d = sha256(Buffer.alloc(7000, 2));
    const missing = await remoteMissing(store, [
      { digest: d, size: 7000 },
      { digest: d.replace(/.$/, (c) => (c === '0' ? '1' : '0')) },
      { digest: sha256('x,y\n1,2\n'), size: 3 },
    ]);
    assert.equal(missing.size, 2);
    assert.ok(!missing.has(d));
  });
});
