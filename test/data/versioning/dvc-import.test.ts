import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { formatManifest } from '../../../src/data/versioning/data-manifest.js';
import { dvcDirMd5 } from '../../../src/data/versioning/dvc-files.js';
import { findDvcFiles, importDvc } from '../../../src/data/versioning/dvc-import.js';
import { readPointer } from '../../../src/data/versioning/pointer-file.js';
import { makeProject, md5, sha256, type TestProject } from './versioning-fixtures.js';

type Layout = 'dvc2' | 'dvc3';

/** A fake DVC repository: `.dvc/`, `.dvc` files and cache objects with real MD5s. */
class FakeDvc {
  constructor(
    readonly p: TestProject,
    readonly layout: Layout,
  ) {
    mkdirSync(join(p.root, '.dvc', 'cache'), { recursive: true });
  }

  objectPath(hex: string, suffix = ''): string {
    const base = join(this.p.root, '.dvc', 'cache');
    return this.layout === 'dvc3' ? join(base, 'files', 'md5', hex.slice(0, 2), hex.slice(2) + suffix) : join(base, hex.slice(0, 2), hex.slice(2) + suffix);
  }

  cache(content: string | Buffer, hex = md5(content)): string {
    const path = this.objectPath(hex);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
    return hex;
  }

  trackFile(rel: string, content: string, opts: { workspace?: boolean; cache?: boolean } = {}): string {
    const hex = md5(content);
    if (opts.workspace ?? true) this.p.write(rel, content);
    if (opts.cache ?? true) this.cache(content);
    this.writeDvc(`${rel}.dvc`, [`- md5: ${hex}`, `  size: ${content.length}`, ...(this.layout === 'dvc3' ? ['  hash: md5'] : []), `  path: ${rel.split('/').pop()}`]);
    return hex;
  }

  trackDir(rel: string, files: Record<string, string>, opts: { workspace?: boolean; manifest?: boolean } = {}): string {
    const entries = Object.entries(files)
      .map(([relpath, content]) => ({ md5: md5(content), relpath }))
      .sort((a, b) => (a.relpath < b.relpath ? -1 : 1));
    // As DVC writes it: Python's json.dumps(entries, sort_keys=True).
    const bytes = Buffer.from(`[${entries.map((e) => `{"md5": "${e.md5}", "relpath": "${e.relpath}"}`).join(', ')}]`);
    const hex = md5(bytes);
    if (opts.manifest ?? true) {
      const path = this.objectPath(hex, '.dir');
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, bytes);
    }
    for (const [relpath, content] of Object.entries(files)) {
      this.cache(content);
      if (opts.workspace ?? true) this.p.write(`${rel}/${relpath}`, content);
    }
    this.writeDvc(`${rel}.dvc`, [`- md5: ${hex}.dir`, `  size: 0`, `  nfiles: ${entries.length}`, ...(this.layout === 'dvc3' ? ['  hash: md5'] : []), `  path: ${rel.split('/').pop()}`]);
    return hex;
  }

  writeDvc(rel: string, outLines: string[]): void {
    this.p.write(rel, `outs:\n${outLines.join('\n')}\n`);
  }
}

for (const layout of ['dvc3', 'dvc2'] as const) {
  describe(`importDvc (${layout === 'dvc3' ? 'DVC 3: files/md5/<2>/<30>' : 'DVC 2: <2>/<30>'})`, () => {
    let p: TestProject;
    let dvc: FakeDvc;
    const run = async (targets: string[] = []) => p.with(async (ws) => importDvc(ws, await findDvcFiles(p.root, targets)));
    beforeEach(async () => {
      p = await makeProject();
      dvc = new FakeDvc(p, layout);
    });
    afterEach(() => p.cleanup());

    it('imports a file from the workspace and one only in the DVC cache, verifying each', async () => {
      dvc.trackFile('data/train.csv', 'a,b\n1,2\n3,4\n');
      dvc.trackFile('data/test.csv', 'a,b\n5,6\n', { workspace: false });
      const results = await run();
      assert.deepEqual(results.map((r) => [r.path, r.status, r.fromWorkspace, r.fromDvcCache]), [
        ['data/test.csv', 'imported', 0, 1],
        ['data/train.csv', 'imported', 1, 0],
      ]);
      const pointer = await readPointer(join(p.root, 'data', 'train.csv.ferry'));
      assert.equal(pointer.digest, sha256('a,b\n1,2\n3,4\n'));
      assert.deepEqual(pointer.schema?.columns.map((c) => c.name), ['a', 'b']);
      assert.equal(pointer.schema?.rows, 2);
      await p.with(async (ws) => assert.deepEqual(await ws.cache.readVerified(sha256('a,b\n5,6\n')), Buffer.from('a,b\n5,6\n')));
      assert.equal(existsSync(join(p.root, 'data', 'test.csv')), false, 'the workspace is left alone');
    });

    it('imports a directory through its .dir manifest, with the same manifest as ferry data add', async () => {
      dvc.trackDir('images', { 'a.bin': 'AAA', 'sub/b.bin': 'BB' });
      const [r] = await run();
      assert.equal(r!.status, 'imported', r!.errors.join('\n'));
      const manifest = formatManifest([
        { path: 'a.bin', digest: sha256('AAA'), size: 3 },
        { path: 'sub/b.bin', digest: sha256('BB'), size: 2 },
      ]);
      assert.deepEqual(r!.pointer, { ferry: 1, path: 'images', kind: 'directory', digest: sha256(manifest), size: 5, files: 2 });
      await p.with(async (ws) => assert.deepEqual(await ws.cache.readVerified(sha256(manifest)), manifest));
    });

    it('falls back to the DVC cache for a modified workspace file, and fails an output whose every copy is corrupt', async () => {
      dvc.trackDir('good', { 'x.txt': 'original' });
      writeFileSync(join(p.root, 'good', 'x.txt'), 'edited!!');
      const hex = dvc.trackDir('bad', { 'ok.txt': 'fine', 'rot.txt': 'pristine' });
      writeFileSync(join(p.root, 'bad', 'rot.txt'), 'bitrot!!');
      writeFileSync(dvc.objectPath(md5('pristine')), 'bitrot!!');
      const results = await run();
      const good = results.find((r) => r.path === 'good')!;
      assert.equal(good.status, 'imported');
      assert.equal(good.fromDvcCache, 1);
      const bad = results.find((r) => r.path === 'bad')!;
      assert.equal(bad.status, 'failed');
      assert.equal(bad.errors.length, 1);
      assert.match(bad.errors[0]!, new RegExp(`^rot\\.txt: expected md5 ${md5('pristine')}, but the workspace copy has md5 ${md5('bitrot!!')}; the DVC cache copy .* has md5 ${md5('bitrot!!')}$`));
      assert.equal(existsSync(join(p.root, 'bad.ferry')), false, 'no pointer for corrupted data');
      assert.ok(hex);
    });

    it('checks a directory against its recorded md5 when the .dir manifest is gone', async () => {
      dvc.trackDir('noman', { 'p.txt': 'P', 'q/r.txt': 'R' }, { manifest: false });
      const [r] = await run();
      assert.equal(r!.status, 'imported', r!.errors.join('\n'));
      assert.equal(r!.pointer!.files, 2);
      writeFileSync(join(p.root, 'noman', 'p.txt'), 'changed');
      const [again] = await run();
      assert.equal(again!.status, 'failed');
      assert.match(again!.errors[0]!, /manifest .*\.dir is not in the DVC cache.*does not match the recorded directory md5/);
      dvc.trackFile('gone.txt', 'never cached', { workspace: false, cache: false });
      const gone = (await run(['gone.txt.dvc']))[0]!;
      assert.equal(gone.errors[0], `expected md5 ${md5('never cached')}, but it is not in the workspace and not in the DVC cache ${join(p.root, '.dvc', 'cache')}`);
    });

    it('refuses outputs and manifest entries that leave the repository', async () => {
      dvc.writeDvc('up.dvc', [`- md5: ${md5('x')}`, '  path: ../../etc/passwd']);
      const entries = Buffer.from(JSON.stringify([{ md5: md5('x'), relpath: '../escape.txt' }]));
      const hex = md5(entries);
      mkdirSync(join(dvc.objectPath(hex, '.dir'), '..'), { recursive: true });
      writeFileSync(dvc.objectPath(hex, '.dir'), entries);
      dvc.writeDvc('sneaky.dvc', [`- md5: ${hex}.dir`, '  path: sneaky']);
      const results = await run();
      assert.match(results.find((r) => r.dvcFile === 'up.dvc')!.errors[0]!, /leads outside the repository/);
      assert.match(results.find((r) => r.dvcFile === 'sneaky.dvc')!.errors[0]!, /unsafe path "\.\.\/escape\.txt"/);
      assert.ok(results.every((r) => r.status === 'failed'));
    });
  });
}

describe('importDvc (DVC 2 text files)', () => {
  it("matches DVC 2's MD5 of a CRLF text file, which hashes it with LF line ends", async () => {
    const p = await makeProject();
    try {
      const dvc = new FakeDvc(p, 'dvc2');
      const content = 'a,b\r\n1,2\r\n';
      p.write('crlf.csv', content);
      dvc.writeDvc('crlf.csv.dvc', [`- md5: ${md5('a,b\n1,2\n')}`, '  path: crlf.csv']);
      const [r] = await p.with(async (ws) => importDvc(ws, [join(p.root, 'crlf.csv.dvc')]));
      assert.equal(r!.status, 'imported', r!.errors.join('\n'));
      assert.equal(r!.pointer!.digest, sha256(content), 'Ferry stores the bytes as they are');
    } finally {
      await p.cleanup();
    }
  });

  it('computes DVC directory MD5s as Python json.dumps(sort_keys=True) does', () => {
    const entries = [{ md5: md5('b'), relpath: 'b/é.txt' }, { md5: md5('a'), relpath: 'a.txt' }];
    const json = `[{"md5": "${md5('a')}", "relpath": "a.txt"}, {"md5": "${md5('b')}", "relpath": "b/\\u00e9.txt"}]`;
    assert.equal(dvcDirMd5(entries), md5(json));
  });
});

describe('findDvcFiles', () => {
  it('finds .dvc files, skipping .dvc/ and .git/', async () => {
    const p = await makeProject();
    try {
      p.write('a.dvc', 'outs: []\n');
      p.write('sub/b.csv.dvc', 'outs: []\n');
      p.write('.dvc/config.dvc', 'x');
      p.write('.git/c.dvc', 'x');
      const found = await findDvcFiles(p.root, []);
      assert.deepEqual(found.map((f) => f.slice(p.root.length + 1)), ['a.dvc', 'sub/b.csv.dvc']);
      assert.deepEqual(await findDvcFiles(p.root, ['sub/b.csv']), [join(p.root, 'sub', 'b.csv.dvc')]);
      assert.ok(readFileSync(found[0]!, 'utf8').startsWith('outs'));
    } finally {
      await p.cleanup();
    }
  });
});
