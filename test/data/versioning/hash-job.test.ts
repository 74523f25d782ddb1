import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cacheBlobPath, HASH_CHUNK, isTextBlock, newHashMemo, runHashJob } from '../../../src/data/versioning/hash-job.js';
import { makeProject, md5, sha256, type TestProject } from './versioning-fixtures.js';

describe('runHashJob', () => {
  let p: TestProject;
  const memo = newHashMemo();
  before(async () => {
    p = await makeProject();
  });
  after(() => p.cleanup());

  it('hashes SHA-256 and MD5 in one read, across several chunks', () => {
    const content = Buffer.alloc(HASH_CHUNK * 2 + 123, 7);
    const src = p.write('big.bin', content);
    const r = runHashJob({ src, md5: 'plain' }, memo);
    assert.ok(r.ok);
    assert.equal(`sha256:${r.sha256}`, sha256(content));
    assert.equal(r.md5, md5(content));
    assert.equal(r.size, content.length);
    assert.equal(r.stamp.size, content.length);
  });

  it('stores into the cache under sha256/<2>/<62>, read-only, and keeps an existing blob', () => {
    const src = p.write('a.txt', 'alpha');
    const root = join(p.root, '.ferry', 'cache');
    const first = runHashJob({ src, sink: { kind: 'cache', root } }, memo);
    assert.ok(first.ok && first.stored === 'new');
    const blob = cacheBlobPath(root, first.sha256);
    assert.equal(readFileSync(blob, 'utf8'), 'alpha');
    assert.equal(statSync(blob).mode & 0o222, 0);
    const again = runHashJob({ src, sink: { kind: 'cache', root } }, memo);
    assert.ok(again.ok && again.stored === 'existing');
    assert.deepEqual(readdirSync(join(root, 'tmp')), [], 'no temp file is left behind');
  });

  it('writes a file sink only when the digest is the expected one', () => {
    const src = p.write('b.txt', 'bravo');
    const dest = join(p.root, 'out', 'b.txt');
    const wrong = runHashJob({ src, sink: { kind: 'file', path: dest }, expect: '0'.repeat(64) }, memo);
    assert.ok(!wrong.ok && wrong.reason === 'mismatch');
    assert.throws(() => statSync(dest), /ENOENT/);
    assert.deepEqual(readdirSync(join(p.root, 'out')), [], 'the temp file is removed');
    const right = runHashJob({ src, sink: { kind: 'file', path: dest }, expect: sha256('bravo').slice(7) }, memo);
    assert.ok(right.ok);
    assert.equal(readFileSync(dest, 'utf8'), 'bravo');
  });

  it("computes DVC 2's legacy MD5 of text files with CRLF as LF", () => {
    const src = p.write('crlf.csv', 'a,b\r\n1,2\r\n');
    const r = runHashJob({ src, md5: 'legacy', expectMd5: md5('a,b\n1,2\n') }, memo);
    assert.ok(r.ok);
    assert.equal(r.md5, md5('a,b\r\n1,2\r\n'));
    assert.equal(r.md5Text, md5('a,b\n1,2\n'));
    assert.ok(!isTextBlock(Buffer.from([1, 0, 2])));
    assert.ok(isTextBlock(Buffer.from('plain text\n')));
  });

  it('reports a missing file and a file that changes size while read', () => {
    const missing = runHashJob({ src: join(p.root, 'nope') }, memo);
    assert.ok(!missing.ok && missing.reason === 'missing');
    const src = p.write('grow.bin', Buffer.alloc(HASH_CHUNK * 3));
    // Appending from within the read loop's progress callback simulates a writer racing the hash.
    const r = runHashJob({ src }, memo, () => writeFileSync(src, 'more', { flag: 'a' }));
    assert.ok(!r.ok && r.reason === 'changed');
  });
});
