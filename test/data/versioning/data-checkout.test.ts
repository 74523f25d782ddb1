import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addData } from '../../../src/data/versioning/data-add.js';
import { checkoutData } from '../../../src/data/versioning/data-checkout.js';
import { formatManifest } from '../../../src/data/versioning/data-manifest.js';
import { findPointers } from '../../../src/data/versioning/pointer-scan.js';
import { formatPointer } from '../../../src/data/versioning/pointer-file.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { makeProject, sha256, type TestProject } from './versioning-fixtures.js';

describe('checkoutData', () => {
  let p: TestProject;
  const checkout = (targets: string[], force = false) => p.with(async (ws) => checkoutData(ws, await findPointers(p.root, p.root, targets), { force }));
  before(async () => {
    p = await makeProject();
    p.write('model.bin', 'weights v1');
    p.write('set/a.txt', 'A');
    p.write('set/deep/b.txt', 'B');
    await p.with(async (ws) => {
      await addData(ws, 'model.bin');
      await addData(ws, 'set');
    });
  });
  after(() => p.cleanup());

  it('restores deleted files and leaves matching ones alone', async () => {
    rmSync(join(p.root, 'model.bin'));
    rmSync(join(p.root, 'set', 'deep'), { recursive: true });
    const r = await checkout([]);
    assert.deepEqual(r.map((x) => [x.pointer, x.status, x.restored]), [['model.bin.ferry', 'restored', 1], ['set.ferry', 'restored', 1]]);
    assert.equal(readFileSync(join(p.root, 'model.bin'), 'utf8'), 'weights v1');
    assert.equal(readFileSync(join(p.root, 'set', 'deep', 'b.txt'), 'utf8'), 'B');
    const again = await checkout([]);
    assert.deepEqual(again.map((x) => x.status), ['unchanged', 'unchanged']);
  });

  it('keeps local changes unless forced, then overwrites them and removes extra files', async () => {
    writeFileSync(join(p.root, 'model.bin'), 'weights v2 (local)');
    writeFileSync(join(p.root, 'set', 'extra.txt'), 'mine');
    const kept = await checkout([]);
    assert.deepEqual(kept.map((x) => [x.status, x.conflicts]), [['conflict', ['model.bin']], ['conflict', ['extra.txt']]]);
    assert.equal(readFileSync(join(p.root, 'model.bin'), 'utf8'), 'weights v2 (local)');
    const forced = await checkout([], true);
    assert.deepEqual(forced.map((x) => x.status), ['restored', 'restored']);
    assert.equal(readFileSync(join(p.root, 'model.bin'), 'utf8'), 'weights v1');
    assert.equal(existsSync(join(p.root, 'set', 'extra.txt')), false);
  });

  it('hard-links files out of the cache with link: hardlink', async () => {
    rmSync(join(p.root, 'set', 'a.txt'));
    const [r] = await p.with(async (ws) => checkoutData(ws, await findPointers(p.root, p.root, ['set'])), { link: 'hardlink' });
    assert.equal(r!.restored, 1);
    const blob = join(p.root, '.ferry', 'cache', 'sha256', sha256('A').slice(7, 9), sha256('A').slice(9));
    assert.equal(statSync(join(p.root, 'set', 'a.txt')).ino, statSync(blob).ino);
  });

  it('reports a corrupt cache blob with its path and digest and does not copy it', async () => {
    const digest = sha256('weights v1');
    const blob = join(p.root, '.ferry', 'cache', 'sha256', digest.slice(7, 9), digest.slice(9));
    chmodSync(blob, 0o644);
    writeFileSync(blob, 'weights XX');
    rmSync(join(p.root, 'model.bin'));
    const [r] = await checkout(['model.bin']);
    assert.equal(r!.status, 'failed');
    assert.match(r!.errors[0]!, new RegExp(`Corrupt blob ${blob.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: expected ${digest}`));
    assert.equal(existsSync(join(p.root, 'model.bin')), false);
    assert.deepEqual(readdirSync(p.root).filter((n) => n.endsWith('.ferry-tmp')), []);
    writeFileSync(blob, 'weights v1');
  });

  it('rejects a pointer whose path leaves its folder', async () => {
    const text = formatPointer({ ferry: 1, path: 'x', kind: 'file', digest: sha256('x'), size: 1, files: 1 }).replace('path: x', 'path: ../../etc/passwd');
    mkdirSync(join(p.root, 'evil'));
    writeFileSync(join(p.root, 'evil', 'passwd.ferry'), text);
    await assert.rejects(checkout(['evil/passwd.ferry']), (err: Error) => err instanceof InvalidArgumentError && /'path' must be/.test(err.message));
    rmSync(join(p.root, 'evil'), { recursive: true });
  });

  it('rejects a manifest entry that climbs out of the directory', async () => {
    const manifest = Buffer.from(JSON.stringify({ ferry: 1, files: [{ path: '../escaped.txt', digest: sha256('A'), size: 1 }] }));
    const digest = await p.with((ws) => ws.cache.putBytes(manifest));
    writeFileSync(join(p.root, 'bad.ferry'), formatPointer({ ferry: 1, path: 'bad', kind: 'directory', digest, size: 1, files: 1 }));
    const [r] = await checkout(['bad.ferry']);
    assert.equal(r!.status, 'failed');
    assert.match(r!.errors[0]!, /unsafe path "\.\.\/escaped\.txt"/);
    assert.equal(existsSync(join(p.root, 'escaped.txt')), false);
    rmSync(join(p.root, 'bad.ferry'));
  });

  it('does not write through a symlink inside a tracked directory', async () => {
    const outside = join(p.root, 'outside');
    mkdirSync(outside);
    const manifest = formatManifest([{ path: 'link/a.txt', digest: sha256('A'), size: 1 }]);
    const digest = await p.with((ws) => ws.cache.putBytes(manifest));
    mkdirSync(join(p.root, 'tricky'));
    symlinkSync(outside, join(p.root, 'tricky', 'link'));
    writeFileSync(join(p.root, 'tricky.ferry'), formatPointer({ ferry: 1, path: 'tricky', kind: 'directory', digest, size: 1, files: 1 }));
    const [refused] = await checkout(['tricky']);
    assert.equal(refused!.status, 'failed');
    assert.match(refused!.errors.join('\n'), /through the symlink .*tricky\/link/);
    assert.deepEqual(readdirSync(outside), []);
    const [r] = await checkout(['tricky'], true);
    assert.deepEqual(readdirSync(outside), []);
    // Forced, the symlink itself is replaced by a real folder.
    assert.equal(r!.status, 'restored');
    assert.equal(readFileSync(join(p.root, 'tricky', 'link', 'a.txt'), 'utf8'), 'A');
  });
});
