/**
 * Deployments benchmark (not a test): one `ferry server` process serves the
 * same MLP two ways, loaded in turn in interleaved slices:
 *
 * - directly, as `/v2/models/mlp-direct/infer` (a model loaded through the repository API);
 * - through a deployment, `/v2/models/mlp-canary/infer`, in a 90/10 canary
 *   roll-out (the same model registered twice, as v1 and v2) with prediction
 *   logging at 100 % (Parquet, flushed every 5 s).
 *
 * Target: the deployment keeps ≥ 85 % of the direct throughput at
 * concurrency 64, with p99 within 1.3×.
 *
 *   npm run bench -- deployments [--write] [--seconds S] [--warmup S] [--rounds N] [--concurrency N] [--sample-rate R]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packageFiles } from '../test/serving/serving-fixtures.js';
import { startFerry } from './lib/ferry-process.js';
import { percentile, type RequestSpec } from './lib/http-load.js';
import { machine, table, writeSection, type Row } from './lib/report.js';
import { FEATURES, buildMlpModel, sampleRows } from './lib/serving-models.js';
import { runTimedLoad } from './lib/timed-load.js';

const log = (s: string) => process.stderr.write(`[deployments] ${s}\n`);
const ms = (v: number) => (v < 1 ? v.toFixed(3) : v < 10 ? v.toFixed(2) : v.toFixed(1));
const rate = (v: number) => Math.round(v).toLocaleString('en-US');

interface Options {
  write: boolean;
  seconds: number;
  warmup: number;
  rounds: number;
  concurrency: number;
  /** Logging's sampling rate (1 for the target; 0 shows what routing alone costs). */
  sampleRate: number;
}

function parseOptions(args: string[]): Options {
  const num = (name: string, fallback: number, min: number): number => {
    const i = args.indexOf(name);
    if (i < 0) return fallback;
    const n = Number(args[i + 1]);
    if (!Number.isFinite(n) || n < min) throw new Error(`${name} must be a number ≥ ${min}; got '${args[i + 1]}'`);
    return n;
  };
  return {
    write: args.includes('--write'),
    seconds: num('--seconds', 12, 1),
    warmup: num('--warmup', 2, 0),
    rounds: Math.round(num('--rounds', 4, 1)),
    concurrency: Math.round(num('--concurrency', 64, 1)),
    sampleRate: Math.min(1, num('--sample-rate', 1, 0)),
  };
}

async function call(url: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(url + path, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : {};
}

/** Registers the package as the next version of `name` over the MLflow API, as a client would. */
async function registerVersion(url: string, name: string, files: Record<string, string | Uint8Array>): Promise<number> {
  const mlflow = (path: string, body: unknown) => call(url, 'POST', `/api/2.0/mlflow${path}`, body);
  const experimentId = (await mlflow('/experiments/create', { name: `bench-${Date.now()}-${Math.random().toString(36).slice(2)}` })).experiment_id;
  const run = (await mlflow('/runs/create', { experiment_id: experimentId })).run;
  const root = String(run.info.artifact_uri).replace(/^mlflow-artifacts:\/+/, '');
  for (const [file, body] of Object.entries(files)) {
    const res = await fetch(`${url}/api/2.0/mlflow-artifacts/artifacts/${root}/model/${file}`, { method: 'PUT', body: Buffer.from(body), headers: { 'content-type': 'application/octet-stream' } });
    if (!res.ok) throw new Error(`artifact upload answered ${res.status}: ${await res.text()}`);
  }
  const existing = await fetch(`${url}/api/2.0/mlflow/registered-models/get?name=${encodeURIComponent(name)}`);
  if (existing.status !== 200) await mlflow('/registered-models/create', { name });
  return Number((await mlflow('/model-versions/create', { name, source: `runs:/${run.info.run_id}/model` })).model_version.version);
}

interface Measured {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  firstError: string;
}

export async function run(args: string[]): Promise<void> {
  const opts = parseOptions(args);
  const home = mkdtempSync(join(tmpdir(), 'ferry-bench-deploy-'));
  const server = await startFerry(['--home', home]);
  try {
    const { url } = server;
    const files = packageFiles(buildMlpModel());
    for (let v = 1; v <= 2; v++) await registerVersion(url, 'bench-mlp', files);
    await call(url, 'POST', '/v2/repository/models/mlp-direct/load', { parameters: { uri: 'models:/bench-mlp/1' } });
    const doc = (model: string) => ({
      apiVersion: 'ferry/v1',
      kind: 'Deployment',
      metadata: { name: 'mlp-canary' },
      spec: {
        strategy: 'canary',
        model,
        // One long step at 10 %: the roll-out holds at 90/10 for the whole run.
        canary: { steps: [10, 100], interval: '1h', minRequests: 1_000_000_000 },
        logging: { sampleRate: opts.sampleRate, flushInterval: '5s' },
      },
    });
    await call(url, 'PUT', '/api/ferry/v1/deployments/mlp-canary', doc('models:/bench-mlp/1'));
    await call(url, 'PUT', '/api/ferry/v1/deployments/mlp-canary', doc('models:/bench-mlp/2'));
    const view = await call(url, 'GET', '/api/ferry/v1/deployments/mlp-canary/rollout');
    const split = (view.variants as Array<{ name: string; version: number; weight: number }>).map((v) => `${v.name} v${v.version} ${v.weight}%`).join(', ');
    log(`deployment mlp-canary: ${split}`);

    const bodies = sampleRows(256).map((row) => JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, FEATURES], data: row }] }));
    const spec = (model: string) => (i: number): RequestSpec => ({ method: 'POST', path: `/v2/models/${model}/infer`, body: bodies[i % bodies.length]! });
    const targets = [
      { label: 'direct /v2/models/mlp-direct', next: spec('mlp-direct') },
      { label: `deployment /v2/models/mlp-canary (90/10 canary, logging ${opts.sampleRate * 100} %)`, next: spec('mlp-canary') },
    ];
    for (const t of targets) await call(url, 'POST', t.next(0).path, JSON.parse(t.next(0).body!));
    const c = opts.concurrency;
    if (opts.warmup > 0) for (const t of targets) await runTimedLoad(url, c, opts.warmup, t.next);
    const pooled = targets.map(() => ({ requests: 0, errors: 0, seconds: 0, latencies: [] as number[], firstError: '' }));
    for (let round = 0; round < opts.rounds; round++) {
      for (let k = 0; k < targets.length; k++) {
        const i = (k + round) % targets.length;
        const r = await runTimedLoad(url, c, opts.seconds / opts.rounds, targets[i]!.next);
        const p = pooled[i]!;
        p.requests += r.requests;
        p.errors += r.errors;
        p.seconds += r.seconds;
        for (const v of r.latenciesMs) p.latencies.push(v);
        p.firstError ||= r.firstError;
      }
    }
    const [direct, deployed] = pooled.map((p, i): Measured => {
      const m = { rps: p.requests / p.seconds, p50Ms: percentile(p.latencies, 50), p99Ms: percentile(p.latencies, 99), requests: p.requests, errors: p.errors, firstError: p.firstError };
      log(`${targets[i]!.label}, c=${c}: ${rate(m.rps)} req/s, p50 ${ms(m.p50Ms)} ms, p99 ${ms(m.p99Ms)} ms, ${m.errors} errors${m.firstError ? ` (first: ${m.firstError})` : ''}`);
      return m;
    }) as [Measured, Measured];

    // The report flushes the log first: every answered deployment request should be there.
    const report = await call(url, 'GET', '/api/ferry/v1/deployments/mlp-canary/ab-report');
    const logged = (report.variants as Array<{ variant: string; logged: number }>).reduce((s, v) => s + v.logged, 0);
    const byVariant = (report.variants as Array<{ variant: string; logged: number }>).map((v) => `${v.variant} ${v.logged}`).join(', ');
    log(`predictions logged: ${logged} (${byVariant})`);

    const throughputRatio = deployed.rps / direct.rps;
    const p99Ratio = deployed.p99Ms / direct.p99Ms;
    const met = throughputRatio >= 0.85 && p99Ratio <= 1.3 && deployed.errors === 0;
    const result = { concurrency: c, seconds: opts.seconds, rounds: opts.rounds, split, direct, deployment: deployed, logged, throughputRatio, p99Ratio, met, machine: machine() };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    log(`throughput ratio ${throughputRatio.toFixed(3)} (target ≥ 0.85), p99 ratio ${p99Ratio.toFixed(2)} (target ≤ 1.3): ${met ? 'met' : 'NOT met'}`);

    if (opts.write) {
      const yes = (b: boolean) => (b ? 'yes' : 'no');
      const rows: Row[] = [
        {
          measure: `MLP, OIP infer, 1 row/request, concurrency ${c}: deployment (90/10 canary, logging 100 %) throughput`,
          baseline: 'the same model served directly by the same server',
          baselineValue: `${rate(direct.rps)} req/s`,
          ferry: `${rate(deployed.rps)} req/s, ${deployed.errors} errors`,
          ratio: throughputRatio.toFixed(3),
          target: '≥ 0.85',
          met: yes(throughputRatio >= 0.85 && deployed.errors === 0),
        },
        {
          measure: 'same: p99',
          baseline: 'direct p99',
          baselineValue: `${ms(direct.p99Ms)} ms`,
          ferry: `${ms(deployed.p99Ms)} ms (p50 ${ms(deployed.p50Ms)})`,
          ratio: p99Ratio.toFixed(2),
          target: '≤ 1.3',
          met: yes(p99Ratio <= 1.3),
        },
      ];
      const body = `${machine()}. ${opts.seconds} s per target in ${opts.rounds} interleaved slices after ${opts.warmup} s warm-up; ${logged} predictions logged to Parquet.\n\n${table(rows)}`;
      writeSection('deployments', 'Deployments: canary routing and prediction logging overhead', body);
      log('wrote the deployments section of BENCHMARKS.md');
    }
  } finally {
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  }
}
