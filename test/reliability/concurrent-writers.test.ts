import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { openApiHarness, type ApiHarness } from '../helpers/api-server.js';
import { seededRandom } from '../helpers/seeded-random.js';
import { testDatabaseKinds } from '../helpers/test-database-urls.js';

const API = '/api/2.0/mlflow';
const WRITERS = 8;
const ROUNDS = 25;

interface Point {
  key: string;
  step: number;
  timestamp: number;
  value: number;
}

/** One canonical string per point; NaN and infinities as MLflow spells them on the wire. */
const pointId = (p: { key: string; step: number; timestamp: number; value: number | string }) => {
  const v = typeof p.value === 'string' ? p.value : Number.isNaN(p.value) ? 'NaN' : p.value === Infinity ? 'Infinity' : p.value === -Infinity ? '-Infinity' : String(p.value);
  return `${p.key}|${p.step}|${p.timestamp}|${v}`;
};
const wireValue = (v: number): number | string => (Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v);

function countBy(ids: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const id of ids) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}

for (const kind of testDatabaseKinds()) {
  describe(`concurrent writers on one run (${kind.name})`, () => {
    let h: ApiHarness;
    let base: string;

    before(async () => {
      h = await openApiHarness(kind);
      await h.app.listen({ host: '127.0.0.1', port: 0 });
      base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
    });
    after(async () => h.close());

    async function post(path: string, body: unknown): Promise<{ status: number; body: any }> {
      const res = await fetch(`${base}${API}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      return { status: res.status, body: await res.json() };
    }
    async function get(path: string, query: Record<string, string>): Promise<{ status: number; body: any }> {
      const res = await fetch(`${base}${API}${path}?${new URLSearchParams(query)}`);
      return { status: res.status, body: await res.json() };
    }

    it('loses and duplicates nothing across log-metric, log-batch, set-tag and log-parameter', async () => {
      const created = await post('/runs/create', { experiment_id: '0', run_name: 'contended' });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const runId: string = created.body.run.info.run_id;

      const sent: Point[] = [];
      const serverErrors: string[] = [];
      const contested: Array<{ writer: number; status: number; code?: string }> = [];
      const tagValues = new Set<string>();

      const writer = async (w: number) => {
        const rnd = seededRandom(1000 + w);
        for (let round = 0; round < ROUNDS; round++) {
          const calls: Array<Promise<{ status: number; body: any; what: string }>> = [];
          const tag = async (what: string, p: Promise<{ status: number; body: any }>) => ({ ...(await p), what });

          // log-metric: a point only this writer sends.
          const single: Point = { key: 'single', step: w * 10_000 + round, timestamp: 1_000 + round, value: rnd.next() * 100 - 50 };
          sent.push(single);
          calls.push(tag('log-metric', post('/runs/log-metric', { run_id: runId, ...single })));

          // log-batch: this writer's own points, special values now and then, plus points every writer sends identically.
          const batch: Point[] = [];
          const n = rnd.int(20, 60);
          for (let i = 0; i < n; i++) {
            const special = rnd.chance(0.05) ? rnd.pick([Number.NaN, Infinity, -Infinity, 0, -0.0, 1e308, 5e-324]) : undefined;
            batch.push({ key: `batch/${w % 3}`, step: w * 10_000 + round * 100 + i, timestamp: 2_000 + i, value: special ?? rnd.next() * 1e6 });
          }
          for (let i = 0; i < 5; i++) batch.push({ key: 'shared', step: round * 10 + i, timestamp: 3_000, value: round + i / 8 });
          sent.push(...batch);
          calls.push(
            tag(
              'log-batch',
              // Odd rounds send metrics only (those share group commits); even rounds add a param and a tag.
              post('/runs/log-batch', {
                run_id: runId,
                metrics: batch.map((p) => ({ ...p, value: wireValue(p.value) })),
                ...(round % 2 === 0 ? { params: [{ key: 'batch-same', value: 'identical' }], tags: [{ key: `batch-tag-${w}`, value: String(round) }] } : {}),
              }),
            ),
          );

          // set-tag: one key per writer, and one key everyone overwrites.
          const common = `w${w}-r${round}`;
          tagValues.add(common);
          calls.push(tag('set-tag', post('/runs/set-tag', { run_id: runId, key: `writer-${w}`, value: String(round) })));
          calls.push(tag('set-tag', post('/runs/set-tag', { run_id: runId, key: 'common', value: common })));

          // log-parameter: the same value from everyone must always succeed.
          calls.push(tag('log-parameter', post('/runs/log-parameter', { run_id: runId, key: 'same', value: 'v' })));
          if (round === 0) {
            // A different value from each writer: only one may win.
            const r = await post('/runs/log-parameter', { run_id: runId, key: 'contested', value: `writer-${w}` });
            contested.push({ writer: w, status: r.status, code: r.body.error_code });
          }

          for (const r of await Promise.all(calls)) {
            if (r.status !== 200) serverErrors.push(`${r.what} by writer ${w}: ${r.status} ${JSON.stringify(r.body)}`);
          }
        }
      };
      await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w)));

      assert.deepEqual(serverErrors, [], 'every write must succeed');

      // Exactly one writer's contested value was taken; the rest were refused as MLflow refuses a changed param.
      const winners = contested.filter((c) => c.status === 200);
      assert.equal(winners.length, 1, JSON.stringify(contested));
      for (const c of contested.filter((x) => x.status !== 200)) {
        assert.equal(c.status, 400);
        assert.equal(c.code, 'INVALID_PARAMETER_VALUE');
      }

      // Metrics: the stored multiset equals the set of distinct points sent.
      const expected = countBy([...new Set(sent.map(pointId))]);
      const keys = [...new Set(sent.map((p) => p.key))];
      const stored: string[] = [];
      for (const key of keys) {
        const r = await get('/metrics/get-history', { run_id: runId, metric_key: key });
        assert.equal(r.status, 200);
        for (const m of r.body.metrics ?? []) stored.push(pointId(m));
      }
      const got = countBy(stored);
      const duplicated = [...got].filter(([, c]) => c > 1).map(([id]) => id);
      const lost = [...expected.keys()].filter((id) => !got.has(id));
      const invented = [...got.keys()].filter((id) => !expected.has(id));
      assert.deepEqual(duplicated, [], 'points stored twice');
      assert.deepEqual(lost, [], 'points lost');
      assert.deepEqual(invented, [], 'points never sent');
      assert.equal(stored.length, expected.size);

      // The shared points were sent by all eight writers and are stored once each.
      assert.equal(stored.filter((id) => id.startsWith('shared|')).length, ROUNDS * 5);

      const run = (await get('/runs/get', { run_id: runId })).body.run;
      const params = Object.fromEntries(run.data.params.map((p: any) => [p.key, p.value]));
      assert.deepEqual(params, { same: 'v', 'batch-same': 'identical', contested: `writer-${winners[0]!.writer}` });

      const tags = Object.fromEntries(run.data.tags.map((t: any) => [t.key, t.value]));
      for (let w = 0; w < WRITERS; w++) {
        assert.equal(tags[`writer-${w}`], String(ROUNDS - 1), `writer-${w}`);
        assert.equal(tags[`batch-tag-${w}`], String((ROUNDS - 1) & ~1), `batch-tag-${w}`);
      }
      assert.ok(tagValues.has(tags.common), `common tag holds a value nobody sent: ${tags.common}`);

      // The latest value per key is the point with the greatest (step, timestamp, value).
      const latest = new Map<string, Point>();
      for (const p of sent) {
        const cur = latest.get(p.key);
        const later = !cur || p.step > cur.step || (p.step === cur.step && (p.timestamp > cur.timestamp || (p.timestamp === cur.timestamp && p.value > cur.value)));
        if (later) latest.set(p.key, p);
      }
      const runMetrics = new Map<string, any>(run.data.metrics.map((m: any) => [m.key, m]));
      assert.deepEqual([...runMetrics.keys()].sort(), [...latest.keys()].sort());
      for (const [key, p] of latest) assert.equal(pointId(runMetrics.get(key)), pointId(p), `latest ${key}`);
    });

    it('never deadlocks when concurrent batches touch the same keys in opposite orders', async () => {
      const runId: string = (await post('/runs/create', { experiment_id: '0' })).body.run.info.run_id;
      const keys = Array.from({ length: 20 }, (_, i) => `k${String(i).padStart(2, '0')}`);
      const failures: string[] = [];
      for (let round = 0; round < 15; round++) {
        const results = await Promise.all(
          Array.from({ length: WRITERS }, (_, w) => {
            const order = w % 2 === 0 ? keys : [...keys].reverse();
            // Tags and new params in opposite orders; metrics in opposite orders, half of them metric-only (group commit).
            return post('/runs/log-batch', {
              run_id: runId,
              metrics: order.map((k) => ({ key: k, value: w, timestamp: round, step: round })),
              ...(w % 4 < 2 ? { tags: order.map((k) => ({ key: k, value: `w${w}` })), params: order.map((k) => ({ key: `r${round}-${k}`, value: 'same' })) } : {}),
            });
          }),
        );
        results.forEach((r, w) => r.status !== 200 && failures.push(`round ${round} writer ${w}: ${r.status} ${JSON.stringify(r.body)}`));
      }
      assert.deepEqual(failures.slice(0, 5), [], `${failures.length} batches failed`);
      const run = (await get('/runs/get', { run_id: runId })).body.run;
      assert.equal(run.data.params.length, 15 * keys.length);
      assert.deepEqual(run.data.metrics.map((m: Point) => m.key).sort(), keys);
    });

    it('lets exactly one of many concurrent log-batch calls set a param to its value', async () => {
      const runId: string = (await post('/runs/create', { experiment_id: '0' })).body.run.info.run_id;
      const results = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          post('/runs/log-batch', {
            run_id: runId,
            params: [
              { key: 'lr', value: `0.${i}` },
              { key: 'agreed', value: 'yes' },
            ],
            metrics: [{ key: 'loser-writes-nothing', value: i, timestamp: 1, step: i }],
          }),
        ),
      );
      const ok = results.map((r, i) => ({ r, i })).filter(({ r }) => r.status === 200);
      assert.equal(ok.length, 1, JSON.stringify(results.map((r) => r.status)));
      for (const r of results) if (r.status !== 200) assert.equal(r.body.error_code, 'INVALID_PARAMETER_VALUE');
      const run = (await get('/runs/get', { run_id: runId })).body.run;
      assert.deepEqual(
        run.data.params.map((p: any) => [p.key, p.value]).sort(),
        [
          ['agreed', 'yes'],
          ['lr', `0.${ok[0]!.i}`],
        ],
      );
      // A refused batch is rolled back whole: only the winner's metric point exists.
      const history = (await get('/metrics/get-history', { run_id: runId, metric_key: 'loser-writes-nothing' })).body.metrics;
      assert.deepEqual(history.map((m: any) => m.step), [ok[0]!.i]);
    });
  });
}
