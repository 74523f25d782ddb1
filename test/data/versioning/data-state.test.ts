import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DataState } from '../../../src/data/versioning/data-state.js';
import { makeProject, sha256, type TestProject } from './versioning-fixtures.js';

const MINUTE_AGO_NS = String(BigInt(Date.now() - 60_000) * 1_000_000n + 123n);

describe('DataState', () => {
  let p: TestProject;
  before(async () => {
    p = await makeProject();
  });
  after(() => p.cleanup());

  it('vouches for a file only while size, mtime and inode all match', async () => {
    const path = join(p.root, '.ferry', 'data-state.json');
    const file = join(p.root, 'a.bin');
    const stamp = { size: 10, mtimeNs: MINUTE_AGO_NS, ino: 42 };
    const state = await DataState.open(path, p.root);
    state.record(file, stamp, sha256('a'), Date.now());
    await state.save();
    const reopened = await DataState.open(path, p.root);
    assert.equal(reopened.lookup(file, stamp), sha256('a'));
    assert.equal(reopened.lookup(file, { ...stamp, size: 11 }), undefined);
    assert.equal(reopened.lookup(file, { ...stamp, mtimeNs: `${MINUTE_AGO_NS.slice(0, -1)}9` }), undefined);
    assert.equal(reopened.lookup(file, { ...stamp, ino: 43 }), undefined);
    reopened.forget(file);
    assert.equal(reopened.lookup(file, stamp), undefined);
  });

  it('distrusts entries hashed within a timestamp tick of the mtime, wider for whole-second file systems', async () => {
    const state = await DataState.open(join(p.root, 'none.json'), p.root);
    const now = Date.now();
    const fine = { size: 1, mtimeNs: String(BigInt(now - 500) * 1_000_000n + 7n), ino: 1 };
    const coarse = { size: 1, mtimeNs: String(BigInt(Math.floor((now - 1000) / 1000)) * 1_000_000_000n), ino: 2 };
    state.record(join(p.root, 'fine'), fine, sha256('f'), now);
    state.record(join(p.root, 'coarse'), coarse, sha256('c'), now);
    assert.equal(state.lookup(join(p.root, 'fine'), fine), sha256('f'));
    assert.equal(state.lookup(join(p.root, 'coarse'), coarse), undefined);
  });

  it('starts empty from a missing or damaged index', async () => {
    const path = join(p.root, 'broken.json');
    writeFileSync(path, '{"ferry":1,"files":{"a":{"size":"x"}}');
    const state = await DataState.open(path, p.root);
    assert.equal(state.lookup(join(p.root, 'a'), { size: 1, mtimeNs: '1', ino: 1 }), undefined);
  });
});
