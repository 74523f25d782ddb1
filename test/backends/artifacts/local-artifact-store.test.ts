import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { LocalArtifactStore } from '../../../src/backends/artifacts/local-artifact-store.js';
import { InvalidArgumentError } from '../../../src/errors.js';
import { artifactStoreConformance } from '../../conformance/artifact-store.js';

let tempDir: string;
before(async () => {
  tempDir = await mkdtemp(join(tmpdir(), 'ferry-local-artifacts-'));
});
after(async () => {
  await rm(tempDir, { recursive: true, force: true });
});

artifactStoreConformance('LocalArtifactStore (file URL)', async () => new LocalArtifactStore(pathToFileURL(join(tempDir, 'by-url')).href));
artifactStoreConformance('LocalArtifactStore (plain path)', async () => new LocalArtifactStore(join(tempDir, 'by-path')));

describe('LocalArtifactStore', () => {
  describe('constructor', () => {
    it('accepts a file URL or a plain path and keeps the URL', () => {
      const url = pathToFileURL(join(tempDir, 'x')).href;
      const store = new LocalArtifactStore(url);
      assert.equal(store.url, url);
      assert.equal(store.root, join(tempDir, 'x'));
      assert.equal(new LocalArtifactStore(join(tempDir, 'y')).root, join(tempDir, 'y'));
    });

    it('rejects a file URL with a remote host', () => {
      assert.throws(() => new LocalArtifactStore('file://otherhost/data'), InvalidArgumentError);
    });
  });

  describe('.put', () => {
    it('creates the root on the first write and leaves no temp files', async () => {
      const root = join(tempDir, 'fresh', 'root');
      const store = new LocalArtifactStore(root);
      assert.deepEqual(await store.list(''), []);
      await store.put('a/b.txt', Buffer.from('hi'));
      assert.equal(await readFile(join(root, 'a', 'b.txt'), 'utf8'), 'hi');
      assert.deepEqual(await readdir(join(root, 'a')), ['b.txt']);
    });

    it('rejects writing where a directory already is', async () => {
      const store = new LocalArtifactStore(join(tempDir, 'clash'));
      await store.put('d/f', Buffer.from('x'));
      await assert.rejects(store.put('d', Buffer.from('x')), InvalidArgumentError);
      await assert.rejects(store.put('d/f/g', Buffer.from('x')), InvalidArgumentError);
    });
  });

  describe('symlinks', () => {
    let root: string;
    let outside: string;
    let store: LocalArtifactStore;

    before(async () => {
      root = join(tempDir, 'symlink-root');
      outside = join(tempDir, 'outside');
      await mkdir(root, { recursive: true });
      await mkdir(outside, { recursive: true });
      await writeFile(join(outside, 'secret.txt'), 'secret');
      await symlink(outside, join(root, 'escape-dir'));
      await symlink(join(outside, 'secret.txt'), join(root, 'escape-file'));
      await mkdir(join(root, 'inside'));
      await writeFile(join(root, 'inside', 'ok.txt'), 'ok');
      await symlink(join(root, 'inside'), join(root, 'inside-link'));
      store = new LocalArtifactStore(root);
    });

    it('refuses to read, list or write through a link that leaves the root', async () => {
      await assert.rejects(store.get('escape-dir/secret.txt'), InvalidArgumentError);
      await assert.rejects(store.get('escape-file'), InvalidArgumentError);
      await assert.rejects(store.list('escape-dir'), InvalidArgumentError);
      await assert.rejects(store.put('escape-dir/new.txt', Buffer.from('x')), InvalidArgumentError);
      await assert.rejects(store.put('escape-dir/sub/new.txt', Buffer.from('x')), InvalidArgumentError);
      await assert.rejects(store.delete('escape-dir/secret.txt'), InvalidArgumentError);
      assert.deepEqual(await readdir(outside), ['secret.txt']);
    });

    it('hides escaping links from listings but follows links inside the root', async () => {
      assert.deepEqual(await store.list(''), [
        { path: 'inside', isDir: true },
        { path: 'inside-link', isDir: true },
      ]);
      assert.deepEqual(await store.list('inside-link'), [{ path: 'inside-link/ok.txt', isDir: false, size: 2 }]);
    });

    it('deletes an escaping link itself, never its target', async () => {
      await store.delete('escape-dir');
      await store.delete('escape-file');
      assert.equal(await readFile(join(outside, 'secret.txt'), 'utf8'), 'secret');
    });
  });
});
