import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addData } from '../../../src/data/versioning/data-add.js';
import { formatManifest } from '../../../src/data/versioning/data-manifest.js';
import { readPointer } from '../../../src/data/versioning/pointer-file.js';
import { InvalidArgumentError, NotFoundError } from '../../../src/errors.js';
import { backdate, makeProject, sha256, type TestProject } from './versioning-fixtures.js';

function blobs(root: string): string[] {
  const dir = join(root, '.ferry', 'cache', 'sha256');
  return readdirSync(dir).flatMap((p) => readdirSync(join(dir, p)).map((rest) => `sha256:${p}${rest}`)).sort();
}

describe('addData', () => {
  let p: TestProject;
  before(async () => {
    p = await makeProject();
  });
  after(() => p.cleanup());

  it('adds a file: pointer beside it, blob in the cache, schema for a CSV', async () => {
    const csv = 'id,name,score\n1,a,0.5\n2,b,1.5\n3,c,2.5\n';
    p.write('data/train.csv', csv);
    const r = await p.with((ws) => addData(ws, 'data/train.csv'));
    assert.equal(r.changed, true);
    assert.equal(r.newBlobs, 1);
    assert.equal(r.path, 'data/train.csv');
    const pointer = await readPointer(join(p.root, 'data', 'train.csv.ferry'));
    assert.deepEqual(pointer, {
      ferry: 1,
      path: 'train.csv',
      kind: 'file',
      digest: sha256(csv),
      size: csv.length,
      files: 1,
      schema: {
        format: 'csv',
        rows: 3,
        columns: [
          { name: 'id', type: 'BIGINT' },
          { name: 'name', type: 'VARCHAR' },
          { name: 'score', type: 'DOUBLE' },
        ],
      },
    });
    const hex = sha256(csv).slice(7);
    assert.equal(readFileSync(join(p.root, '.ferry', 'cache', 'sha256', hex.slice(0, 2), hex.slice(2)), 'utf8'), csv);
    assert.match(readFileSync(join(p.root, 'data', 'train.csv.ferry'), 'utf8'), /^# Ferry data pointer/);
  });

  it('adds a directory: every file and the manifest as blobs, identical content stored once', async () => {
    p.write('images/a.bin', 'same bytes');
    p.write('images/sub/b.bin', 'same bytes');
    p.write('images/sub/c.bin', 'other');
    const r = await p.with((ws) => addData(ws, 'images'));
    const manifest = formatManifest([
      { path: 'a.bin', digest: sha256('same bytes'), size: 10 },
      { path: 'sub/b.bin', digest: sha256('same bytes'), size: 10 },
      { path: 'sub/c.bin', digest: sha256('other'), size: 5 },
    ]);
    assert.deepEqual(r.pointer, { ferry: 1, path: 'images', kind: 'directory', digest: sha256(manifest), size: 25, files: 3 });
    assert.equal(r.newBlobs, 3, 'two file blobs and the manifest');
    for (const d of [sha256('same bytes'), sha256('other'), sha256(manifest)]) assert.ok(blobs(p.root).includes(d), d);
  });

  it('re-adding unchanged data hashes nothing and writes nothing', async () => {
    const pointerFile = join(p.root, 'images.ferry');
    const before = statSync(pointerFile).mtimeMs;
    const cached = blobs(p.root);
    const r = await p.with((ws) => addData(ws, 'images'));
    assert.equal(r.changed, false);
    assert.equal(r.hashedFiles, 0, 'the state index vouched for every file');
    assert.equal(r.newBlobs, 0);
    assert.equal(statSync(pointerFile).mtimeMs, before);
    assert.deepEqual(blobs(p.root), cached);
  });

  it('detects a changed file, even one of the same size', async () => {
    const path = join(p.root, 'images', 'sub', 'c.bin');
    writeFileSync(path, 'OTHER');
    backdate(path, 30);
    const r = await p.with((ws) => addData(ws, 'images'));
    assert.equal(r.changed, true);
    assert.equal(r.hashedFiles, 1);
    assert.equal(r.newBlobs, 2, 'the new file and the new manifest');
    const manifest = formatManifest([
      { path: 'a.bin', digest: sha256('same bytes'), size: 10 },
      { path: 'sub/b.bin', digest: sha256('same bytes'), size: 10 },
      { path: 'sub/c.bin', digest: sha256('OTHER'), size: 5 },
    ]);
    assert.equal(r.pointer.digest, sha256(manifest));
  });

  it('re-hashes a file modified within the same timestamp tick (racy entry)', async () => {
    const path = p.write('racy.txt', 'v1');
    // Dated now: the entry is recorded, but not trusted yet.
    writeFileSync(path, 'v1');
    await p.with((ws) => addData(ws, 'racy.txt'));
    const t = statSync(path).mtime;
    writeFileSync(path, 'v2');
    const { utimesSync } = await import('node:fs');
    utimesSync(path, t, t);
    const r = await p.with((ws) => addData(ws, 'racy.txt'));
    assert.equal(r.pointer.digest, sha256('v2'));
  });

  it('summarises a directory of Parquet files and records no schema for other data', async () => {
    const { DuckDbEngine } = await import('../../../src/data/table/duckdb-engine.js');
    const engine = await DuckDbEngine.open();
    mkdirSync(join(p.root, 'pq'));
    try {
      for (const part of [0, 1]) {
        await engine.run(`COPY (SELECT range AS id, 'x' || range AS label FROM range(${part * 10}, ${part * 10 + 10})) TO '${join(p.root, 'pq', `part-${part}.parquet`)}' (FORMAT parquet)`);
      }
    } finally {
      engine.close();
    }
    const r = await p.with((ws) => addData(ws, 'pq'));
    assert.deepEqual(r.pointer.schema, { format: 'parquet', rows: 20, columns: [{ name: 'id', type: 'BIGINT' }, { name: 'label', type: 'VARCHAR' }] });
    const off = await p.with((ws) => addData(ws, 'racy.txt', { schema: false }));
    assert.equal(off.pointer.schema, undefined);
    p.write('broken.parquet', 'not parquet at all');
    const broken = await p.with((ws) => addData(ws, 'broken.parquet'));
    assert.equal(broken.pointer.schema, undefined, 'an unreadable table is no error');
  });

  it('lists the data in .gitignore inside a git repository', async () => {
    mkdirSync(join(p.root, '.git'), { recursive: true });
    p.write('logs/run[1].txt', 'x');
    await p.with((ws) => addData(ws, 'logs/run[1].txt'));
    await p.with((ws) => addData(ws, 'logs/run[1].txt'));
    assert.equal(readFileSync(join(p.root, 'logs', '.gitignore'), 'utf8'), '/run\\[1\\].txt\n');
  });

  it('refuses what cannot be tracked, saying why', async () => {
    await p.with(async (ws) => {
      await assert.rejects(addData(ws, 'nope.csv'), NotFoundError);
      await assert.rejects(addData(ws, '.'), /not the project itself/);
      await assert.rejects(addData(ws, '..'), /inside the project/);
      await assert.rejects(addData(ws, '.ferry/data-state.json'), /inside \.ferry/);
      await assert.rejects(addData(ws, 'data/train.csv.ferry'), /pointer file/);
      await assert.rejects(addData(ws, 'images/sub/c.bin'), (err: Error) => err instanceof InvalidArgumentError && /tracked as a whole by images\.ferry/.test(err.message));
      p.write('nest/inner.csv.ferry', 'x');
      await assert.rejects(addData(ws, 'nest'), /holds the pointer inner\.csv\.ferry/);
    });
  });

  it('hard-links into the cache with link: hardlink, making the file read-only', async () => {
    const path = p.write('linked/big.bin', 'hard linked content');
    const r = await p.with((ws) => addData(ws, 'linked/big.bin'), { link: 'hardlink' });
    const hex = r.pointer.digest.slice(7);
    const blob = statSync(join(p.root, '.ferry', 'cache', 'sha256', hex.slice(0, 2), hex.slice(2)));
    assert.equal(statSync(path).ino, blob.ino);
    assert.equal(statSync(path).mode & 0o222, 0);
  });
});
