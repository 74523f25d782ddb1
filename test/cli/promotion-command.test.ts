import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ferryCli, type CliResult } from '../helpers/ferry-cli.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { governanceClient, httpHarness, type GovernanceClient } from '../registry/governance/governance-fixtures.js';

/** Runs `ferry models <args>` (the promotion commands) against the test server. */
const models = (server: TestServer, args: string[]): Promise<CliResult> => ferryCli(['models', ...args, '--url', server.url]);

const POLICY_YAML = `
metrics:
  - val_auc >= 0.85
baseline:
  metric: val_auc
  direction: higher
  minImprovement: 0.01
approval:
  required: true
  approvers: [alice]
`;

describe('ferry models promote|approve|reject|promotions|policy|card', () => {
  let server: TestServer;
  let g: GovernanceClient;
  let dir: string;
  let name: string;

  before(async () => {
    server = await startTestServer();
    g = governanceClient(httpHarness(server.url));
    dir = await mkdtemp(join(tmpdir(), 'ferry-policy-'));
    name = g.unique('cli');
    await g.pointAlias(name, 'production', await g.candidate(name, { metrics: { val_auc: 0.85 } }));
  });
  after(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('policy', () => {
    it('sets a policy from a YAML file and shows it as a table or JSON', async () => {
      const file = join(dir, 'policy.yaml');
      await writeFile(file, POLICY_YAML);
      const set = await models(server, ['policy', 'set', name, '--alias', 'production', '--file', file]);
      assert.equal(set.code, 0, set.stderr);
      assert.match(set.stdout, new RegExp(`^Policy for '${name}@production'`));
      assert.match(set.stdout, /^RULE\s+REQUIREMENT$/m);
      assert.match(set.stdout, /^metric\s+val_auc >= 0\.85$/m);
      assert.match(set.stdout, /^baseline\s+val_auc \(higher is better\): beat the current version by at least 0\.01$/m);
      assert.match(set.stdout, /^approval\s+required, by admins, alice$/m);
      const show = await models(server, ['policy', 'show', name, '--alias', 'production', '--json']);
      assert.equal(show.code, 0, show.stderr);
      assert.deepEqual(JSON.parse(show.stdout).rules.metrics, [{ metric: 'val_auc', op: '>=', threshold: 0.85 }]);
      const all = await models(server, ['policy', 'show', name]);
      assert.match(all.stdout, /^signature\s+not checked$/m);
    });

    it('refuses a bad policy file in one line', async () => {
      const file = join(dir, 'bad.yaml');
      await writeFile(file, 'metrics: [val_auc => 1]\n');
      const r = await models(server, ['policy', 'set', name, '--alias', 'staging', '--file', file]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error: Cannot read metric rule 'val_auc => 1'/);
      const missing = await models(server, ['policy', 'set', name, '--alias', 'staging', '--file', join(dir, 'nope.yaml')]);
      assert.match(missing.stderr, /^error: Cannot read policy file/);
    });
  });

  describe('promote, approve, reject', () => {
    it('prints the failing check and its numbers and exits 1 when a promotion is refused', async () => {
      const v = await g.candidate(name, { metrics: { val_auc: 0.8 } });
      const r = await models(server, ['promote', name, String(v), '--to', 'production']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error: Promotion of '.+' version \d+ to 'production' failed 2 of 2 checks \(request #\d+\): metric val_auc >= 0\.85: observed 0\.8, which is not >= 0\.85; baseline val_auc .*a regression of 0\.05\n$/);
    });

    it('leaves a passing request pending with its checks, then approves it', async () => {
      const v = await g.candidate(name, { metrics: { val_auc: 0.9 } });
      const r = await models(server, ['promote', name, String(v), '--to', 'production']);
      assert.equal(r.code, 0, r.stderr);
      const id = /Request #(\d+):/.exec(r.stdout)?.[1];
      assert.ok(id, r.stdout);
      assert.match(r.stdout, new RegExp(`awaits approval: ferry models approve ${id}`));
      assert.match(r.stdout, /^CHECK\s+RESULT\s+DETAIL$/m);
      assert.match(r.stdout, /^metric\s+passed\s+metric val_auc >= 0\.85: observed 0\.9$/m);
      const approved = await models(server, ['approve', id!, '--comment', 'reviewed', '--json']);
      assert.equal(approved.code, 0, approved.stderr);
      assert.deepEqual([JSON.parse(approved.stdout).status, JSON.parse(approved.stdout).comment], ['promoted', 'reviewed']);
      assert.equal(await g.holder(name, 'production'), v);
    });

    it('rejects a pending request, and lists requests as a table', async () => {
      const v = await g.candidate(name, { metrics: { val_auc: 0.99 } });
      const pending = JSON.parse((await models(server, ['promote', name, String(v), '--to', 'production', '--json'])).stdout);
      assert.equal(pending.status, 'pending');
      const r = await models(server, ['reject', String(pending.id), '--comment', 'needs review']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^Rejected request #${pending.id} .* \\("needs review"\\)\\.$`, 'm'));
      const list = await models(server, ['promotions', name]);
      assert.match(list.stdout, /^ID\s+VERSION\s+ALIAS\s+STATUS\s+REQUESTED BY\s+REQUESTED\s+DECIDED BY$/m);
      assert.match(list.stdout, new RegExp(`^${pending.id}\\s+${v}\\s+production\\s+rejected\\s`, 'm'));
      const again = await models(server, ['approve', String(pending.id)]);
      assert.equal(again.code, 1);
      assert.match(again.stderr, /is rejected, not pending/);
    });
  });

  describe('card', () => {
    it('prints the Markdown card, or its data with --json', async () => {
      const r = await models(server, ['card', name, '1']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^# ${name} — version 1\\n`));
      assert.match(r.stdout, /## Promotion history/);
      const json = JSON.parse((await models(server, ['card', name, '1', '--json'])).stdout);
      assert.equal(json.card.version, 1);
      assert.equal((await models(server, ['card', name, '99'])).code, 1);
    });
  });
});
