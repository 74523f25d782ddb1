import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { auditTarget, summarizeChange } from '../../src/cli/commands/audit-command.js';
import type { AuditEntry } from '../../src/registry/registry-types.js';
import { ferryCli, ferryJson } from '../helpers/ferry-cli.js';
import { startTestServer, type TestServer } from '../helpers/test-server.js';
import { harnessOf } from '../registry/lineage-fixtures.js';
import { registryClient } from '../registry/registry-fixtures.js';

const entry = (e: Partial<AuditEntry>): AuditEntry => ({
  id: 1,
  at: 0,
  actor: 'ana',
  entityType: 'model_version',
  entityName: 'm',
  entityVersion: 1,
  action: 'update',
  before: null,
  after: null,
  ...e,
});

describe('ferry audit', () => {
  let server: TestServer;
  let env: Record<string, string>;
  let runId: string;

  before(async () => {
    server = await startTestServer();
    env = { FERRY_URL: server.url };
    const c = registryClient(harnessOf(server.app));
    runId = (await c.buildRun()).runId;
    const as = (user: string) => ({ user_id: user });
    await c.ok('POST', '/registered-models/create', { name: 'fraud', ...as('ana') });
    await c.ok('POST', '/model-versions/create', { name: 'fraud', source: `runs:/${runId}/model`, ...as('ana') });
    await c.ok('POST', '/model-versions/create', { name: 'fraud', source: `runs:/${runId}/model`, ...as('bob') });
    await c.ok('POST', '/registered-models/alias', { name: 'fraud', alias: 'champion', version: '1', ...as('ana') });
    await c.ok('POST', '/registered-models/alias', { name: 'fraud', alias: 'champion', version: '2', ...as('bob') });
    await c.ok('POST', '/registered-models/set-tag', { name: 'fraud', key: 'team', value: 'risk', ...as('ana') });
    await c.ok('POST', '/model-versions/transition-stage', { name: 'fraud', version: '2', stage: 'Staging', archive_existing_versions: false, ...as('bob') });
    await c.ok('POST', '/registered-models/create', { name: 'other', ...as('eve') });
  });
  after(async () => {
    await server.close();
  });

  it("prints a model's history as a table, oldest first: who, when, what, before → after", async () => {
    const r = await ferryCli(['audit', '--model', 'fraud'], env);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trimEnd().split('\n');
    assert.match(lines[0]!, /^WHEN\s+WHO\s+MODEL\s+TARGET\s+ACTION\s+CHANGE$/);
    const rows = lines.slice(1).map((l) => l.replace(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+/, '').split(/\s{2,}/));
    assert.deepEqual(rows, [
      ['ana', 'fraud', 'model', 'create', 'created'],
      ['ana', 'fraud', 'v1', 'create', `created from runs:/${runId}/model`],
      ['bob', 'fraud', 'v2', 'create', `created from runs:/${runId}/model`],
      ['ana', 'fraud', '@champion', 'set_alias', '@champion: (none) → v1'],
      ['bob', 'fraud', '@champion', 'set_alias', '@champion: v1 → v2'],
      ['ana', 'fraud', 'model', 'set_tag', 'tag team: (none) → risk'],
      ['bob', 'fraud', 'v2', 'transition_stage', 'currentStage: None → Staging'],
    ]);
  });

  it('keeps the most recent entries with --limit and one version with --model-version', async () => {
    const last = await ferryJson<AuditEntry[]>(['audit', '--model', 'fraud', '--limit', '2'], env);
    assert.deepEqual(last.map((e) => e.action), ['set_tag', 'transition_stage']);
    const v2 = await ferryJson<AuditEntry[]>(['audit', '--model', 'fraud', '--model-version', '2'], env);
    assert.deepEqual(v2.map((e) => e.action), ['create', 'set_alias', 'transition_stage']);
  });

  it('prints full before and after states with --json', async () => {
    const entries = await ferryJson<AuditEntry[]>(['audit', '--model', 'fraud'], env);
    assert.equal(entries.length, 7);
    const moved = entries[4]!;
    assert.equal(moved.actor, 'bob');
    assert.deepEqual(moved.before, { alias: 'champion', version: 1 });
    assert.deepEqual(moved.after, { alias: 'champion', version: 2 });
    assert.equal((entries[1]!.after as { source: string }).source, `runs:/${runId}/model`);
  });

  it('shows the whole registry without --model, and says when a model has no history', async () => {
    const all = await ferryJson<AuditEntry[]>(['audit'], env);
    assert.deepEqual([...new Set(all.map((e) => e.entityName))], ['fraud', 'other']);
    const none = await ferryCli(['audit', '--model', 'nobody'], env);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stdout, "No audit entries for model 'nobody'.\n");
    const bad = await ferryCli(['audit', '--limit', '0'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /--limit must be a positive integer/);
  });

  it('explains itself with examples in --help', async () => {
    const r = await ferryCli(['audit', '--help'], env);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Examples:\n\s+\$ ferry audit --model fraud\n/);
  });

  describe('summarizeChange', () => {
    it('names deletions, renames, descriptions and nested changes', () => {
      assert.equal(summarizeChange(entry({ action: 'delete', before: { name: 'm', version: 1 } })), 'deleted');
      assert.equal(summarizeChange(entry({ entityType: 'registered_model', action: 'rename', before: { name: 'a' }, after: { name: 'b' } })), 'name: a → b');
      assert.equal(summarizeChange(entry({ before: { description: '' }, after: { description: 'new' } })), 'description: (none) → new');
      assert.equal(summarizeChange(entry({ before: { tags: { a: '1' }, x: 1 }, after: { tags: { a: '2' }, x: 1 } })), 'tags.a: 1 → 2');
      assert.equal(summarizeChange(entry({ action: 'delete_alias', before: { alias: 'c', version: 3 } })), '@c: v3 → (none)');
      assert.equal(summarizeChange(entry({ action: 'delete_tag', before: { key: 'k', value: 'v' } })), 'tag k: v → (none)');
      assert.equal(summarizeChange(entry({ before: { a: 1 }, after: { a: 1 } })), '(no change)');
    });

    it('targets the model, a version or an alias', () => {
      assert.equal(auditTarget(entry({ entityType: 'registered_model', entityVersion: null })), 'model');
      assert.equal(auditTarget(entry({ entityVersion: 4 })), 'v4');
      assert.equal(auditTarget(entry({ entityType: 'registered_model_alias', after: { alias: 'prod', version: 1 } })), '@prod');
    });
  });
});
