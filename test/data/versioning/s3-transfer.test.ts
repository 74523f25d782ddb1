/**
 * Push and pull against S3: a real s3rver on 127.0.0.1 (as
 * test/backends/artifacts/s3-artifact-store.test.ts starts it), or the S3 named
 * by FERRY_TEST_S3_URL with its AWS_* settings.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { copyFileSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { createS3ArtifactStore, type S3ArtifactStoreOptions } from '../../../src/backends/artifacts/s3-artifact-store.js';
import { addData } from '../../../src/data/versioning/data-add.js';
import { checkoutData } from '../../../src/data/versioning/data-checkout.js';
import { fetchData, pushData } from '../../../src/data/versioning/data-transfer.js';
import { findPointers } from '../../../src/data/versioning/pointer-scan.js';
import { makeProject, type TestProject } from './versioning-fixtures.js';

const BUCKET = 'ferry-test';
const external = process.env.FERRY_TEST_S3_URL;

// s3rver 3.7.1 needs --openssl-legacy-provider (DES continuation tokens), so it runs in a child process that exits when stdin closes.
const S3RVER_SCRIPT = `
const { createRequire } = require('node:module');
const S3rver = createRequire(process.env.S3RVER_MODULE)('./lib/s3rver');
process.stdin.on('end', () => process.exit(0)).resume();
new S3rver({ address: '127.0.0.1', port: 0, directory: process.env.S3RVER_DIR, silent: true, configureBuckets: [{ name: process.env.S3RVER_BUCKET }] })
  .run().then(({ port }) => console.log(JSON.stringify({ port })), (err) => { console.error(err); process.exit(1); });`;

describe('push and pull with an S3 remote', () => {
  let server: ChildProcess | undefined;
  let serverDir: string | undefined;
  let options: S3ArtifactStoreOptions = {};
  let p: TestProject;
  let clone: TestProject;
  const url = `${(external ?? `s3://${BUCKET}`).replace(/\/+$/, '')}/ferry-test-${randomUUID()}`;

  before(async () => {
    p = await makeProject();
    clone = await makeProject('ferry-versioning-s3-clone-');
    if (external !== undefined) return;
    serverDir = await mkdtemp(join(tmpdir(), 'ferry-s3rver-'));
    server = spawn(process.execPath, ['--openssl-legacy-provider', '-e', S3RVER_SCRIPT], {
      env: { ...process.env, S3RVER_MODULE: createRequire(import.meta.url).resolve('s3rver/package.json'), S3RVER_DIR: serverDir, S3RVER_BUCKET: BUCKET },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const [line] = await once(createInterface({ input: server.stdout! }), 'line');
    const { port } = JSON.parse(line as string) as { port: number };
    options = { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } };
  });

  after(async () => {
    if (server && server.exitCode === null) {
      const exit = once(server, 'exit');
      server.stdin?.end();
      await exit;
    }
    await Promise.all([p.cleanup(), clone.cleanup(), serverDir ? rm(serverDir, { recursive: true, force: true }) : undefined]);
  });

  it('pushes a directory, skips what is there, and pulls it into a fresh clone', async () => {
    p.write('data/a.bin', Buffer.alloc(300_000, 3));
    p.write('data/b/c.txt', 'hello s3');
    await p.with((ws) => addData(ws, 'data'));
    const store = await createS3ArtifactStore(url, options);
    try {
      const pushed = await p.with(async (ws) => pushData(ws, store, await findPointers(p.root, p.root, [])));
      assert.deepEqual([pushed.transferred, pushed.failed], [3, []]);
      const again = await p.with(async (ws) => pushData(ws, store, await findPointers(p.root, p.root, [])));
      assert.deepEqual([again.transferred, again.present], [0, 3]);

      copyFileSync(join(p.root, 'data.ferry'), join(clone.root, 'data.ferry'));
      await clone.with(async (ws) => {
        const refs = await findPointers(clone.root, clone.root, []);
        const fetched = await fetchData(ws, store, refs);
        assert.deepEqual([fetched.transferred, fetched.failed], [3, []]);
        assert.equal((await checkoutData(ws, refs))[0]!.status, 'restored');
      });
      assert.deepEqual(readFileSync(join(clone.root, 'data', 'a.bin')), Buffer.alloc(300_000, 3));
      assert.equal(readFileSync(join(clone.root, 'data', 'b', 'c.txt'), 'utf8'), 'hello s3');
    } finally {
      await store.delete('ferry-data').catch(() => undefined);
      await store.close();
    }
  });
});
