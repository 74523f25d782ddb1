import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { seededRandom } from '../helpers/seeded-random.js';
import { freePort, spawnCli, stopProcess, waitForHealth, type CliProcess } from '../helpers/server-process.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';

const API = '/api/2.0/mlflow';
const LOOPS = 8;
const KEYS = ['loss', 'acc', 'lr/group-0'];
/** Steps encode their batch: step = batch * STRIDE + index, so every stored point names the batch it came from. */
const STRIDE = 1000;

interface Batch {
  id: number;
  size: number;
  /** 'acked': a 200 came back; 'unknown': the connection died first; 'refused': a non-200 answer. */
  outcome: 'pending' | 'acked' | 'unknown' | 'refused';
  detail?: string;
}

const pointKey = (b: number, i: number) => KEYS[i % KEYS.length]!;
const tagged = (b: number) => b % 2 === 1;
const pointValue = (b: number, i: number) => b + i / 1024;

async function startServer(home: string, databaseUrl: string | undefined): Promise<{ proc: CliProcess; base: string }> {
  const port = await freePort();
  const args = ['server', '--home', home, '--port', String(port), '--log-level', 'silent'];
  if (databaseUrl) args.push('--database-url', databaseUrl);
  const proc = spawnCli(args);
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHealth(base, proc);
  } catch (err) {
    proc.child.kill('SIGKILL');
    throw err;
  }
  return { proc, base };
}

async function call(base: string, method: 'GET' | 'POST', path: string, body: Record<string, unknown>): Promise<{ status: number; body: any }> {
  const url = method === 'GET' ? `${base}${API}${path}?${new URLSearchParams(body as Record<string, string>)}` : `${base}${API}${path}`;
  const res = await fetch(url, method === 'GET' ? {} : { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

for (const kind of testDatabaseKinds()) {
  describe(`kill -9 recovery (${kind.name})`, () => {
    it('keeps every acknowledged log-batch whole, never duplicates a point, and never keeps part of a batch', async () => {
      const home = await mkdtemp(join(tmpdir(), 'ferry-kill-'));
      // SQLite lives in the home folder (a file, WAL); Postgres gets a schema of its own.
      const database = kind.name === 'postgres' ? await kind.create() : undefined;
      let server: { proc: CliProcess; base: string } | undefined;
      try {
        server = await startServer(home, database?.url);
        const created = await call(server.base, 'POST', '/runs/create', { experiment_id: '0', run_name: 'doomed' });
        assert.equal(created.status, 200, JSON.stringify(created.body));
        const runId: string = created.body.run.info.run_id;

        const batches: Batch[] = [];
        let killed = false;
        let inFlight = 0;
        const rnd = seededRandom(42);
        const { base } = server;

        const loop = async () => {
          while (!killed) {
            const batch: Batch = { id: batches.length, size: rnd.int(50, 200), outcome: 'pending' };
            batches.push(batch);
            const metrics = Array.from({ length: batch.size }, (_, i) => ({
              key: pointKey(batch.id, i),
              value: pointValue(batch.id, i),
              timestamp: 1_700_000_000_000 + batch.id,
              step: batch.id * STRIDE + i,
            }));
            inFlight++;
            try {
              const res = await fetch(`${base}${API}/runs/log-batch`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                // Odd batches carry a tag too, so both write paths meet the kill: metric-only batches share
                // group commits, mixed ones get a transaction of their own.
                body: JSON.stringify({ run_id: runId, metrics, ...(tagged(batch.id) ? { tags: [{ key: `batch-${batch.id}`, value: String(batch.size) }] } : {}) }),
              });
              const text = await res.text();
              batch.outcome = res.status === 200 ? 'acked' : 'refused';
              if (res.status !== 200) batch.detail = `${res.status} ${text.slice(0, 200)}`;
            } catch (err) {
              batch.outcome = 'unknown';
              batch.detail = String((err as Error).cause ?? err);
            } finally {
              inFlight--;
            }
          }
        };
        const loops = Array.from({ length: LOOPS }, loop);

        // Let the load run, then pull the plug while requests are in flight.
        const deadline = Date.now() + 1500;
        while (Date.now() < deadline || batches.filter((b) => b.outcome === 'acked').length < 20) {
          await new Promise((r) => setTimeout(r, 25));
          if (Date.now() > deadline + 10_000) break;
        }
        const inFlightAtKill = inFlight;
        killed = true; // loops send nothing new; the batches in flight meet the kill
        server.proc.child.kill('SIGKILL');
        const exit = await server.proc.exited;
        await Promise.all(loops);
        server = undefined;

        assert.equal(exit.signal, 'SIGKILL');
        assert.ok(inFlightAtKill > 0, 'the kill should land while batches are in flight');
        const refused = batches.filter((b) => b.outcome === 'refused');
        assert.deepEqual(refused.map((b) => `${b.id}: ${b.detail}`), [], 'the live server refused a valid batch');
        const acked = batches.filter((b) => b.outcome === 'acked');
        assert.ok(acked.length >= 20, `only ${acked.length} batches were acknowledged before the kill`);

        // Restart on the same home and database and read everything back.
        server = await startServer(home, database?.url);
        const stored = new Map<number, Array<{ key: string; step: number; value: number; timestamp: number }>>();
        const seen = new Set<string>();
        const duplicates: string[] = [];
        for (const key of KEYS) {
          const r = await call(server.base, 'GET', '/metrics/get-history', { run_id: runId, metric_key: key });
          assert.equal(r.status, 200, JSON.stringify(r.body));
          for (const m of r.body.metrics ?? []) {
            const id = `${m.key}|${m.step}`;
            if (seen.has(id)) duplicates.push(id);
            seen.add(id);
            const b = Math.floor(m.step / STRIDE);
            const list = stored.get(b) ?? [];
            list.push(m);
            stored.set(b, list);
          }
        }
        assert.deepEqual(duplicates.slice(0, 10), [], `${duplicates.length} points appear twice`);

        const run = (await call(server.base, 'GET', '/runs/get', { run_id: runId })).body.run;
        const tags = new Map<string, string>(run.data.tags.map((t: { key: string; value: string }) => [t.key, t.value]));

        const problems: string[] = [];
        for (const [b, points] of stored) {
          const batch = batches[b];
          if (!batch) {
            problems.push(`points of batch ${b}, which was never sent`);
            continue;
          }
          for (const p of points) {
            const i = p.step % STRIDE;
            if (p.key !== pointKey(b, i) || p.value !== pointValue(b, i) || p.timestamp !== 1_700_000_000_000 + b) {
              problems.push(`batch ${b} point ${i} came back as ${JSON.stringify(p)}`);
            }
          }
        }
        let unknownKept = 0;
        let unknownDropped = 0;
        for (const batch of batches) {
          const count = stored.get(batch.id)?.length ?? 0;
          const hasTag = tags.get(`batch-${batch.id}`) === String(batch.size);
          if (!tagged(batch.id) && tags.has(`batch-${batch.id}`)) problems.push(`batch ${batch.id} sent no tag but has one`);
          if (batch.outcome === 'acked') {
            if (count !== batch.size) problems.push(`acknowledged batch ${batch.id}: ${count} of ${batch.size} points survived`);
            if (tagged(batch.id) && !hasTag) problems.push(`acknowledged batch ${batch.id}: its tag was lost`);
          } else {
            // Not acknowledged: all or nothing, the points and the tag together.
            if (count !== 0 && count !== batch.size) problems.push(`unacknowledged batch ${batch.id} kept ${count} of ${batch.size} points`);
            if (tagged(batch.id) && (count === batch.size) !== hasTag) {
              problems.push(`unacknowledged batch ${batch.id}: points ${count > 0 ? 'kept' : 'gone'} but tag ${hasTag ? 'kept' : 'gone'}`);
            }
            if (count === batch.size) unknownKept++;
            else unknownDropped++;
          }
        }
        assert.deepEqual(problems.slice(0, 20), [], `${problems.length} problems (${acked.length} acked, ${unknownKept} unacked kept, ${unknownDropped} unacked gone)`);

        // latest_metrics was written in the same transactions: it names the newest stored point of each key.
        const latest = new Map<string, { step: number; value: number }>(run.data.metrics.map((m: { key: string; step: number; value: number }) => [m.key, m]));
        for (const key of KEYS) {
          let maxStep = -1;
          for (const points of stored.values()) for (const p of points) if (p.key === key && p.step > maxStep) maxStep = p.step;
          assert.equal(latest.get(key)?.step, maxStep, `latest ${key}`);
        }

        // And the restarted server takes writes again.
        const again = await call(server.base, 'POST', '/runs/log-batch', { run_id: runId, metrics: [{ key: 'after-restart', value: 1, timestamp: 1, step: 0 }] });
        assert.equal(again.status, 200, JSON.stringify(again.body));
      } finally {
        if (server) await stopProcess(server.proc, 'SIGKILL');
        await database?.cleanup();
        await rm(home, { recursive: true, force: true });
      }
    });
  });
}
