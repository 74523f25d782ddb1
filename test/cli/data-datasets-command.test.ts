import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { defaultSource, formatBytes, parseShowTarget, pointerPathFor } from '../../src/cli/commands/data-datasets-command.js';
import { formatPointer } from '../../src/data/versioning/pointer-file.js';
import type { LineageGraph } from '../../src/registry/lineage-types.js';
import { Ferry } from '../../src/sdk/ferry-client.js';
import { ferryCli, ferryJson } from '../helpers/ferry-cli.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const sha = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

describe('ferry data register / link / datasets', () => {
  let server: TestServer;
  let env: Record<string, string>;
  let repo: string;
  let dataPath: string;
  let runId: string;
  const name = `cli-train-${process.pid}`;
  const digest = sha('train.parquet bytes');

  before(async () => {
    server = await startTestServer();
    env = { FERRY_URL: server.url };
    repo = await mkdtemp(join(tmpdir(), 'ferry-cli-datasets-'));
    await mkdir(join(repo, '.git'));
    await mkdir(join(repo, 'data'));
    dataPath = join(repo, 'data', 'train.parquet');
    const pointer = { ferry: 1 as const, path: 'train.parquet', kind: 'file' as const, digest, size: 2_500_000, files: 1, schema: { format: 'parquet' as const, rows: 3, columns: [{ name: 'id', type: 'BIGINT' }] } };
    await writeFile(`${dataPath}.ferry`, formatPointer(pointer));
    const run = await new Ferry({ url: server.url }).runs.start({ experimentName: 'cli-datasets', runName: 'fit' });
    runId = run.id;
  });
  after(async () => {
    await server.close();
    await rm(repo, { recursive: true, force: true });
  });

  describe('helpers', () => {
    it('parseShowTarget reads NAME, NAME/VERSION, NAME@latest and datasets: refs', () => {
      assert.deepEqual(parseShowTarget('train'), { name: 'train' });
      assert.deepEqual(parseShowTarget('train/2'), { name: 'train', version: 2 });
      assert.deepEqual(parseShowTarget('train@latest'), { name: 'train', version: 'latest' });
      assert.deepEqual(parseShowTarget('datasets:/train/4'), { name: 'train', version: 4 });
      assert.throws(() => parseShowTarget('train/two'), /datasets:\/NAME\/VERSION/);
    });

    it('formatBytes prints SI units', () => {
      assert.deepEqual([formatBytes(999), formatBytes(2_500_000), formatBytes(3e12)], ['999 B', '2.5 MB', '3.0 TB']);
    });

    it('finds the pointer beside the data or takes the pointer itself; defaults the source to the repo path', async () => {
      assert.deepEqual(await pointerPathFor(dataPath), { pointerPath: `${dataPath}.ferry`, dataPath });
      assert.deepEqual(await pointerPathFor(`${dataPath}.ferry`), { pointerPath: `${dataPath}.ferry`, dataPath });
      await assert.rejects(pointerPathFor(join(repo, 'nope.csv')), /No pointer file .*nope\.csv\.ferry: run `ferry data add/);
      assert.equal(await defaultSource(dataPath), 'data/train.parquet');
    });
  });

  it('registers a pointer, answers the same version again, lists and shows it', async () => {
    const first = await ferryCli(['data', 'register', dataPath, '--name', name, '--description', 'three rows', '--tag', 'split=train'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, `Registered ${name} v1 (${digest.slice(0, 19)}…) as datasets:/${name}/1\n`);

    const [again, list, show, showVersion] = await Promise.all([
      ferryJson(['data', 'register', `${dataPath}.ferry`, '--name', name], env),
      ferryCli(['data', 'datasets', 'list', '--name-contains', name], env),
      ferryCli(['data', 'datasets', 'show', name], env),
      ferryJson(['data', 'datasets', 'show', `${name}/1`], env),
    ]);
    assert.equal(again.created, false);
    assert.equal(again.dataset_version.version, 1);

    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME\s+LATEST\s+DIGEST\s+SIZE\s+FILES\s+UPDATED\s+DESCRIPTION$/);
    assert.match(lines[1]!, new RegExp(`^${name}\\s+v1\\s+${digest.slice(0, 19)}\\s+2\\.5 MB\\s+1\\s+\\S+ \\S+\\s+three rows$`));

    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, new RegExp(`^dataset ${name} · 1 version\\n  description: three rows\\n`));
    assert.match(show.stdout, /\n\s+1\s+sha256:\w{12}\s+file\s+2\.5 MB\s+1\s+\S+ \S+\s+data\/train\.parquet\n/);

    assert.deepEqual(
      [showVersion.dataset_version.digest, showVersion.dataset_version.source, showVersion.dataset_version.tags],
      [digest, 'data/train.parquet', { split: 'train' }],
    );
  });

  it('links a version to a run so `ferry lineage --dataset` finds the run', async () => {
    await new Ferry({ url: server.url }).datasets.register({ name: `${name}-link`, digest, kind: 'file', size: 10, files: 1 });
    const link = await ferryCli(['data', 'link', runId, `datasets:/${name}-link/1`, '--context', 'training'], env);
    assert.equal(link.code, 0, link.stderr);
    assert.match(link.stdout, new RegExp(`^Linked datasets:/${name}-link/1 \\(sha256:\\w{12}…\\) to run ${runId} as training data\\n$`));
    const graph = await ferryJson<LineageGraph>(['lineage', '--dataset', `${name}-link`], env);
    assert.deepEqual(graph.roots, [`dataset:${name}-link@${digest.slice(7, 39)}`]);
    const edge = graph.edges.find((e) => e.type === 'trained_on');
    assert.deepEqual([edge?.from, edge?.attributes?.context], [`run:${runId}`, 'training']);
  });

  it('fails with exit code 1 and a message saying what to fix, and explains itself in --help', async () => {
    const [missing, badName, unknown, help] = await Promise.all([
      ferryCli(['data', 'register', join(repo, 'absent.csv'), '--name', 'x'], env),
      ferryCli(['data', 'register', dataPath, '--name', 'no spaces'], env),
      ferryCli(['data', 'datasets', 'show', 'never-registered'], env),
      ferryCli(['data', 'register', '--help'], env),
    ]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: No pointer file .*absent\.csv\.ferry: run `ferry data add/);
    assert.equal(badName.code, 1);
    assert.match(badName.stderr, /^error: Invalid dataset name 'no spaces'/);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No dataset 'never-registered'/);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Examples:\n  \$ ferry data register data\/train\.parquet --name transactions/);
    assert.match(help.stdout, /--source <uri>/);
  });
});
