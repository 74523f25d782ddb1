import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { ferryCli, type CliResult } from '../helpers/ferry-cli.js';
import { startTestServer } from '../helpers/test-server.js';

/** Runs `ferry <args>` from source in `cwd`, as a user in that folder would. */
const ferryIn = (cwd: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> => ferryCli(args, env, { cwd });

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describe('ferry data (versioning)', () => {
  let dir: string;
  let project: string;
  let clone: string;
  let env: Record<string, string>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-data-cli-'));
    project = join(dir, 'project');
    clone = join(dir, 'clone');
    mkdirSync(join(project, '.git'), { recursive: true });
    mkdirSync(join(clone, '.git'), { recursive: true });
    mkdirSync(join(project, 'data', 'parts'), { recursive: true });
    writeFileSync(join(project, 'data', 'train.csv'), 'id,label\n1,a\n2,b\n');
    writeFileSync(join(project, 'data', 'parts', 'p1.bin'), 'part one');
    writeFileSync(join(project, 'data', 'parts', 'p2.bin'), 'part two');
    env = { FERRY_DATA_REMOTE: pathToFileURL(join(dir, 'remote')).href };
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('add writes pointers and reports what it stored', async () => {
    const r = await ferryIn(project, ['data', 'add', 'data/train.csv', 'data/parts']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Added data\/train\.csv → data\/train\.csv\.ferry \(\d+ B, sha256:[0-9a-f]{12}…; 1 new blob; csv, 2 rows × 2 columns\)\n/);
    assert.match(r.stdout, /Added data\/parts → data\/parts\.ferry \(2 files, 16 B, .*3 new blobs\)/);
    assert.match(readFileSync(join(project, 'data', 'parts.ferry'), 'utf8'), /kind: directory\n.*\nsize: 16\nfiles: 2\n/s);
    assert.equal(readFileSync(join(project, 'data', '.gitignore'), 'utf8'), '/train.csv\n/parts\n');
    const json = JSON.parse((await ferryIn(project, ['data', 'add', 'data/parts', '--json'])).stdout);
    assert.equal(json.added[0].changed, false);
    assert.equal(json.added[0].pointerPath, 'data/parts.ferry');
  });

  it('status shows in sync, modified and missing, also as --json', async () => {
    writeFileSync(join(project, 'data', 'parts', 'p2.bin'), 'part TWO');
    rmSync(join(project, 'data', 'train.csv'));
    const r = await ferryIn(project, ['data', 'status']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'POINTER               WORKSPACE  CACHE\ndata/parts.ferry      modified   ok\ndata/train.csv.ferry  missing    ok\ndata/parts.ferry:\n  modified: p2.bin\n');
    const json = JSON.parse((await ferryIn(project, ['data', 'status', '--json'])).stdout);
    assert.deepEqual(json.pointers.map((e: { pointer: string; workspace: string }) => [e.pointer, e.workspace]), [['data/parts.ferry', 'modified'], ['data/train.csv.ferry', 'missing']]);
    const co = await ferryIn(project, ['data', 'checkout']);
    assert.equal(co.code, 1, 'a kept local change is a failure to check out');
    assert.equal(co.stdout, 'Kept local changes in data/parts (use --force to overwrite): p2.bin\nRestored data/train.csv (1 file)\n');
    assert.equal((await ferryIn(project, ['data', 'checkout', '--force'])).code, 0);
    assert.equal(readFileSync(join(project, 'data', 'parts', 'p2.bin'), 'utf8'), 'part two');
  });

  it('push then pull into a clone holding only the pointers restores the data', async () => {
    const push = await ferryIn(project, ['data', 'push'], env);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /^Pushed 4 blobs \(\d+ B\) to file:.*; 0 already there\.\n$/);
    const status = JSON.parse((await ferryIn(project, ['data', 'status', '-c', '--json'], env)).stdout);
    assert.deepEqual(status.pointers.map((e: { remote: { missing: number } }) => e.remote.missing), [0, 0]);

    mkdirSync(join(clone, 'data'));
    for (const f of ['train.csv.ferry', 'parts.ferry']) copyFileSync(join(project, 'data', f), join(clone, 'data', f));
    const pull = await ferryIn(clone, ['data', 'pull'], env);
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(pull.stdout, /^Fetched 4 blobs .*\nRestored data\/parts \(2 files\)\nRestored data\/train\.csv \(1 file\)\n$/);
    for (const rel of ['data/train.csv', 'data/parts/p1.bin', 'data/parts/p2.bin']) assert.equal(readFileSync(join(clone, rel), 'utf8'), readFileSync(join(project, rel), 'utf8'));
  });

  it('import-dvc registers DVC data and exits 1 for an output it cannot verify', async () => {
    const repo = join(dir, 'dvcrepo');
    mkdirSync(join(repo, '.dvc', 'cache', 'files', 'md5', md5('x,y\n1,2\n').slice(0, 2)), { recursive: true });
    writeFileSync(join(repo, 'good.csv'), 'x,y\n1,2\n');
    writeFileSync(join(repo, 'good.csv.dvc'), `outs:\n- md5: ${md5('x,y\n1,2\n')}\n  size: 8\n  hash: md5\n  path: good.csv\n`);
    writeFileSync(join(repo, 'bad.csv'), 'tampered');
    writeFileSync(join(repo, 'bad.csv.dvc'), `outs:\n- md5: ${md5('original')}\n  size: 8\n  hash: md5\n  path: bad.csv\n`);
    const r = await ferryIn(repo, ['data', 'import-dvc']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^FAILED bad\.csv \(bad\.csv\.dvc\): no pointer written\n {2}expected md5 [0-9a-f]{32}, but the workspace copy has md5 [0-9a-f]{32}; not in the DVC cache .*\nImported good\.csv \(good\.csv\.dvc\) → good\.csv\.ferry \(1 file, 8 B, verified; from workspace\)\n$/);
    assert.match(readFileSync(join(repo, 'good.csv.ferry'), 'utf8'), /format: csv/);
  });

  it('import-dvc --register records each verified output in the dataset registry, and nothing of a failed one', async () => {
    const server = await startTestServer();
    try {
      const repo = join(dir, 'dvcrepo-register');
      mkdirSync(repo, { recursive: true });
      writeFileSync(join(repo, 'train data.csv'), 'x,y\n1,2\n');
      writeFileSync(join(repo, 'train data.csv.dvc'), `outs:\n- md5: ${md5('x,y\n1,2\n')}\n  size: 8\n  hash: md5\n  path: train data.csv\n`);
      writeFileSync(join(repo, 'bad.csv'), 'tampered');
      writeFileSync(join(repo, 'bad.csv.dvc'), `outs:\n- md5: ${md5('original')}\n  size: 8\n  hash: md5\n  path: bad.csv\n`);
      const r = await ferryIn(repo, ['data', 'import-dvc', '--register', '--url', server.url, '--json']);
      assert.equal(r.code, 1, r.stderr);
      const imported = JSON.parse(r.stdout).imported as { path: string; status: string; registered?: string }[];
      assert.deepEqual(imported.map((i) => [i.path, i.status, i.registered]), [
        ['bad.csv', 'failed', undefined],
        ['train data.csv', 'imported', 'datasets:/train-data.csv/1'],
      ]);
      const version = (await (await fetch(`${server.url}/api/ferry/v1/datasets/train-data.csv/versions/1`)).json()) as { dataset_version: { digest: string; source: string } };
      assert.equal(version.dataset_version.digest, `sha256:${createHash('sha256').update('x,y\n1,2\n').digest('hex')}`);
      assert.equal(version.dataset_version.source, 'dvc:train data.csv.dvc');
      assert.equal((await fetch(`${server.url}/api/ferry/v1/datasets/bad.csv`)).status, 404);
    } finally {
      await server.close();
    }
  });

  it('fails with a one-line error for bad input', async () => {
    const missing = await ferryIn(project, ['data', 'add', 'nope.csv']);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, 'error: Cannot add nope.csv: no such file or directory.\n');
    const noRemote = await ferryIn(project, ['data', 'push']);
    assert.equal(noRemote.code, 1);
    assert.match(noRemote.stderr, /^error: No data remote: pass --remote URL/);
    const badLink = await ferryIn(project, ['data', 'checkout', '--link', 'symlink']);
    assert.equal(badLink.stderr, "error: Unknown link mode 'symlink': use copy or hardlink.\n");
  });

  it('remote set stores the default remote in .ferry/config.yaml; --help has examples', async () => {
    const set = await ferryIn(clone, ['data', 'remote', 'set', env.FERRY_DATA_REMOTE!]);
    assert.equal(set.code, 0, set.stderr);
    assert.equal(readFileSync(join(clone, '.ferry', 'config.yaml'), 'utf8'), `remote: ${env.FERRY_DATA_REMOTE}\n`);
    const show = await ferryIn(join(clone, 'data'), ['data', 'remote', 'show']);
    assert.equal(show.stdout, `${env.FERRY_DATA_REMOTE} (from ../.ferry/config.yaml)\n`);
    const help = await ferryIn(clone, ['data', 'add', '--help']);
    assert.match(help.stdout, /Examples:\n {2}\$ ferry data add data\/train\.parquet/);
  });
});
