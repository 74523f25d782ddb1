import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRelativePath, comparePaths, digestOf, formatManifest, parseManifest } from '../../../src/data/versioning/data-manifest.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { sha256 } from './versioning-fixtures.js';

const D1 = sha256('one');
const D2 = sha256('two');

describe('data-manifest', () => {
  describe('formatManifest', () => {
    it('writes canonical JSON: sorted by path, no whitespace, fixed key order', () => {
      const bytes = formatManifest([
        { size: 3, digest: D2, path: 'b/x.csv' },
        { path: 'a.csv', digest: D1, size: 3 },
      ]);
      assert.equal(bytes.toString(), `{"ferry":1,"files":[{"path":"a.csv","digest":"${D1}","size":3},{"path":"b/x.csv","digest":"${D2}","size":3}]}`);
      assert.equal(digestOf(bytes), sha256(bytes));
    });

    it('sorts by UTF-8 bytes (code points), not UTF-16 units', () => {
      // U+FF5E sorts before U+1F600 by code point, after it by UTF-16 unit.
      assert.ok(comparePaths('\uff5e', '\u{1f600}') < 0);
      const order = JSON.parse(formatManifest([{ path: '\u{1f600}', digest: D1, size: 1 }, { path: '\uff5e', digest: D2, size: 1 }]).toString()).files.map(
        (f: { path: string }) => f.path,
      );
      assert.deepEqual(order, ['\uff5e', '\u{1f600}']);
    });
  });

  describe('parseManifest', () => {
    it('reads back what formatManifest wrote', () => {
      const files = [{ path: 'a/b.bin', digest: D1, size: 10 }];
      assert.deepEqual(parseManifest(formatManifest(files), 'm'), files);
    });

    it('rejects paths that could escape the directory', () => {
      for (const path of ['../x', 'a/../../x', '/etc/passwd', 'a\\b', 'a//b', './a', 'a/', '', 'C:/x', 'a\u0000b']) {
        const bytes = Buffer.from(JSON.stringify({ ferry: 1, files: [{ path, digest: D1, size: 1 }] }));
        assert.throws(() => parseManifest(bytes, 'manifest m'), InvalidArgumentError, JSON.stringify(path));
      }
    });

    it('rejects duplicates, bad digests and sizes, and non-manifests', () => {
      const bad = [
        { ferry: 1, files: [{ path: 'a', digest: D1, size: 1 }, { path: 'a', digest: D2, size: 1 }] },
        { ferry: 1, files: [{ path: 'a', digest: 'md5:abc', size: 1 }] },
        { ferry: 1, files: [{ path: 'a', digest: D1, size: -1 }] },
        { ferry: 2, files: [] },
        [{ md5: 'x', relpath: 'a' }],
      ];
      for (const m of bad) assert.throws(() => parseManifest(Buffer.from(JSON.stringify(m)), 'm'), InvalidArgumentError, JSON.stringify(m));
      assert.throws(() => parseManifest(Buffer.from('{not json'), 'm'), /not JSON/);
    });
  });

  describe('checkRelativePath', () => {
    it('accepts plain nested paths', () => {
      assert.equal(checkRelativePath('a/b c/d.csv', 's'), 'a/b c/d.csv');
    });
  });
});
