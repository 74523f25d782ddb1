import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { LocalArtifactStore } from '../../../src/backends/artifacts/local-artifact-store.js';
import { openDatabase, type Database } from '../../../src/backends/database/database.js';
import { migrateToLatest } from '../../../src/backends/database/migrate.js';
import { createDatasetScheme } from '../../../src/data/datasets/dataset-source.js';
import { DatasetService } from '../../../src/data/datasets/dataset-service.js';
import { blobPath, parseDatasetRef } from '../../../src/data/datasets/dataset-types.js';
import { DataSourceResolver } from '../../../src/data/sources/data-source-resolver.js';
import { UploadStore } from '../../../src/data/sources/upload-store.js';
import { DuckDbEngine } from '../../../src/data/table/duckdb-engine.js';
import { ConflictError, InvalidArgumentError, NotFoundError } from '../../../src/errors.js';
import { sha256, uniqueName } from './dataset-fixtures.js';

describe('parseDatasetRef', () => {
  it('reads NAME/VERSION, NAME/latest and NAME@latest', () => {
    assert.deepEqual(parseDatasetRef('/train/3'), { name: 'train', version: 3 });
    assert.deepEqual(parseDatasetRef('//train/latest'), { name: 'train', version: 'latest' });
    assert.deepEqual(parseDatasetRef('/train@latest'), { name: 'train', version: 'latest' });
  });

  it('refuses other forms, naming the accepted ones', () => {
    for (const bad of ['/train', '/train/0', '/train/v2', '/train@champion', '/a/b/c']) {
      assert.throws(() => parseDatasetRef(bad), /use datasets:\/NAME\/VERSION or datasets:\/NAME@latest/, bad);
    }
  });
});

describe('createDatasetScheme', () => {
  let dir: string;
  let tempRoot: string;
  let database: Database;
  let artifacts: LocalArtifactStore;
  let datasets: DatasetService;
  let resolver: DataSourceResolver;
  let engine: DuckDbEngine;

  /** Writes a small parquet file with DuckDB and returns its bytes; COPY takes no bound target, so the (test-made) path is quoted. */
  async function parquet(name: string, fromId: number): Promise<Buffer> {
    const path = join(dir, `${name}.parquet`);
    await engine.run(`COPY (SELECT i AS id, 'row ' || i AS label FROM range($1::BIGINT, $1::BIGINT + 3) t(i)) TO '${path.replace(/'/g, "''")}' (FORMAT parquet)`, [fromId]);
    return readFile(path);
  }

  async function putBlob(bytes: Buffer, digest = sha256(bytes)): Promise<string> {
    await artifacts.put(blobPath(digest), bytes);
    return digest;
  }

  const leftovers = async () => (await readdir(tempRoot)).filter((n) => n.startsWith('ferry-dataset-'));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-dataset-source-'));
    tempRoot = await mkdtemp(join(tmpdir(), 'ferry-dataset-temp-'));
    database = await openDatabase('sqlite::memory:');
    await migrateToLatest(database);
    artifacts = new LocalArtifactStore(pathToFileURL(join(dir, 'artifacts')).href);
    datasets = new DatasetService(database);
    resolver = new DataSourceResolver(new UploadStore(join(dir, 'uploads'), 1024));
    resolver.register('datasets', createDatasetScheme(datasets, artifacts, { tempRoot }));
    engine = await DuckDbEngine.open({ threads: 1 });
  });
  after(async () => {
    engine.close();
    await database.close();
    await rm(dir, { recursive: true, force: true });
    await rm(tempRoot, { recursive: true, force: true });
  });

  it('downloads a file version to a temporary file DuckDB reads, and release deletes it', async () => {
    const bytes = await parquet('file', 10);
    const name = uniqueName('file');
    const digest = await putBlob(bytes);
    await datasets.register({ name, digest, kind: 'file', size: bytes.length, files: 1, schema: { format: 'parquet', columns: [] } });

    const table = await resolver.resolve(`datasets:/${name}/1`);
    assert.equal(table.format, 'parquet');
    assert.equal(table.ref, `datasets:/${name}/1`);
    const file = await engine.tableFile(table.path, table.format);
    const rows = await engine.rows(`SELECT sum(id)::INTEGER AS total, count(*)::INTEGER AS n FROM ${file.scanSql}`, [file.path], file);
    assert.deepEqual(rows, [{ total: 33, n: 3 }]);
    assert.deepEqual((await readFile(table.path)).equals(bytes), true);

    await table.release();
    await table.release();
    await assert.rejects(readFile(table.path), /ENOENT/);
    assert.deepEqual(await leftovers(), []);
  });

  it('resolves @latest and takes the format from the source when no schema was registered', async () => {
    const name = uniqueName('latest');
    const older = await parquet('older', 0);
    const newer = await parquet('newer', 100);
    await datasets.register({ name, digest: await putBlob(older), kind: 'file', size: older.length, files: 1, source: 'data/t.parquet' });
    await datasets.register({ name, digest: await putBlob(newer), kind: 'file', size: newer.length, files: 1, source: 's3://b/t.parquet' });
    const table = await resolver.resolve(`datasets:/${name}@latest`);
    try {
      const rows = await engine.rows('SELECT min(id)::INTEGER AS first FROM read_parquet($1)', [table.path]);
      assert.deepEqual(rows, [{ first: 100 }]);
    } finally {
      await table.release();
    }
  });

  it('reports a digest mismatch on download and leaves no temporary file', async () => {
    const name = uniqueName('damaged');
    const good = await parquet('good', 0);
    const digest = sha256(good);
    await putBlob(Buffer.from('not the registered bytes'), digest);
    await datasets.register({ name, digest, kind: 'file', size: good.length, files: 1, schema: { format: 'parquet', columns: [] } });
    await assert.rejects(resolver.resolve(`datasets:/${name}/1`), (err: unknown) => {
      assert.ok(err instanceof ConflictError, String(err));
      assert.match(err.message, new RegExp(`stored bytes of datasets:/${name}/1 do not match their digest: expected ${digest}, got sha256:[0-9a-f]{64}`));
      assert.match(err.message, /ferry data push/);
      return true;
    });
    assert.deepEqual(await leftovers(), []);
  });

  it('says to push the data when its blob is missing, and names unknown versions', async () => {
    const name = uniqueName('unpushed');
    await datasets.register({ name, digest: sha256('never pushed'), kind: 'file', size: 12, files: 1, source: 'x.csv' });
    await assert.rejects(resolver.resolve(`datasets:/${name}/1`), (err: unknown) => err instanceof NotFoundError && /not in the artifact store \(ferry-data\/sha256\/[0-9a-f]{2}\/[0-9a-f]{62}\): push them with `ferry data push`/.test(err.message));
    await assert.rejects(resolver.resolve(`datasets:/${name}/2`), /has no version 2/);
    await assert.rejects(resolver.resolve('datasets:/nope'), InvalidArgumentError);
    assert.deepEqual(await leftovers(), []);
  });

  it('downloads a directory’s table files and resolves to a glob DuckDB reads as one table', async () => {
    const name = uniqueName('dir');
    const a = await parquet('part-a', 0);
    const b = await parquet('part-b', 3);
    const readme = Buffer.from('# partitions\n');
    const files = [
      { path: 'README.md', digest: await putBlob(readme), size: readme.length },
      { path: 'year=2024/.part-a.parquet.crc', digest: await putBlob(readme), size: readme.length },
      { path: 'year=2024/.hidden.parquet', digest: await putBlob(readme), size: readme.length },
      { path: 'year=2024/part-a.parquet', digest: await putBlob(a), size: a.length },
      { path: 'year=2025/part-b.parquet', digest: await putBlob(b), size: b.length },
    ];
    const manifest = Buffer.from(JSON.stringify({ ferry: 1, files }));
    const digest = await putBlob(manifest);
    await datasets.register({ name, digest, kind: 'directory', size: a.length + b.length + 3 * readme.length, files: 5 });

    const table = await resolver.resolve(`datasets:/${name}/1`);
    assert.equal(table.format, 'parquet');
    assert.match(table.path, /\/files\/\*\*\/\*\.parquet$/);
    const rows = await engine.rows('SELECT count(*)::INTEGER AS n, sum(id)::INTEGER AS total FROM read_parquet($1)', [table.path]);
    assert.deepEqual(rows, [{ n: 6, total: 15 }]);
    await table.release();
    assert.deepEqual(await leftovers(), []);
  });

  it('checks every file of a directory and refuses unsafe manifest paths', async () => {
    const name = uniqueName('dir-bad');
    const a = await parquet('only', 0);
    const aDigest = sha256(a);
    await putBlob(Buffer.from('tampered'), aDigest);
    const manifest = Buffer.from(JSON.stringify({ ferry: 1, files: [{ path: 'p/only.parquet', digest: aDigest, size: a.length }] }));
    await datasets.register({ name, digest: await putBlob(manifest), kind: 'directory', size: a.length, files: 1 });
    await assert.rejects(resolver.resolve(`datasets:/${name}/1`), /\(file p\/only\.parquet\) do not match their digest/);

    const escaping = Buffer.from(JSON.stringify({ ferry: 1, files: [{ path: '../escape.parquet', digest: aDigest, size: 1 }] }));
    await datasets.register({ name, digest: await putBlob(escaping), kind: 'directory', size: 1, files: 1 });
    await assert.rejects(resolver.resolve(`datasets:/${name}/2`), /The manifest of datasets:\/[\w-]+\/2: unsafe path "\.\.\/escape\.parquet"/);
    assert.deepEqual(await leftovers(), []);
  });
});
