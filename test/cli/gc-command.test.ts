import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseDuration } from '../../src/cli/commands/gc-command.js';
import { InvalidArgumentError, NotFoundError } from '../../src/errors.js';
import { Ferry } from '../../src/sdk/ferry-client.js';
import { proxyPathOf } from '../../src/sdk/artifacts-api.js';
import { ferryCli, ferryJson } from '../helpers/ferry-cli.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';

const exists = (p: string) => access(p).then(
  () => true,
  () => false,
);

describe('ferry gc', () => {
  let server: TestServer;
  let ferry: Ferry;
  const artifactDir = (uri: string) => join(server.home, 'artifacts', proxyPathOf(uri)!);

  before(async () => {
    server = await startTestServer();
    ferry = new Ferry({ url: server.url });
  });
  after(async () => {
    await server.close();
  });

  async function runWithArtifact(experimentName: string) {
    const run = await ferry.runs.start({ experimentName });
    run.log({ m: 1 });
    await run.end();
    await ferry.artifacts.upload(run.id, 'model/w.bin', Buffer.from('weights'));
    assert.ok(await exists(join(artifactDir(run.info.artifactUri), 'model', 'w.bin')));
    return run;
  }

  it('removes deleted runs with their artifacts and keeps active ones', async () => {
    const kept = await runWithArtifact('gc');
    const gone = await runWithArtifact('gc');
    await ferry.runs.delete(gone.id);

    const dry = await ferryJson<{ dryRun: boolean; runs: Array<{ runId: string }> }>(['gc', '--dry-run', '--home', server.home]);
    assert.equal(dry.dryRun, true);
    assert.deepEqual(dry.runs.map((r) => r.runId), [gone.id]);
    assert.equal((await ferry.runs.get(gone.id)).info.lifecycleStage, 'deleted', 'a dry run removes nothing');

    const young = await ferryJson<{ runs: unknown[] }>(['gc', '--older-than', '1d', '--home', server.home]);
    assert.deepEqual(young.runs, [], 'a run deleted just now is younger than a day');

    const r = await ferryCli(['gc', '--home', server.home]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Removed 1 deleted run\(s\) and their artifacts:\nRUN ID\s+ARTIFACTS\n/);
    assert.ok(r.stdout.includes(gone.id));

    await assert.rejects(ferry.runs.get(gone.id), NotFoundError);
    assert.equal(await exists(artifactDir(gone.info.artifactUri)), false);
    assert.equal((await ferry.runs.get(kept.id)).info.lifecycleStage, 'active');
    assert.equal((await ferry.artifacts.download(kept.id, 'model/w.bin')).toString(), 'weights');
    assert.equal((await ferry.runs.metricHistory(kept.id, 'm')).length, 1);

    const again = await ferryCli(['gc', '--home', server.home]);
    assert.equal(again.stdout, 'No deleted runs to remove.\n');
  });

  it('limits itself to --experiment-ids', async () => {
    const inA = await runWithArtifact('gc-a');
    const inB = await runWithArtifact('gc-b');
    await ferry.runs.delete(inA.id);
    await ferry.runs.delete(inB.id);
    const out = await ferryJson<{ runs: Array<{ runId: string }> }>(['gc', '--experiment-ids', inA.info.experimentId, '--home', server.home]);
    assert.deepEqual(out.runs.map((r) => r.runId), [inA.id]);
    assert.equal((await ferry.runs.get(inB.id)).info.lifecycleStage, 'deleted');
    assert.ok(await exists(artifactDir(inB.info.artifactUri)));
  });

  it('rejects a malformed duration in one line', async () => {
    const r = await ferryCli(['gc', '--older-than', '30 days', '--home', server.home]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: Invalid duration '30 days'/);
  });

  describe('parseDuration', () => {
    it('reads units and compound durations', () => {
      assert.equal(parseDuration('0s'), 0);
      assert.equal(parseDuration('0'), 0);
      assert.equal(parseDuration('30d'), 30 * 86_400_000);
      assert.equal(parseDuration('12h'), 12 * 3_600_000);
      assert.equal(parseDuration('1d12h30m'), 86_400_000 + 12 * 3_600_000 + 30 * 60_000);
      assert.throws(() => parseDuration('12'), InvalidArgumentError);
      assert.throws(() => parseDuration('1x'), InvalidArgumentError);
    });
  });
});
