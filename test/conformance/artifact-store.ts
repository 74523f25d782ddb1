import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { ArtifactStore } from '../../src/backends/artifacts/artifact-store.js';
import { InvalidArgumentError, NotFoundError } from '../../src/errors.js';

const MiB = 1024 * 1024;

/** Streams `size` deterministic pseudo-random bytes in 64 KiB chunks; `digest` gives their sha256. */
function buildBody(size: number): { stream: Readable; digest: () => string } {
  const hash = createHash('sha256');
  let sent = 0;
  let counter = 0;
  const stream = new Readable({
    read() {
      if (sent >= size) return void this.push(null);
      const chunk = Buffer.alloc(Math.min(64 * 1024, size - sent));
      for (let i = 0; i < chunk.length; i += 32) {
        createHash('sha256').update(String(counter++)).digest().copy(chunk, i);
      }
      hash.update(chunk);
      sent += chunk.length;
      this.push(chunk);
    },
  });
  return { stream, digest: () => hash.digest('hex') };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

async function sha256Of(stream: Readable): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: hash.digest('hex'), size };
}

/** A stream that yields `first` and then fails, like a client that disconnects mid-upload. */
function failingBody(first: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(first);
      } else {
        this.destroy(new Error('client went away'));
      }
    },
  });
}

/**
 * The behaviour every ArtifactStore must share. `open` returns a store the
 * suite may write to; each test works under its own fresh directory, and the
 * suite deletes everything it wrote at the end.
 */
export function artifactStoreConformance(name: string, open: () => Promise<ArtifactStore>): void {
  describe(`ArtifactStore conformance: ${name}`, () => {
    let store: ArtifactStore;
    const ns = `conformance-${randomUUID()}`;
    const dir = () => `${ns}/${randomUUID()}`;
    const text = async (path: string) => (await readAll((await store.get(path)).stream)).toString();

    before(async () => {
      store = await open();
    });
    after(async () => {
      await store.delete(ns);
      await store.close();
    });

    describe('.put / .get', () => {
      it('round-trips a small buffer and reports its size', async () => {
        const d = dir();
        assert.equal(await store.put(`${d}/hello.txt`, Buffer.from('hello')), 5);
        const { stream, size } = await store.get(`${d}/hello.txt`);
        assert.equal(size, 5);
        assert.equal((await readAll(stream)).toString(), 'hello');
      });

      it('streams a 20 MiB body intact', async () => {
        const d = dir();
        const body = buildBody(20 * MiB);
        assert.equal(await store.put(`${d}/big.bin`, body.stream), 20 * MiB);
        const { stream, size } = await store.get(`${d}/big.bin`);
        assert.equal(size, 20 * MiB);
        assert.deepEqual(await sha256Of(stream), { digest: body.digest(), size: 20 * MiB });
      });

      it('stores empty files, from a buffer or a stream', async () => {
        const d = dir();
        assert.equal(await store.put(`${d}/empty-buffer`, Buffer.alloc(0)), 0);
        assert.equal(await store.put(`${d}/empty-stream`, Readable.from([])), 0);
        for (const file of ['empty-buffer', 'empty-stream']) {
          const { stream, size } = await store.get(`${d}/${file}`);
          assert.equal(size, 0);
          assert.equal((await readAll(stream)).length, 0);
        }
        assert.deepEqual(await store.list(d), [
          { path: `${d}/empty-buffer`, isDir: false, size: 0 },
          { path: `${d}/empty-stream`, isDir: false, size: 0 },
        ]);
      });

      it('overwrites an existing file', async () => {
        const d = dir();
        await store.put(`${d}/f`, Buffer.from('first version'));
        await store.put(`${d}/f`, Readable.from([Buffer.from('v2')]));
        assert.equal(await text(`${d}/f`), 'v2');
        assert.deepEqual(await store.list(d), [{ path: `${d}/f`, isDir: false, size: 2 }]);
      });

      it('keeps the old file when an upload fails midway', async () => {
        const d = dir();
        await store.put(`${d}/f`, Buffer.from('old'));
        await assert.rejects(store.put(`${d}/f`, failingBody(Buffer.alloc(1024, 1))));
        assert.equal(await text(`${d}/f`), 'old');
        assert.deepEqual(await store.list(d), [{ path: `${d}/f`, isDir: false, size: 3 }]);
      });

      it('throws NotFoundError for a missing file or a directory', async () => {
        const d = dir();
        await store.put(`${d}/sub/f`, Buffer.from('x'));
        await assert.rejects(store.get(`${d}/missing`), NotFoundError);
        await assert.rejects(store.get(`${d}/sub`), NotFoundError);
        await assert.rejects(store.get(`${d}/sub/f/deeper`), NotFoundError);
      });
    });

    describe('.list', () => {
      it('lists direct children sorted, directories without size', async () => {
        const d = dir();
        await store.put(`${d}/x.txt`, Buffer.from('xx'));
        await store.put(`${d}/b/y.txt`, Buffer.from('yyy'));
        await store.put(`${d}/b/c/z.txt`, Buffer.from('z'));
        await store.put(`${d}/a.txt`, Buffer.from(''));
        assert.deepEqual(await store.list(d), [
          { path: `${d}/a.txt`, isDir: false, size: 0 },
          { path: `${d}/b`, isDir: true },
          { path: `${d}/x.txt`, isDir: false, size: 2 },
        ]);
        assert.deepEqual(await store.list(`${d}/b/`), [
          { path: `${d}/b/c`, isDir: true },
          { path: `${d}/b/y.txt`, isDir: false, size: 3 },
        ]);
        const root = await store.list('');
        assert.ok(root.some((e) => e.path === ns && e.isDir));
      });

      it('lists a missing directory, or a file, as empty', async () => {
        const d = dir();
        assert.deepEqual(await store.list(`${d}/nothing/here`), []);
        await store.put(`${d}/f`, Buffer.from('x'));
        assert.deepEqual(await store.list(`${d}/f`), []);
      });

      it('pages through more than 1000 entries', async () => {
        const d = dir();
        const names = Array.from({ length: 1005 }, (_, i) => `${d}/f${String(i).padStart(4, '0')}`);
        for (let i = 0; i < names.length; i += 50) {
          await Promise.all(names.slice(i, i + 50).map((n) => store.put(n, Buffer.from('1'))));
        }
        const listed = await store.list(d);
        assert.deepEqual(
          listed.map((e) => e.path),
          names,
        );
        await store.delete(d);
        assert.deepEqual(await store.list(d), []);
      });
    });

    describe('.delete / .deleteMany', () => {
      it('deletes a file and leaves its siblings', async () => {
        const d = dir();
        await store.put(`${d}/a`, Buffer.from('a'));
        await store.put(`${d}/b`, Buffer.from('b'));
        await store.delete(`${d}/a`);
        await assert.rejects(store.get(`${d}/a`), NotFoundError);
        assert.deepEqual(await store.list(d), [{ path: `${d}/b`, isDir: false, size: 1 }]);
      });

      it('deletes a directory tree but not a sibling sharing its name prefix', async () => {
        const d = dir();
        await store.put(`${d}/t/1`, Buffer.from('1'));
        await store.put(`${d}/t/deep/er/2`, Buffer.from('2'));
        await store.put(`${d}/t.txt`, Buffer.from('keep'));
        await store.put(`${d}/tt/3`, Buffer.from('keep'));
        await store.delete(`${d}/t`);
        assert.deepEqual(await store.list(`${d}/t`), []);
        await assert.rejects(store.get(`${d}/t/deep/er/2`), NotFoundError);
        assert.deepEqual(await store.list(d), [
          { path: `${d}/t.txt`, isDir: false, size: 4 },
          { path: `${d}/tt`, isDir: true },
        ]);
      });

      it('is idempotent', async () => {
        const d = dir();
        await store.delete(`${d}/never-existed`);
        await store.put(`${d}/f`, Buffer.from('x'));
        await store.delete(`${d}/f`);
        await store.delete(`${d}/f`);
        assert.deepEqual(await store.list(d), []);
      });

      it('deleteMany removes several trees, ignoring missing ones', async () => {
        const d = dir();
        await store.put(`${d}/r1/a`, Buffer.from('a'));
        await store.put(`${d}/r2/b/c`, Buffer.from('c'));
        await store.put(`${d}/r3/keep`, Buffer.from('k'));
        await store.put(`${d}/file`, Buffer.from('f'));
        await store.deleteMany([`${d}/r1`, `${d}/r2`, `${d}/file`, `${d}/missing`]);
        assert.deepEqual(await store.list(d), [{ path: `${d}/r3`, isDir: true }]);
        await store.deleteMany([]);
      });

      it('refuses to delete the store root', async () => {
        await assert.rejects(store.delete(''), InvalidArgumentError);
        await assert.rejects(store.deleteMany(['./']), InvalidArgumentError);
      });
    });

    describe('path safety', () => {
      const unsafe = ['../x', 'a/../../x', 'a/..', '/etc/passwd', 'a\\..\\x', 'C:/x', 'a\0b', 'a\nb'];

      for (const bad of unsafe) {
        it(`rejects ${JSON.stringify(bad)} in every operation`, async () => {
          await assert.rejects(store.put(bad, Buffer.from('x')), InvalidArgumentError);
          await assert.rejects(store.get(bad), InvalidArgumentError);
          await assert.rejects(store.list(bad), InvalidArgumentError);
          await assert.rejects(store.delete(bad), InvalidArgumentError);
          await assert.rejects(store.deleteMany([`${ns}/fine`, bad]), InvalidArgumentError);
        });
      }

      it('rejects an empty path for put and get', async () => {
        await assert.rejects(store.put('', Buffer.from('x')), InvalidArgumentError);
        await assert.rejects(store.get('./'), InvalidArgumentError);
      });

      it('accepts redundant slashes and dots', async () => {
        const d = dir();
        await store.put(`./${d}//sub/./f/`, Buffer.from('ok'));
        assert.equal(await text(`${d}/sub/f`), 'ok');
      });
    });
  });
}
