/**
 * Serving benchmark (not a test): Ferry's `ferry serve` against two limits
 * measured in the same run on the same machine:
 *
 * - raw in-process onnxruntime-node `session.run` on the same model, with
 *   the session settings Ferry uses (the runtime floor);
 * - a bare `node:http` server in its own process answering a fixed JSON body
 *   of the size of Ferry's infer response (the HTTP floor), loaded by the
 *   same load generator at the same concurrency.
 *
 * Every server runs in its own process and the load generator runs here.
 * Servers compared with each other are up together and loaded in turn, in
 * alternating slices, so load from elsewhere on the machine falls on all alike.
 * On a 2-core machine the two compete for the cores, which is why the
 * targets are judged against the floors of the same run.
 *
 *   npm run bench -- serving [--write] [--seconds S] [--warmup S] [--rounds N] [--concurrency N]
 *     [--heavy-layers N] [--max-queue-delay-ms MS] [--predict-rows N] [--skip-predict]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sessionOptionsFor } from '../src/serving/onnx-session.js';
import { percentile, type RequestSpec } from './lib/http-load.js';
import { runPredictBench, type PredictOutcome } from './lib/predict-outcome.js';
import { machine, table, writeSection, type Row } from './lib/report.js';
import { prepareServeHome, startHttpFloor, startServe, type BenchServer } from './lib/serve-process.js';
import { FEATURES, buildHeavyTabularModel, buildMlpModel, sampleRows, writeModelPackage } from './lib/serving-models.js';
import { runTimedLoad, type TimedLoadResult } from './lib/timed-load.js';

type Ort = typeof import('onnxruntime-node');

const HEAVY_WIDTH = 1024;
const GB = 1e9;

const log = (s: string) => process.stderr.write(`[serving] ${s}\n`);
const ms = (v: number) => (v < 1 ? v.toFixed(3) : v < 10 ? v.toFixed(2) : v.toFixed(1));
const rate = (v: number) => Math.round(v).toLocaleString('en-US');
const ratio = (a: number, b: number, digits = 2) => (b > 0 ? (a / b).toFixed(digits) : '—');

interface Options {
  write: boolean;
  seconds: number;
  warmup: number;
  concurrency: number;
  rounds: number;
  heavyLayers?: number;
  queueDelayMs?: number;
  predictRows: number;
  skipPredict: boolean;
}

function parseOptions(args: string[]): Options {
  const value = (name: string): string | undefined => {
    const i = args.indexOf(name);
    if (i < 0) return undefined;
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`${name} needs a value`);
    return v;
  };
  const num = (name: string, fallback: number | undefined, min: number, integer = false): number | undefined => {
    const v = value(name);
    if (v === undefined) return fallback;
    const n = Number(v.replace(/[_,]/g, ''));
    if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) throw new Error(`${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}; got '${v}'`);
    return n;
  };
  return {
    write: args.includes('--write'),
    seconds: num('--seconds', 6, 0.5)!,
    warmup: num('--warmup', 2, 0)!,
    concurrency: num('--concurrency', 64, 2, true)!,
    rounds: num('--rounds', 3, 1, true)!,
    heavyLayers: num('--heavy-layers', undefined, 1, true),
    queueDelayMs: num('--max-queue-delay-ms', undefined, 0),
    predictRows: num('--predict-rows', 10_000_000, 1, true)!,
    skipPredict: args.includes('--skip-predict'),
  };
}

// ---- raw in-process onnxruntime-node ----

interface RawResult {
  batch1: { p50Ms: number; p99Ms: number; runs: number };
  /** Rows a second with batches of `batch` rows, back to back. */
  batched: { batch: number; rowsPerSecond: number };
}

interface RawSession {
  run(rows: number[][]): Promise<Float32Array>;
  measure(rows: number[][], seconds: number, batch: number): Promise<RawResult>;
  release(): Promise<void>;
}

/** The same model in this process, with the session settings Ferry's runtime uses (intra-op threads, no spinning). */
async function rawSession(ort: Ort, bytes: Uint8Array): Promise<RawSession> {
  const session = await ort.InferenceSession.create(bytes, sessionOptionsFor({}) as Parameters<Ort['InferenceSession']['create']>[1]);
  const run = async (rows: number[][]) => {
    const x = new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, FEATURES]);
    const out = await session.run({ x });
    return out.y!.data as Float32Array;
  };
  const measure = async (rows: number[][], seconds: number, batch: number): Promise<RawResult> => {
    const singles = rows.map((r) => Float32Array.from(r));
    for (let i = 0; i < 50; i++) await session.run({ x: new ort.Tensor('float32', singles[i % singles.length]!, [1, FEATURES]) });
    const lat: number[] = [];
    let end = performance.now() + (seconds * 1000) / 2;
    for (let i = 0; performance.now() < end || lat.length < 20; i++) {
      const t0 = performance.now();
      await session.run({ x: new ort.Tensor('float32', singles[i % singles.length]!, [1, FEATURES]) });
      lat.push(performance.now() - t0);
    }
    const batches = Array.from({ length: 8 }, (_, b) => Float32Array.from(Array.from({ length: batch }, (_, r) => rows[(b * batch + r) % rows.length]!).flat()));
    await session.run({ x: new ort.Tensor('float32', batches[0]!, [batch, FEATURES]) });
    let n = 0;
    const t0 = performance.now();
    end = t0 + (seconds * 1000) / 2;
    while (performance.now() < end || n < 5) {
      await session.run({ x: new ort.Tensor('float32', batches[n % batches.length]!, [batch, FEATURES]) });
      n++;
    }
    const elapsed = (performance.now() - t0) / 1000;
    return { batch1: { p50Ms: percentile(lat, 50), p99Ms: percentile(lat, 99), runs: lat.length }, batched: { batch, rowsPerSecond: (n * batch) / elapsed } };
  };
  return { run, measure, release: () => session.release() };
}

/** Builds the heavy model with enough layers that one row takes ≥ 1 ms in-process (with some margin for a quieter run). */
async function calibrateHeavy(ort: Ort, rows: number[][], fixedLayers?: number): Promise<{ bytes: Buffer; layers: number; batch1Ms: number }> {
  let layers = fixedLayers ?? 32;
  for (let attempt = 0; ; attempt++) {
    const bytes = buildHeavyTabularModel(layers, HEAVY_WIDTH);
    const s = await rawSession(ort, bytes);
    const r = await s.measure(rows, 1, 1);
    await s.release();
    const p50 = r.batch1.p50Ms;
    log(`heavy model with ${layers} layers of ${HEAVY_WIDTH}×${HEAVY_WIDTH}: batch-1 p50 ${ms(p50)} ms in-process`);
    if (fixedLayers !== undefined || p50 >= 1.1 || attempt >= 3) return { bytes, layers, batch1Ms: p50 };
    layers = Math.min(512, Math.ceil((layers * 1.4) / p50));
  }
}

// ---- HTTP phases ----

interface Phase {
  concurrency: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  firstError?: string;
}

function phase(r: TimedLoadResult, concurrency: number): Phase {
  return {
    concurrency,
    rps: r.requestsPerSecond,
    p50Ms: percentile(r.latenciesMs, 50),
    p99Ms: percentile(r.latenciesMs, 99),
    requests: r.requests,
    errors: r.errors,
    ...(r.firstError ? { firstError: r.firstError } : {}),
  };
}

interface Target {
  label: string;
  server: BenchServer;
  next: (i: number) => RequestSpec;
}

/**
 * Measures each target at `concurrency` for `opts.seconds`, split into
 * `opts.rounds` slices taken in turn (pooled afterwards), so that whatever
 * else runs on a shared machine weighs on the targets alike.
 */
async function compare(targets: Target[], concurrency: number, opts: Options): Promise<Phase[]> {
  if (opts.warmup > 0) for (const t of targets) await runTimedLoad(t.server.url, concurrency, opts.warmup, t.next);
  const pooled = targets.map(() => ({ requests: 0, errors: 0, seconds: 0, latenciesMs: [] as number[], firstError: '' }));
  for (let round = 0; round < opts.rounds; round++) {
    for (let k = 0; k < targets.length; k++) {
      // Rotate the order so no target always runs right after another's load.
      const i = (k + round) % targets.length;
      const r = await runTimedLoad(targets[i]!.server.url, concurrency, opts.seconds / opts.rounds, targets[i]!.next);
      const p = pooled[i]!;
      p.requests += r.requests;
      p.errors += r.errors;
      p.seconds += r.seconds;
      for (const v of r.latenciesMs) p.latenciesMs.push(v);
      p.firstError ||= r.firstError;
    }
  }
  return pooled.map((p, i) => {
    const ph = phase({ ...p, requestsPerSecond: p.requests / p.seconds }, concurrency);
    log(`${targets[i]!.label}, c=${concurrency}: ${rate(ph.rps)} req/s, p50 ${ms(ph.p50Ms)} ms, p99 ${ms(ph.p99Ms)} ms, ${ph.errors} errors${ph.firstError ? ` (first: ${ph.firstError})` : ''}`);
    return ph;
  });
}

/** One request outside the measurement, checked, so a broken server fails the bench instead of measuring error pages. */
async function probe(url: string, spec: RequestSpec): Promise<string> {
  const res = await fetch(url + spec.path, { method: spec.method, body: spec.body, headers: { 'content-type': 'application/json' } });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${spec.path} answered ${res.status}: ${text}`);
  return text;
}

/** Starts servers one after another and stops every one started, whatever happens in `body`. */
async function withServers<T>(body: (start: (s: () => Promise<BenchServer>) => Promise<BenchServer>) => Promise<T>): Promise<T> {
  const started: BenchServer[] = [];
  try {
    return await body(async (start) => {
      const s = await start();
      started.push(s);
      return s;
    });
  } finally {
    for (const s of started) await s.stop();
  }
}

// ---- the bench ----

export async function run(args: string[]): Promise<void> {
  const opts = parseOptions(args);
  const c = opts.concurrency;
  const dir = mkdtempSync(join(tmpdir(), 'ferry-serving-bench-'));
  try {
    const ort = (await import('onnxruntime-node')) as Ort;
    const sample = sampleRows(1000);

    log('building models …');
    const mlpBytes = buildMlpModel();
    const heavy = await calibrateHeavy(ort, sample, opts.heavyLayers);
    const mlpDir = writeModelPackage(dir, 'mlp', mlpBytes);
    const heavyDir = writeModelPackage(dir, 'heavy', heavy.bytes);

    log('raw in-process onnxruntime-node …');
    const mlpRawSession = await rawSession(ort, mlpBytes);
    const mlpRaw = await mlpRawSession.measure(sample, Math.max(2, opts.seconds / 2), c);
    const expectedFirst = (await mlpRawSession.run([sample[0]!]))[0]!;
    await mlpRawSession.release();
    const heavyRawSession = await rawSession(ort, heavy.bytes);
    const heavyRaw = await heavyRawSession.measure(sample, Math.max(2, opts.seconds / 2), c);
    await heavyRawSession.release();
    log(`mlp raw: batch-1 p50 ${ms(mlpRaw.batch1.p50Ms)} ms, p99 ${ms(mlpRaw.batch1.p99Ms)} ms; batch ${c}: ${rate(mlpRaw.batched.rowsPerSecond)} rows/s`);
    log(`heavy raw: batch-1 p50 ${ms(heavyRaw.batch1.p50Ms)} ms, p99 ${ms(heavyRaw.batch1.p99Ms)} ms; batch ${c}: ${rate(heavyRaw.batched.rowsPerSecond)} rows/s`);

    const home = join(dir, 'home');
    await prepareServeHome(home);
    const oipBodies = sample.map((row) => JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, FEATURES], data: row }] }));
    const mlflowBodies = sample.map((row) => JSON.stringify({ inputs: [row] }));
    const oip = (model: string) => (i: number): RequestSpec => ({ method: 'POST', path: `/v2/models/${model}/infer`, body: oipBodies[i % oipBodies.length]! });
    const invocations = (i: number): RequestSpec => ({ method: 'POST', path: '/invocations', body: mlflowBodies[i % mlflowBodies.length]! });
    const batchingOn = opts.queueDelayMs === undefined ? [] : ['--max-queue-delay-ms', String(opts.queueDelayMs)];
    const batchingOff = ['--max-batch-size', '1'];

    log('MLP: ferry serve with batching on and off, and the HTTP floor …');
    let floorBody = '';
    const mlp = await withServers(async (start) => {
      const on = await start(() => startServe(mlpDir, home, batchingOn));
      floorBody = await probe(on.url, oip('mlp')(0));
      const got = Number(JSON.parse(floorBody).outputs?.[0]?.data?.[0]);
      if (!(Math.abs(got - expectedFirst) <= 1e-5 * Math.max(1, Math.abs(expectedFirst)))) throw new Error(`Ferry answered ${got} where onnxruntime computes ${expectedFirst}`);
      await probe(on.url, invocations(0));
      const off = await start(() => startServe(mlpDir, home, batchingOff));
      await probe(off.url, oip('mlp')(0));
      // The floor answers Ferry's own response body, so both write the same bytes.
      const fl = await start(() => startHttpFloor(floorBody));
      const floorT = { label: `HTTP floor (${Buffer.byteLength(floorBody)}-byte body)`, server: fl, next: oip('mlp') };
      const onT = { label: 'mlp OIP, batching on', server: on, next: oip('mlp') };
      const offT = { label: 'mlp OIP, batching off', server: off, next: oip('mlp') };
      const [floorC1, onC1] = await compare([floorT, onT], 1, opts);
      const invT = { label: 'mlp /invocations, batching on', server: on, next: invocations };
      const [floorCN, onCN, offCN, inv] = await compare([floorT, onT, offT, invT], c, opts);
      return { floor: { c1: floorC1!, cN: floorCN! }, on: { c1: onC1!, oip: onCN!, invocations: inv! }, off: { oip: offCN! } };
    });
    const { floor } = mlp;
    const mlpOn = mlp.on;
    const mlpOff = mlp.off;

    log('heavy model: ferry serve with batching on and off …');
    const heavyRun = await withServers(async (start) => {
      const on = await start(() => startServe(heavyDir, home, batchingOn));
      await probe(on.url, oip('heavy')(0));
      const off = await start(() => startServe(heavyDir, home, batchingOff));
      await probe(off.url, oip('heavy')(0));
      const [onCN, offCN] = await compare(
        [
          { label: 'heavy OIP, batching on', server: on, next: oip('heavy') },
          { label: 'heavy OIP, batching off', server: off, next: oip('heavy') },
        ],
        c,
        opts,
      );
      return { on: { oip: onCN! }, off: { oip: offCN! } };
    });
    const heavyOn = heavyRun.on;
    const heavyOff = heavyRun.off;

    let predict: PredictOutcome = { ran: false, reason: 'skipped (--skip-predict)' };
    if (!opts.skipPredict) {
      log(`ferry predict over ${opts.predictRows.toLocaleString('en-US')} rows …`);
      predict = await runPredictBench(new URL('./predict-bench.ts', import.meta.url), opts.predictRows);
      if (!predict.ran) log(`(d) not run: ${predict.reason}`);
    }

    // ---- report ----
    const rows: Row[] = [];
    const yes = (b: boolean) => (b ? 'yes' : 'no');
    const a50 = floor.c1.p50Ms + mlpRaw.batch1.p50Ms;
    const a99 = floor.c1.p99Ms + mlpRaw.batch1.p99Ms;
    rows.push(
      {
        measure: '(a) MLP 20→64→64→1, OIP infer, 1 row, concurrency 1: p50',
        baseline: 'HTTP floor p50 at c=1 + raw onnxruntime-node batch-1 p50',
        baselineValue: `${ms(floor.c1.p50Ms)} + ${ms(mlpRaw.batch1.p50Ms)} = ${ms(a50)} ms`,
        ferry: `${ms(mlpOn.c1.p50Ms)} ms${mlpOn.c1.errors ? ` (${mlpOn.c1.errors} errors)` : ''}`,
        ratio: ratio(mlpOn.c1.p50Ms, a50),
        target: '≤ 0.3 ms',
        met: yes(mlpOn.c1.p50Ms <= 0.3 && mlpOn.c1.errors === 0),
      },
      {
        measure: '(a) same: p99',
        baseline: 'HTTP floor p99 at c=1 + raw onnxruntime-node batch-1 p99',
        baselineValue: `${ms(floor.c1.p99Ms)} + ${ms(mlpRaw.batch1.p99Ms)} = ${ms(a99)} ms`,
        ferry: `${ms(mlpOn.c1.p99Ms)} ms`,
        ratio: ratio(mlpOn.c1.p99Ms, a99),
        target: '≤ 2 ms',
        met: yes(mlpOn.c1.p99Ms <= 2 && mlpOn.c1.errors === 0),
      },
      {
        measure: `(b) MLP, OIP infer, 1 row/request, concurrency ${c}, batching on: throughput`,
        baseline: `HTTP floor at c=${c} (bare node:http, fixed ${Buffer.byteLength(floorBody)}-byte body)`,
        baselineValue: `${rate(floor.cN.rps)} req/s`,
        ferry: `${rate(mlpOn.oip.rps)} req/s, ${mlpOn.oip.errors} errors`,
        // Three digits: at two, 0.796 would read as a met 0.80.
        ratio: ratio(mlpOn.oip.rps, floor.cN.rps, 3),
        target: '≥ 0.8 × floor, 0 errors',
        met: yes(mlpOn.oip.rps >= 0.8 * floor.cN.rps && mlpOn.oip.errors === 0),
      },
      {
        measure: `(b) same, batching on: p99`,
        baseline: `HTTP floor p99 at c=${c}`,
        baselineValue: `${ms(floor.cN.p99Ms)} ms`,
        ferry: `${ms(mlpOn.oip.p99Ms)} ms (p50 ${ms(mlpOn.oip.p50Ms)})`,
        ratio: ratio(mlpOn.oip.p99Ms, floor.cN.p99Ms, 1),
        target: '≤ 15 ms',
        met: yes(mlpOn.oip.p99Ms <= 15),
      },
      {
        measure: `(b) same, batching off (--max-batch-size 1): throughput`,
        baseline: `HTTP floor at c=${c}`,
        baselineValue: `${rate(floor.cN.rps)} req/s`,
        ferry: `${rate(mlpOff.oip.rps)} req/s, ${mlpOff.oip.errors} errors (p99 ${ms(mlpOff.oip.p99Ms)} ms)`,
        ratio: ratio(mlpOff.oip.rps, floor.cN.rps),
        target: '—',
        met: '—',
      },
      {
        measure: `MLP, MLflow /invocations \`{"inputs": [[…]]}\`, 1 row/request, concurrency ${c}, batching on`,
        baseline: `HTTP floor at c=${c}`,
        baselineValue: `${rate(floor.cN.rps)} req/s`,
        ferry: `${rate(mlpOn.invocations.rps)} req/s, ${mlpOn.invocations.errors} errors (p99 ${ms(mlpOn.invocations.p99Ms)} ms)`,
        ratio: ratio(mlpOn.invocations.rps, floor.cN.rps),
        target: '—',
        met: '—',
      },
      {
        measure: `(c) compute-heavy model (20→${HEAVY_WIDTH}, ${heavy.layers} MatMuls ${HEAVY_WIDTH}×${HEAVY_WIDTH}, →1; in-process batch-1 p50 ${ms(heavyRaw.batch1.p50Ms)} ms), OIP, concurrency ${c}: batching on vs off`,
        baseline: 'the same server with batching off (--max-batch-size 1)',
        baselineValue: `${rate(heavyOff.oip.rps)} req/s`,
        ferry: `${rate(heavyOn.oip.rps)} req/s, ${heavyOn.oip.errors} errors (p99 ${ms(heavyOn.oip.p99Ms)} ms)`,
        ratio: `${ratio(heavyOn.oip.rps, heavyOff.oip.rps, 1)}×`,
        target: '≥ 3×',
        met: yes(heavyOn.oip.rps >= 3 * heavyOff.oip.rps && heavyRaw.batch1.p50Ms >= 1),
      },
      {
        measure: `(c) same, batching on vs the runtime alone`,
        baseline: `raw onnxruntime-node in-process, batches of ${c} rows back to back`,
        baselineValue: `${rate(heavyRaw.batched.rowsPerSecond)} rows/s`,
        ferry: `${rate(heavyOn.oip.rps)} rows/s`,
        ratio: ratio(heavyOn.oip.rps, heavyRaw.batched.rowsPerSecond),
        target: '—',
        met: '—',
      },
    );
    if (predict.ran) {
      const p = predict.result;
      rows.push(
        {
          measure: `(d) \`ferry predict\`, ${opts.predictRows.toLocaleString('en-US')} rows × 20-column Parquet: throughput`,
          baseline: 'raw batched onnxruntime-node throughput (predict-bench)',
          baselineValue: `${rate(p.rawRowsPerSecond)} rows/s`,
          ferry: `${rate(p.predictRowsPerSecond)} rows/s`,
          ratio: ratio(p.predictRowsPerSecond, p.rawRowsPerSecond),
          target: '≥ 0.5 × raw',
          met: yes(p.predictRowsPerSecond >= 0.5 * p.rawRowsPerSecond),
        },
        {
          measure: '(d) same: peak memory (RSS)',
          baseline: '—',
          baselineValue: '—',
          ferry: `${(p.peakRssBytes / 2 ** 20).toFixed(0)} MiB`,
          ratio: '—',
          target: '< 1 GB',
          met: yes(p.peakRssBytes < GB),
        },
      );
    }

    const json = {
      machine: machine(),
      concurrency: c,
      seconds_per_measure: opts.seconds,
      rounds: opts.rounds,
      warmup_seconds: opts.warmup,
      raw_onnxruntime: { mlp: mlpRaw, heavy: { ...heavyRaw, layers: heavy.layers, width: HEAVY_WIDTH } },
      http_floor: { response_bytes: Buffer.byteLength(floorBody), c1: floor.c1, [`c${c}`]: floor.cN },
      ferry: {
        mlp_batching_on: mlpOn,
        mlp_batching_off: mlpOff,
        heavy_batching_on: heavyOn,
        heavy_batching_off: heavyOff,
      },
      ratios: {
        a_p50_vs_floor_plus_raw: mlpOn.c1.p50Ms / a50,
        b_throughput_vs_floor: mlpOn.oip.rps / floor.cN.rps,
        b_throughput_batching_off_vs_floor: mlpOff.oip.rps / floor.cN.rps,
        invocations_vs_floor: mlpOn.invocations.rps / floor.cN.rps,
        c_heavy_batching_on_vs_off: heavyOn.oip.rps / heavyOff.oip.rps,
      },
      predict: predict.ran ? { rows: opts.predictRows, ...predict.result, ratio: predict.result.predictRowsPerSecond / predict.result.rawRowsPerSecond } : { not_run: predict.reason },
    };
    console.log(JSON.stringify(json, null, 2));

    const date = new Date().toISOString().slice(0, 10);
    const out =
      `Run ${date} on ${machine()}. Each server (\`ferry serve\` on a local MLflow package, and the HTTP floor) runs in its own process; ` +
      `the closed-loop load generator (node:http keep-alive) runs in the bench process and shares the cores with it. ` +
      `Servers compared with each other are up together and loaded one at a time, in ${opts.rounds} alternating slices pooled per server ` +
      `(${opts.warmup} s warm-up, then ${opts.seconds} s per measure in all). Batching on = max batch 64, queue delay ${opts.queueDelayMs ?? 0} ms${opts.queueDelayMs === undefined ? " (Ferry's defaults)" : ''}; off = --max-batch-size 1. ` +
      `Raw onnxruntime-node uses Ferry's session settings.\n\n${table(rows)}` +
      (predict.ran ? '' : `\n(d) \`ferry predict\` over Parquet: not run (${predict.reason}).\n`);
    console.log(`\n## serving\n\n${out}`);
    if (opts.write) writeSection('serving', 'Serving (ONNX models over HTTP)', out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
