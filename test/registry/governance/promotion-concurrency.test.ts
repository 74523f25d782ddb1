import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConflictError } from '../../../src/errors.js';
import { Governance } from '../../../src/registry/governance/index.js';
import type { RunService } from '../../../src/tracking/run-service.js';
import { openApiHarness, type ApiHarness } from '../../helpers/api-server.js';
import { freePort, spawnCli, stopProcess, waitForHealth, type CliProcess } from '../../helpers/server-process.js';
import { testDatabaseKinds } from '../../helpers/test-database-urls.js';
import { governanceClient, httpHarness, V1, type GovernanceClient } from './governance-fixtures.js';

const POLICY = { baseline: { metric: 'val_auc', direction: 'higher', minImprovement: 0.01 } };
const CONTENDERS = 6;

/**
 * A RunService whose reads wait until `parties` callers have arrived, so that
 * concurrent promotions all judge their checks against the same holder
 * before any of them commits: the compare-and-set must then pick one.
 */
function barrierRuns(real: RunService, parties: number): RunService {
  let arrived = 0;
  let release!: () => void;
  const open = new Promise<void>((resolve) => (release = resolve));
  return {
    get: async (runId: unknown) => {
      if (++arrived >= parties) release();
      await open;
      return real.get(runId);
    },
  } as unknown as RunService;
}

/** The versions that won and the statuses of every request of `name`, from the API. */
async function outcome(g: GovernanceClient, name: string): Promise<{ promoted: number[]; statuses: string[]; moves: any[] }> {
  const requests = (await g.ok('GET', `${V1}/models/${name}/promotions`)).requests;
  const moves = (await g.audit({ model: name })).filter((e: any) => e.action === 'set_alias' && e.after.promotionRequestId !== undefined);
  return { promoted: requests.filter((r: any) => r.status === 'promoted').map((r: any) => r.version), statuses: requests.map((r: any) => r.status), moves };
}

for (const kind of testDatabaseKinds()) {
  describe(`concurrent promotions to one alias (${kind.name})`, () => {
    let h: ApiHarness;
    let g: GovernanceClient;
    before(async () => {
      h = await openApiHarness(kind);
      g = governanceClient(h);
    });
    after(async () => h.close());

    /** A model with v1 (0.85) in production and `n` equally good candidates (0.90). */
    async function contested(n: number, policy: unknown = POLICY): Promise<{ name: string; candidates: number[] }> {
      const name = g.unique('race');
      const v1 = await g.candidate(name, { metrics: { val_auc: 0.85 } });
      await g.pointAlias(name, 'production', v1);
      assert.equal((await g.setPolicy(name, 'production', policy)).status, 200);
      const candidates: number[] = [];
      for (let i = 0; i < n; i++) candidates.push(await g.candidate(name, { metrics: { val_auc: 0.9 } }));
      return { name, candidates };
    }

    it('ends concurrent HTTP promotions with exactly one winner and every request recorded', async () => {
      const { name, candidates } = await contested(CONTENDERS);
      const answers = await Promise.all(candidates.map((v) => g.promote(name, v, 'production')));
      assert.deepEqual(answers.map((a) => a.status).sort(), [201, ...Array(CONTENDERS - 1).fill(409)]);
      const { promoted, statuses, moves } = await outcome(g, name);
      assert.equal(promoted.length, 1);
      assert.equal(statuses.length, CONTENDERS);
      assert.equal(statuses.filter((s) => s === 'failed').length, CONTENDERS - 1);
      assert.equal(await g.holder(name, 'production'), promoted[0]);
      assert.equal(moves.length, 1);
      assert.deepEqual(moves[0].before, { alias: 'production', version: 1 });
    });

    it('lets the compare-and-set pick one of two promotions judged against the same holder', async () => {
      const { name, candidates } = await contested(2, {});
      const s = h.app.services;
      const governance = new Governance({ database: s.database, registry: s.registry, runs: barrierRuns(s.runs, 2), artifacts: s.artifacts });
      const results = await Promise.allSettled(candidates.map((v) => governance.promotions.request(name, v, 'production', { actor: `u${v}`, admin: false })));
      const won = results.filter((r) => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(won.length, 1);
      assert.equal(lost.length, 1);
      assert.ok(lost[0]!.reason instanceof ConflictError, String(lost[0]!.reason));
      const winner = (won[0] as PromiseFulfilledResult<{ version: number }>).value.version;
      const failed = (lost[0]!.reason as ConflictError).details!.request as { checks: any[] };
      assert.deepEqual(failed.checks.at(-1), {
        check: 'alias_holder',
        expectedVersion: 1,
        observedVersion: winner,
        passed: false,
        message: `alias holder: the alias moved to version ${winner} while this request was judged against version 1; request the promotion again`,
      });
      assert.equal(await g.holder(name, 'production'), winner);
      assert.equal((await outcome(g, name)).moves.length, 1);
    });

    it('lets exactly one of two concurrent approvals move the alias', async () => {
      const { name, candidates } = await contested(2, { ...POLICY, approval: { required: true } });
      const pending = [];
      for (const v of candidates) pending.push(await g.mustPromote(name, v, 'production'));
      const s = h.app.services;
      const governance = new Governance({ database: s.database, registry: s.registry, runs: barrierRuns(s.runs, 2), artifacts: s.artifacts });
      const results = await Promise.allSettled(pending.map((r) => governance.promotions.approve(r.id, { actor: 'root', admin: true })));
      assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
      const { promoted, statuses } = await outcome(g, name);
      assert.equal(promoted.length, 1);
      assert.deepEqual(statuses.sort(), ['failed', 'promoted']);
      assert.equal(await g.holder(name, 'production'), promoted[0]);
    });

    it('decides a request once when it is approved and rejected at the same time', async () => {
      const { name, candidates } = await contested(1, { approval: { required: true } });
      const r = await g.mustPromote(name, candidates[0]!, 'production');
      const [approve, reject] = await Promise.all([g.decide(r.id, 'approve'), g.decide(r.id, 'reject')]);
      assert.deepEqual([approve.status, reject.status].sort(), [200, 409]);
      const decisions = (await g.audit({ model: name })).filter((e: any) => /^(approve|reject)_promotion$/.test(e.action));
      assert.equal(decisions.length, 1);
    });
  });

  describe(`concurrent promotions through two server processes on one database (${kind.name})`, () => {
    let home: string;
    let database: { url: string; cleanup(): Promise<void> } | undefined;
    const servers: Array<{ proc: CliProcess; base: string }> = [];

    before(async () => {
      home = await mkdtemp(join(tmpdir(), 'ferry-gov-race-'));
      // SQLite: one file in the shared home (WAL, two processes); PostgreSQL: one schema.
      database = kind.name === 'postgres' ? await kind.create() : undefined;
      for (let i = 0; i < 2; i++) {
        const port = await freePort();
        const args = ['server', '--home', home, '--port', String(port), '--log-level', 'silent', ...(database ? ['--database-url', database.url] : [])];
        const proc = spawnCli(args);
        const base = `http://127.0.0.1:${port}`;
        servers.push({ proc, base });
        await waitForHealth(base, proc);
      }
    });
    after(async () => {
      for (const s of servers) await stopProcess(s.proc);
      await database?.cleanup();
      await rm(home, { recursive: true, force: true });
    });

    it('ends with exactly one winner across processes, every request recorded', async () => {
      // The first server builds the fixtures; both share the database.
      const g = governanceClient(httpHarness(servers[0]!.base));
      const name = g.unique('xproc');
      const v1 = await g.candidate(name, { metrics: { val_auc: 0.85 } });
      await g.pointAlias(name, 'production', v1);
      assert.equal((await g.setPolicy(name, 'production', POLICY)).status, 200);
      const candidates: number[] = [];
      for (let i = 0; i < 8; i++) candidates.push(await g.candidate(name, { metrics: { val_auc: 0.9 } }));
      const answers = await Promise.all(
        candidates.map(async (v, i) => {
          const res = await fetch(`${servers[i % 2]!.base}${V1}/models/${name}/versions/${v}/promotions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ alias: 'production' }),
          });
          return { status: res.status, body: await res.json() };
        }),
      );
      assert.deepEqual(answers.map((a) => a.status).sort(), [201, ...Array(7).fill(409)], JSON.stringify(answers.filter((a) => a.status >= 500)));
      const { promoted, statuses, moves } = await outcome(g, name);
      assert.equal(promoted.length, 1);
      assert.equal(statuses.length, 8);
      assert.equal(moves.length, 1);
      assert.equal(await g.holder(name, 'production'), promoted[0]);
    });
  });
}
