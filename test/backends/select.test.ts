import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LocalArtifactStore } from '../../src/backends/artifacts/local-artifact-store.js';
import { S3ArtifactStore } from '../../src/backends/artifacts/s3-artifact-store.js';
import { createArtifactStore } from '../../src/backends/select.js';
import { InvalidArgumentError } from '../../src/errors.js';

describe('createArtifactStore', () => {
  it('opens a local store for a file URL or a plain path', async () => {
    const dir = join(tmpdir(), 'ferry-select-test');
    for (const url of [pathToFileURL(dir).href, dir, 'relative/artifacts']) {
      const store = await createArtifactStore(url);
      assert.ok(store instanceof LocalArtifactStore);
      assert.equal(store.url, url);
      await store.close();
    }
  });

  it('opens an S3 store for s3:// without contacting S3', async () => {
    const store = await createArtifactStore('s3://bucket/some/prefix');
    assert.ok(store instanceof S3ArtifactStore);
    assert.equal(store.url, 's3://bucket/some/prefix');
    await store.close();
  });

  it('rejects an unknown scheme, listing the supported ones', async () => {
    await assert.rejects(createArtifactStore('gs://bucket/x'), (err: unknown) => {
      assert.ok(err instanceof InvalidArgumentError);
      assert.match(err.message, /"gs:"/);
      assert.match(err.message, /file:\/\//);
      assert.match(err.message, /s3:\/\//);
      return true;
    });
  });

  it('rejects an empty URL', async () => {
    await assert.rejects(createArtifactStore(''), InvalidArgumentError);
  });
});
