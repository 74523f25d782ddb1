import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readResources } from '../../src/cli/commands/apply-command.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';
import { linearPackage, openDeploymentHarness, registerVersions, type DeploymentHarness } from '../deployments/deployment-fixtures.js';
import { deployCli } from './deployments-cli-fixtures.js';

const sqlite = testDatabaseKinds().find((k) => k.name === 'sqlite')!;

describe('ferry apply', () => {
  let h: DeploymentHarness;
  let model: string;
  const yaml = (version: number, extra = '') => `apiVersion: ferry/v1
kind: Deployment
metadata:
  name: fraud
spec:
  strategy: canary
  model: models:/${model}/${version}
${extra}`;

  before(async () => {
    h = await openDeploymentHarness(sqlite, { listen: true });
    model = await registerVersions(h, 'cli', [linearPackage(), linearPackage({ bias: [10, 20] })]);
  });
  after(async () => {
    await h.close();
  });

  describe('readResources', () => {
    it('reads every document and refuses a bad one, naming the document and field, before anything is sent', () => {
      assert.equal(readResources(`${yaml(1)}---\n${yaml(2)}`, 'f.yaml').length, 2);
      assert.throws(() => readResources(`${yaml(1)}---\n${yaml(2, '  canary: {steps: [50, 10]}\n')}`, 'f.yaml'), /^InvalidArgumentError: f\.yaml \(document 2\): spec\.canary\.steps\[1\]: must be greater/);
      assert.throws(() => readResources('kind: Pipeline\n', 'f.yaml'), /kind "Pipeline" is not supported; ferry apply takes Deployment/);
      assert.throws(() => readResources('a: [1,\n', 'f.yaml'), /not valid YAML/);
      assert.throws(() => readResources('', 'f.yaml'), /holds no resources/);
    });
  });

  it('creates, reports unchanged, shows the diff of a change, and changes nothing on --dry-run', async () => {
    const file = join(h.home, 'ferry.yaml');
    await writeFile(file, yaml(1));
    const dryCreate = await deployCli(h.url, ['apply', '-f', file, '--dry-run']);
    assert.equal(dryCreate.code, 0, dryCreate.stderr);
    assert.match(dryCreate.stdout, /^deployment\/fraud would be created \(dry run\)\n/);
    assert.equal((await h.call('GET', '/api/ferry/v1/deployments/fraud')).status, 404);

    const created = await deployCli(h.url, ['apply', '-f', file]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout, `deployment/fraud created\n  → serving models:/${model}/1 (first version: nothing to compare a canary with)\n`);
    const [unchanged, dryChange] = await Promise.all([
      deployCli(h.url, ['apply', '-f', file]),
      (async () => {
        const next = join(h.home, 'next.yaml');
        await writeFile(next, yaml(2, '  canary: {steps: [20, 100], interval: 1h}\n'));
        return deployCli(h.url, ['apply', '-f', next, '--dry-run']);
      })(),
    ]);
    assert.equal(unchanged.stdout, 'deployment/fraud unchanged\n');
    assert.match(dryChange.stdout, /^deployment\/fraud would be configured \(dry run\)\n/);
    assert.ok(dryChange.stdout.includes(`  ~ spec.model: models:/${model}/1 → models:/${model}/2\n`), dryChange.stdout);
    assert.ok(dryChange.stdout.includes('  ~ spec.canary.steps: [5,25,50,100] → [20,100]\n'), dryChange.stdout);
    assert.equal((await h.call('GET', '/api/ferry/v1/deployments/fraud')).body.deployment.spec.model, `models:/${model}/1`);

    const configured = await deployCli(h.url, ['apply', '-f', '-', '--json'], yaml(2, '  canary: {steps: [20, 100], interval: 1h}\n'));
    assert.equal(configured.code, 0, configured.stderr);
    const [result] = JSON.parse(configured.stdout);
    assert.equal(result.action, 'configured');
    assert.equal(result.deployment.status.phase, 'progressing');
  });

  it('exits 1 with one line for a bad file and applies none of it', async () => {
    const file = join(h.home, 'bad.yaml');
    await writeFile(file, `${yaml(1).replace('name: fraud', 'name: first')}---\n${yaml(1).replace('name: fraud', 'name: second').replace('strategy: canary', 'strategy: bluegreen')}`);
    const r = await deployCli(h.url, ['apply', '-f', file]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `error: ${file} (document 2): spec.strategy: must be one of direct, canary, ab, shadow, got 'bluegreen'.\n`);
    assert.equal((await h.call('GET', '/api/ferry/v1/deployments/first')).status, 404);
    const missing = await deployCli(h.url, ['apply', '-f', join(h.home, 'nope.yaml')]);
    assert.match(missing.stderr, /^error: Cannot read '.*nope\.yaml'/);
  });
});
