import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { joinArtifactPath, normalizeArtifactPath } from '../../../src/backends/artifacts/artifact-path.js';
import { InvalidArgumentError } from '../../../src/errors.js';

describe('normalizeArtifactPath', () => {
  it('keeps a clean relative path', () => {
    assert.equal(normalizeArtifactPath('0/abc/artifacts/model/MLmodel'), '0/abc/artifacts/model/MLmodel');
  });

  it('drops trailing and repeated slashes and "." segments', () => {
    assert.equal(normalizeArtifactPath('a//b/./c/'), 'a/b/c');
    assert.equal(normalizeArtifactPath('./a'), 'a');
    assert.equal(normalizeArtifactPath('a/.'), 'a');
  });

  it('maps the root spellings to ""', () => {
    for (const root of ['', '.', './', './/.']) assert.equal(normalizeArtifactPath(root), '');
  });

  it('keeps names that merely contain dots', () => {
    assert.equal(normalizeArtifactPath('a/..b/c..'), 'a/..b/c..');
    assert.equal(normalizeArtifactPath('.hidden/...'), '.hidden/...');
  });

  const rejected: Array<[string, RegExp]> = [
    ['..', /'\.\.'/],
    ['a/../b', /'\.\.'/],
    ['a/..', /'\.\.'/],
    ['/etc/passwd', /absolute/],
    ['//x', /absolute/],
    ['C:\\x', /backslash/],
    ['C:/x', /drive letter/],
    ['a\\b', /backslash/],
    ['a\0b', /control character/],
    ['a\nb', /control character/],
    ['a\u007fb', /control character/],
  ];
  for (const [input, message] of rejected) {
    it(`rejects ${JSON.stringify(input)} saying what to fix`, () => {
      assert.throws(() => normalizeArtifactPath(input), (err: unknown) => {
        assert.ok(err instanceof InvalidArgumentError);
        assert.match(err.message, message);
        return true;
      });
    });
  }

  it('leaves percent-encoding alone (decoding is the caller\'s job)', () => {
    assert.equal(normalizeArtifactPath('%2e%2e/x'), '%2e%2e/x');
  });
});

describe('joinArtifactPath', () => {
  it('joins normalized parts and skips empty ones', () => {
    assert.equal(joinArtifactPath('0/abc/', '', 'artifacts', './model//MLmodel'), '0/abc/artifacts/model/MLmodel');
    assert.equal(joinArtifactPath(), '');
    assert.equal(joinArtifactPath('', '.'), '');
  });

  it('rejects unsafe parts', () => {
    assert.throws(() => joinArtifactPath('a', '../b'), InvalidArgumentError);
    assert.throws(() => joinArtifactPath('a', '/b'), InvalidArgumentError);
  });
});
