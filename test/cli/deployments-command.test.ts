import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';
import { applyOk, deploymentDoc, linearPackage, openDeploymentHarness, registerVersions, type DeploymentHarness } from '../deployments/deployment-fixtures.js';
import { deployCli } from './deployments-cli-fixtures.js';

const sqlite = testDatabaseKinds().find((k) => k.name === 'sqlite')!;

describe('ferry deployments list|show|delete', () => {
  let h: DeploymentHarness;
  let model: string;

  before(async () => {
    h = await openDeploymentHarness(sqlite, { listen: true });
    model = await registerVersions(h, 'cli', [linearPackage(), linearPackage({ bias: [10, 20] })]);
  });
  after(async () => {
    await h.close();
  });

  it('says how to start when there are none', async () => {
    const r = await deployCli(h.url, ['deployments', 'list']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'No deployments. Create one with: ferry apply -f ferry.yaml\n');
  });

  it('lists, shows (status and the spec as YAML, or JSON) and deletes', async () => {
    await applyOk(h, deploymentDoc('ab-test', { strategy: 'ab', variants: [{ name: 'a', model: `models:/${model}/1`, weight: 40 }, { name: 'b', model: `models:/${model}/2`, weight: 60 }] }));
    await applyOk(h, deploymentDoc('fraud', { model: `models:/${model}/1` }));
    await applyOk(h, deploymentDoc('fraud', { model: `models:/${model}/2` }));
    const [list, show, json] = await Promise.all([
      deployCli(h.url, ['deployments', 'list']),
      deployCli(h.url, ['deployments', 'show', 'fraud']),
      deployCli(h.url, ['deployments', 'show', 'ab-test', '--json']),
    ]);
    assert.equal(list.code, 0, list.stderr);
    const lines = list.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^NAME\s+STRATEGY\s+PHASE\s+SERVING\s+UPDATED$/);
    assert.match(lines[1]!, new RegExp(`^ab-test\\s+ab\\s+ready\\s+a ${model} v1 40%, b ${model} v2 60%\\s+\\d{4}-`));
    assert.match(lines[2]!, new RegExp(`^fraud\\s+direct\\s+ready\\s+stable ${model} v2 100%`));

    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /^Deployment fraud \(direct\) · ready\n/);
    assert.ok(show.stdout.includes(`  previous: ${model} v1 (loaded until `), show.stdout);
    const spec = parseYaml(show.stdout.slice(show.stdout.indexOf('apiVersion:')));
    assert.deepEqual(spec.spec.model, `models:/${model}/2`);
    assert.equal(JSON.parse(json.stdout).spec.variants[1].weight, 60);

    const deleted = await deployCli(h.url, ['deployments', 'delete', 'ab-test']);
    assert.equal(deleted.stdout, 'deployment/ab-test deleted\n');
    const gone = await deployCli(h.url, ['deployments', 'show', 'ab-test']);
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr, "error: Deployment 'ab-test' does not exist.\n");
  });
});
