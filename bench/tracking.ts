import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../src/config/config.js';
import { createServices } from '../src/server/services.js';
import { startFerry } from './lib/ferry-process.js';
import { getJson, percentile, postJson, runLoad } from './lib/http-load.js';
import { benchMlflowReference } from './lib/mlflow-reference.js';
import { machine, table, writeSection, type Row } from './lib/report.js';

const API = '/api/2.0/mlflow';
const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));

interface Backend {
  name: 'sqlite' | 'postgres';
  databaseUrl: string;
  /** Runs one raw SQL statement with positional parameters, in this process (the baseline's access path). */
  raw: {
    exec(sqlText: string, params?: unknown[]): Promise<unknown[]>;
    insertPoints(runId: string, points: Array<[string, number, number, number]>): Promise<void>;
    close(): Promise<void>;
  };
  cleanup(): Promise<void>;
}

async function sqliteBackend(home: string): Promise<Backend> {
  const file = join(home, 'ferry.db');
  let db: BetterSqlite3.Database | undefined;
  const open = () => (db ??= new BetterSqlite3(file));
  return {
    name: 'sqlite',
    databaseUrl: `sqlite:${file}`,
    raw: {
      exec: async (q, p = []) => open().prepare(q).raw().all(...(p as never[])),
      insertPoints: async (runId, points) => {
        const d = open();
        const stmt = d.prepare('insert or ignore into metrics (run_uuid, key, step, timestamp, value, is_nan) values (?, ?, ?, ?, ?, 0)');
        d.transaction(() => {
          for (const [k, step, ts, v] of points) stmt.run(runId, k, step, ts, v);
        })();
      },
      close: async () => {
        db?.close();
      },
    },
    cleanup: async () => undefined,
  };
}

async function postgresBackend(base: string): Promise<Backend> {
  const schema = `bench_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  return {
    name: 'postgres',
    databaseUrl: url,
    raw: {
      exec: async (q, p = []) => (await pool.query({ text: q, values: p as unknown[], rowMode: 'array' })).rows,
      insertPoints: async (runId, points) => {
        await pool.query(
          `insert into metrics (run_uuid, key, step, timestamp, value, is_nan)
           select $1, k, s, t, v, 0 from unnest($2::text[], $3::bigint[], $4::bigint[], $5::float8[]) as x(k, s, t, v) on conflict do nothing`,
          [runId, points.map((p) => p[0]), points.map((p) => p[1]), points.map((p) => p[2]), points.map((p) => p[3])],
        );
      },
      close: async () => pool.end(),
    },
    cleanup: async () => {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}

/** 10,000 runs with 5 metrics, 5 params and 3 tags each, written through Ferry's services (not timed). */
async function seedRuns(databaseUrl: string, home: string, count: number): Promise<string> {
  const services = await createServices(loadConfig({ home, databaseUrl, logLevel: 'silent' }));
  const exp = await services.experiments.create({ name: 'search-bench' });
  for (let i = 0; i < count; i++) {
    const run = await services.runs.create({ experimentId: exp, runName: `run-${i}`, startTime: 1_700_000_000_000 + i });
    await services.runs.logBatch({
      runId: run.info.runId,
      metrics: ['acc', 'loss', 'f1', 'precision', 'recall'].map((key, k) => ({ key, value: ((i * 7919 + k * 104729) % 10007) / 10007, timestamp: 1, step: 0 })),
      params: ['lr', 'depth', 'model', 'seed', 'batch'].map((key, k) => ({ key, value: String((i + k) % 17) })),
      tags: [
        { key: 'team', value: `t${i % 5}` },
        { key: 'stage', value: i % 2 ? 'dev' : 'prod' },
        { key: 'mlflow.source.git.commit', value: 'abc123' },
      ],
    });
  }
  // Fresh bulk data: let PostgreSQL's planner see it now rather than whenever autovacuum gets to it.
  if (services.database.dialect === 'postgres') await sql`analyze`.execute(services.database.db);
  await services.close();
  return exp;
}

async function benchBackend(backend: Backend, home: string): Promise<Row[]> {
  const rows: Row[] = [];
  const log = (s: string) => process.stderr.write(`[${backend.name}] ${s}\n`);

  log('seeding 10,000 runs for search …');
  const searchExp = await seedRuns(backend.databaseUrl, home, 10_000);
  const ferry = await startFerry(['--home', home, '--database-url', backend.databaseUrl]);
  try {
    const url = ferry.url + API;

    // 1. log-batch ingestion, 1000 points a request.
    const run = (await postJson(url, '/runs/create', { experiment_id: '0' })).run.info.run_id as string;
    const batches = 400;
    let step = 0;
    const bodies = Array.from({ length: batches }, () =>
      JSON.stringify({ run_id: run, metrics: Array.from({ length: 1000 }, (_, j) => ({ key: `m${j % 20}`, value: Math.random(), timestamp: 1_700_000_000_000 + step, step: step++ })) }),
    );
    await runLoad(ferry.url, 4, 20, (i) => ({ method: 'POST', path: `${API}/runs/log-batch`, body: bodies[i]! })); // warm-up
    log('log-batch ingestion …');
    const ingest = await runLoad(ferry.url, 4, batches, (i) => ({ method: 'POST', path: `${API}/runs/log-batch`, body: bodies[i]! }));
    const ferryPps = (batches * 1000) / ingest.seconds;
    const rawRun = (await postJson(url, '/runs/create', { experiment_id: '0' })).run.info.run_id as string;
    const points = bodies.map((b) => (JSON.parse(b).metrics as any[]).map((m) => [m.key, m.step, m.timestamp, m.value] as [string, number, number, number]));
    const t0 = performance.now();
    for (const p of points) await backend.raw.insertPoints(rawRun, p);
    const rawPps = (batches * 1000) / ((performance.now() - t0) / 1000);
    rows.push({
      measure: 'log-batch ingestion (1000 points/request, 4 clients)',
      baseline: `raw ${backend.name === 'sqlite' ? 'better-sqlite3 prepared INSERT' : 'pg INSERT … unnest'} in-process, same points`,
      baselineValue: `${fmt(rawPps)} points/s`,
      ferry: `${fmt(ferryPps)} points/s${ingest.errors ? ` (${ingest.errors} errors)` : ''}`,
      ratio: (ferryPps / rawPps).toFixed(2),
      target: '≥ 200,000 points/s',
      met: ferryPps >= 200_000 ? 'yes' : 'no',
    });

    // 2. search over 10,000 runs: metric filter + order_by.
    log('search …');
    for (const maxResults of [100, 1000]) {
      const body = { experiment_ids: [searchExp], filter: 'metrics.acc > 0.5', order_by: ['metrics.acc DESC'], max_results: maxResults };
      const check = await postJson(url, '/runs/search', body);
      if (!check.runs || check.runs.length !== maxResults) throw new Error(`search returned ${check.runs?.length}`);
      const lat: number[] = [];
      for (let i = 0; i < 40; i++) {
        const t = performance.now();
        await postJson(url, '/runs/search', body);
        lat.push(performance.now() - t);
      }
      const rawLat: number[] = [];
      const q =
        'select r.run_uuid from runs r join latest_metrics m on m.run_uuid = r.run_uuid and m.key = $1 ' +
        'where r.experiment_id = $2 and r.lifecycle_stage = $3 and m.value > $4 order by m.value desc, r.start_time desc, r.run_uuid limit $5';
      const qSqlite = q.replace(/\$\d/g, '?');
      for (let i = 0; i < 40; i++) {
        const t = performance.now();
        await backend.raw.exec(backend.name === 'sqlite' ? qSqlite : q, ['acc', Number(searchExp), 'active', 0.5, maxResults]);
        rawLat.push(performance.now() - t);
      }
      const p95 = percentile(lat, 95);
      const rawP95 = percentile(rawLat, 95);
      rows.push({
        measure: `search 10,000 runs, \`metrics.acc > 0.5\` order by metrics.acc, max_results ${maxResults} (p95)`,
        baseline: 'the ranking SQL alone, in-process (ids only)',
        baselineValue: `${rawP95.toFixed(1)} ms`,
        ferry: `${p95.toFixed(1)} ms (p50 ${percentile(lat, 50).toFixed(1)})`,
        ratio: (p95 / rawP95).toFixed(1),
        target: '≤ 50 ms',
        met: p95 <= 50 ? 'yes' : 'no',
      });
    }

    // 3. a 100,000-step history.
    log('metric history …');
    const histRun = (await postJson(url, '/runs/create', { experiment_id: '0' })).run.info.run_id as string;
    for (let b = 0; b < 100; b++) {
      await postJson(url, '/runs/log-batch', {
        run_id: histRun,
        metrics: Array.from({ length: 1000 }, (_, j) => ({ key: 'loss', value: Math.random(), timestamp: 1_700_000_000_000 + b * 1000 + j, step: b * 1000 + j })),
      });
    }
    const histLat: number[] = [];
    for (let i = 0; i < 10; i++) {
      const r = await getJson(url, `/metrics/get-history?run_id=${histRun}&metric_key=loss`);
      if (r.body.metrics.length !== 100_000) throw new Error(`history has ${r.body.metrics.length} points`);
      histLat.push(r.ms);
    }
    const rawHist: number[] = [];
    const hq = 'select key, value, timestamp, step from metrics where run_uuid = $1 and key = $2 order by step, timestamp, value';
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      const got = await backend.raw.exec(backend.name === 'sqlite' ? hq.replace(/\$\d/g, '?') : hq, [histRun, 'loss']);
      JSON.stringify(got);
      rawHist.push(performance.now() - t);
    }
    const hp50 = percentile(histLat, 50);
    const rp50 = percentile(rawHist, 50);
    rows.push({
      measure: '100,000-step metric history, one request (median)',
      baseline: 'raw SELECT + JSON.stringify in-process',
      baselineValue: `${rp50.toFixed(0)} ms`,
      ferry: `${hp50.toFixed(0)} ms`,
      ratio: (hp50 / rp50).toFixed(1),
      target: '≤ 150 ms',
      met: hp50 <= 150 ? 'yes' : 'no',
    });

    // 4. 8 clients, one log-metric point per request.
    log('log-metric one point a request …');
    const lmRun = (await postJson(url, '/runs/create', { experiment_id: '0' })).run.info.run_id as string;
    const lmBody = (i: number) => JSON.stringify({ run_id: lmRun, key: 'x', value: i, timestamp: 1_700_000_000_000 + i, step: i });
    await runLoad(ferry.url, 8, 500, (i) => ({ method: 'POST', path: `${API}/runs/log-metric`, body: lmBody(1_000_000 + i) }));
    const lm = await runLoad(ferry.url, 8, 20_000, (i) => ({ method: 'POST', path: `${API}/runs/log-metric`, body: lmBody(i) }));
    const health = await runLoad(ferry.url, 8, 20_000, () => ({ method: 'GET', path: '/health' }));
    const lmRps = lm.requests / lm.seconds;
    const hRps = health.requests / health.seconds;
    rows.push({
      measure: 'log-metric, 8 concurrent clients, 1 point/request',
      baseline: 'GET /health on the same server (HTTP floor)',
      baselineValue: `${fmt(hRps)} req/s`,
      ferry: `${fmt(lmRps)} req/s (p99 ${percentile(lm.latenciesMs, 99).toFixed(1)} ms)${lm.errors ? `, ${lm.errors} errors` : ''}`,
      ratio: (lmRps / hRps).toFixed(2),
      target: '≥ 5,000 req/s',
      met: lmRps >= 5000 ? 'yes' : 'no',
    });
  } finally {
    await ferry.stop();
    await backend.raw.close();
  }
  return rows;
}

export async function run(args: string[]): Promise<void> {
  const write = args.includes('--write');
  const pgIndex = args.indexOf('--postgres');
  const pgUrl = pgIndex >= 0 ? args[pgIndex + 1] : process.env.FERRY_BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const only = args.includes('--sqlite-only') ? ['sqlite'] : args.includes('--postgres-only') ? ['postgres'] : ['sqlite', 'postgres'];
  const mlflowIndex = args.indexOf('--mlflow');
  const mlflowCommand = mlflowIndex >= 0 ? args[mlflowIndex + 1] : process.env.FERRY_BENCH_MLFLOW_SERVER;
  const date = new Date().toISOString().slice(0, 10);
  for (const kind of only) {
    const home = mkdtempSync(join(tmpdir(), 'ferry-bench-'));
    const backend = kind === 'sqlite' ? await sqliteBackend(home) : await postgresBackend(pgUrl!);
    try {
      const rows = await benchBackend(backend, home);
      if (mlflowCommand && kind === 'sqlite') rows.push(...(await mlflowRows(mlflowCommand, rows)));
      const out = `Run ${date} on ${machine()}; server in its own process, load generator in another (node:http keep-alive).\n\n${table(rows)}`;
      console.log(`\n## tracking on ${kind}\n\n${out}`);
      if (write) writeSection(`tracking-${kind}`, `Tracking on ${kind === 'sqlite' ? 'SQLite (embedded default)' : 'PostgreSQL 15 (127.0.0.1)'}`, out);
    } finally {
      await backend.cleanup();
      rmSync(home, { recursive: true, force: true });
    }
  }
}

/** Puts the reference MLflow server's numbers beside Ferry's SQLite rows measured in the same run. */
async function mlflowRows(command: string, ferryRows: Row[]): Promise<Row[]> {
  process.stderr.write('[mlflow] reference server …\n');
  const ref = await benchMlflowReference(command);
  const ferryValue = (prefix: string) => Number((ferryRows.find((r) => r.measure.startsWith(prefix))?.ferry ?? '').replace(/[^0-9.].*$/, '').replace(/,/g, ''));
  const pps = Number((ferryRows.find((r) => r.measure.startsWith('log-batch'))?.ferry ?? '0').split(' ')[0]!.replace(/,/g, ''));
  const hist = ferryValue('100,000-step');
  const rps = Number((ferryRows.find((r) => r.measure.startsWith('log-metric'))?.ferry ?? '0').split(' ')[0]!.replace(/,/g, ''));
  const who = `MLflow ${ref.version.trim()} server (SQLite, 1 worker), same machine and run`;
  return [
    { measure: 'log-batch ingestion vs MLflow', baseline: who, baselineValue: `${fmt(ref.pointsPerSecond)} points/s`, ferry: `${fmt(pps)} points/s`, ratio: `${(pps / ref.pointsPerSecond).toFixed(1)}× faster`, target: '—', met: '—' },
    { measure: '100,000-step history vs MLflow', baseline: `${who}; 20,000 points read as its client pages them, time × 5`, baselineValue: `${fmt(ref.historyMs)} ms`, ferry: `${fmt(hist)} ms`, ratio: ref.historyMs >= hist ? `${(ref.historyMs / hist).toFixed(1)}× faster` : `${(hist / ref.historyMs).toFixed(1)}× slower`, target: '—', met: '—' },
    { measure: 'log-metric 1 point/request vs MLflow', baseline: who, baselineValue: `${fmt(ref.logMetricRps)} req/s`, ferry: `${fmt(rps)} req/s`, ratio: `${(rps / ref.logMetricRps).toFixed(1)}× faster`, target: '—', met: '—' },
  ];
}
