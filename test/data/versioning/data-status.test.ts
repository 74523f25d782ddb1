import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { LocalArtifactStore } from '../../../src/backends/artifacts/local-artifact-store.js';
import { addData } from '../../../src/data/versioning/data-add.js';
import { dataStatus } from '../../../src/data/versioning/data-status.js';
import { pushData } from '../../../src/data/versioning/data-transfer.js';
import { findPointers } from '../../../src/data/versioning/pointer-scan.js';
import { backdate, makeProject, type TestProject } from './versioning-fixtures.js';

describe('dataStatus', () => {
  let p: TestProject;
  const status = (remote?: LocalArtifactStore) => p.with(async (ws) => dataStatus(ws, await findPointers(p.root, p.root, []), remote));
  before(async () => {
    p = await makeProject();
    p.write('a.txt', 'alpha');
    p.write('b.txt', 'bravo');
    p.write('dir/x.txt', 'x');
    p.write('dir/y.txt', 'y');
    await p.with(async (ws) => {
      for (const t of ['a.txt', 'b.txt', 'dir']) await addData(ws, t);
    });
  });
  after(() => p.cleanup());

  it('says in sync, modified and missing, listing changed files of a directory', async () => {
    assert.deepEqual((await status()).map((e) => e.workspace), ['in sync', 'in sync', 'in sync']);
    writeFileSync(join(p.root, 'b.txt'), 'BRAVO');
    backdate(join(p.root, 'b.txt'), 10);
    rmSync(join(p.root, 'a.txt'));
    writeFileSync(join(p.root, 'dir', 'x.txt'), 'changed');
    rmSync(join(p.root, 'dir', 'y.txt'));
    p.write('dir/z.txt', 'new');
    const entries = await status();
    assert.deepEqual(entries.map((e) => [e.pointer, e.workspace]), [['a.txt.ferry', 'missing'], ['b.txt.ferry', 'modified'], ['dir.ferry', 'modified']]);
    assert.deepEqual(entries[2]!.changes, { added: ['z.txt'], modified: ['x.txt'], deleted: ['y.txt'] });
    assert.deepEqual(entries[0]!.cache, { blobs: 1, missing: 0, manifestMissing: false });
    assert.equal(entries[0]!.remote, undefined);
  });

  it('counts blobs the cache and the remote lack', async () => {
    const remoteDir = `${p.root}-remote`;
    const remote = new LocalArtifactStore(pathToFileURL(remoteDir).href);
    try {
      await p.with(async (ws) => pushData(ws, remote, await findPointers(p.root, p.root, ['b.txt'])));
      rmSync(join(p.root, '.ferry', 'cache', 'sha256'), { recursive: true });
      const entries = await status(remote);
      assert.deepEqual(entries.map((e) => [e.cache.missing, e.cache.manifestMissing, e.remote?.missing]), [
        [1, false, 1],
        [1, false, 0],
        [1, true, 1],
      ]);
    } finally {
      rmSync(remoteDir, { recursive: true, force: true });
    }
  });
});
