import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT, cleanEnv } from '../helpers/server-process.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';
import { applyOk, deploymentDoc, inferOnce, linearPackage, openDeploymentHarness, registerVersions, type DeploymentHarness } from '../deployments/deployment-fixtures.js';
import { deployCli, type CliRun } from './deployments-cli-fixtures.js';

const sqlite = testDatabaseKinds().find((k) => k.name === 'sqlite')!;

/**
 * `ferry ab …` in a child process. The command is registered on a program of
 * its own here, as src/cli/main.ts registers it.
 */
function abCli(url: string, args: string[]): Promise<CliRun> {
  const script = `
    import { Command } from 'commander';
    import { registerAbCommands } from './src/cli/commands/ab-command.ts';
    import { runCli } from './src/cli/run-cli.ts';
    const program = new Command('ferry');
    registerAbCommands(program);
    await runCli(program);`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, 'ferry', ...args, '--url', url], { cwd: REPO_ROOT, env: cleanEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe('ferry ab report', () => {
  let h: DeploymentHarness;

  before(async () => {
    h = await openDeploymentHarness(sqlite, { listen: true });
    const model = await registerVersions(h, 'abcli', [linearPackage(), linearPackage({ bias: [10, -20] })]);
    await applyOk(
      h,
      deploymentDoc('pricing', {
        strategy: 'ab',
        variants: [
          { name: 'a', model: `models:/${model}/1`, weight: 50 },
          { name: 'b', model: `models:/${model}/2`, weight: 50 },
        ],
      }),
    );
    // Arm a is always right, arm b always wrong.
    const feedback: Array<{ request_id: string; label: number }> = [];
    for (let i = 0; i < 60; i++) {
      const r = await inferOnce(h, 'pricing', [1, 2, 3, 4], { 'x-request-id': `q-${i}`, 'x-ferry-user': `user-${i}` });
      const [s0, s1] = r.body.outputs[0].data as number[];
      const predicted = s1! > s0! ? 1 : 0;
      feedback.push({ request_id: `q-${i}`, label: r.variant === 'a' ? predicted : 1 - predicted });
    }
    const res = await h.call('POST', '/api/ferry/v1/deployments/pricing/feedback', { feedback });
    assert.equal(res.body.accepted, 60, JSON.stringify(res.body));
  });
  after(async () => {
    await h.close();
  });

  it('prints per-variant traffic and quality with intervals, the test, and the winner', async () => {
    const r = await abCli(h.url, ['ab', 'report', 'pricing']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], 'A/B report for pricing · accuracy (classification), 95% intervals');
    assert.match(lines[2]!, /^VARIANT\s+VERSION\s+REQUESTS\s+LOGGED\s+ERRORS\s+LABELLED\s+ACCURACY\s+INTERVAL$/);
    assert.match(lines[3]!, /^a\s+1\s+\d+\s+\d+\s+0\s+\d+\s+1\s+\[0\.\d+, 1\]$/);
    assert.match(lines[4]!, /^b\s+2\s+\d+\s+\d+\s+0\s+\d+\s+0\s+\[0, 0\.\d+\]$/);
    assert.match(r.stdout, /b vs a: difference -1, two-proportion z-test: p=[\d.e-]+ \(significant\)/);
    assert.match(r.stdout, /\nVerdict: a wins on accuracy \(p=[\d.e-]+\)\n$/);
  });

  it('prints the report as JSON with --json', async () => {
    const r = await abCli(h.url, ['ab', 'report', 'pricing', '--metric', 'precision', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.metric, 'precision');
    assert.deepEqual(report.variants.map((v: { variant: string }) => v.variant), ['a', 'b']);
    assert.equal(report.variants.reduce((s: number, v: { labelled: number }) => s + v.labelled, 0), 60);
  });

  it('fails with a one-line error for an unknown metric or deployment', async () => {
    const bad = await abCli(h.url, ['ab', 'report', 'pricing', '--metric', 'speed']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: metric must be one of accuracy, precision, recall, f1, auc, mae, rmse, got 'speed'\.\n$/);
    const ghost = await abCli(h.url, ['ab', 'report', 'ghost']);
    assert.equal(ghost.code, 1);
    assert.equal(ghost.stderr, "error: Deployment 'ghost' does not exist.\n");
  });
});

describe('ferry deployments predictions', () => {
  let h: DeploymentHarness;

  before(async () => {
    h = await openDeploymentHarness(sqlite, { listen: true });
    const model = await registerVersions(h, 'predcli', [linearPackage()]);
    await applyOk(h, deploymentDoc('logged', { model: `models:/${model}/1` }));
    for (let i = 0; i < 3; i++) await inferOnce(h, 'logged', [1, 2, 3, 4], { 'x-request-id': `p-${i}` });
  });
  after(async () => {
    await h.close();
  });

  it('lists the latest logged predictions as a table or JSON', async () => {
    const [table, json] = await Promise.all([deployCli(h.url, ['deployments', 'predictions', 'logged', '--limit', '2']), deployCli(h.url, ['deployments', 'predictions', 'logged', '--json'])]);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^TIME\s+REQUEST ID\s+VARIANT\s+VERSION\s+STATUS\s+LATENCY MS\s+OUTPUTS$/);
    assert.equal(lines.length, 3);
    assert.match(lines[1]!, /\sp-\d\s+stable\s+1\s+ok\s/);
    const list = JSON.parse(json.stdout);
    assert.deepEqual(list.map((p: { requestId: string }) => p.requestId).sort(), ['p-0', 'p-1', 'p-2']);
    assert.equal(JSON.parse(list[0].inputs)[0].name, 'x');
  });
});
