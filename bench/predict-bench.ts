/**
 * Micro-benchmark (not a test): `ferry predict` over a Parquet file of N rows
 * × 20 FLOAT columns (plus an id) against raw batched onnxruntime-node on the
 * same model, same batch size and same session settings, in the same run.
 *
 *   npx tsx bench/predict-bench.ts [--rows N] [--batch-size N] [--hidden N] [--repeats N]
 *
 * Raw: `session.run` over batches already in memory (no reading, no
 * writing): the ceiling. Ferry: `predictBatch` exactly as `ferry predict`
 * runs it (DuckDB read, model on the main thread, Parquet write), in a child
 * process of its own so its peak RSS is its own. The model is an MLP
 * 20 → hidden → hidden → 1 (ReLU), built in TypeScript.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DuckDbEngine } from '../src/data/table/index.js';
import { buildOnnxMlModel, stringifyMlModel } from '../src/registry/model-package/index.js';
import { loadBatchModel, predictBatch, type BatchPredictSummary } from '../src/serving/batch/index.js';
import { sessionOptionsFor } from '../src/serving/onnx-session.js';
import { buildModel } from '../test/helpers/onnx-builder.js';

export interface PredictBenchOptions {
  /** Rows in the Parquet file. Default 1,000,000. */
  rows?: number;
  /** Feature columns. Default 20. */
  columns?: number;
  /** Rows per model call, for both sides. Default 4096. */
  batchSize?: number;
  /** Width of the MLP's two hidden layers. Default 64. */
  hidden?: number;
  /** Where the files go; default a temp folder, removed afterwards. */
  dir?: string;
  /** Runs of each side, interleaved; the best of each counts (a shared machine's noise only slows runs down). Default 1. */
  repeats?: number;
}

export interface PredictBenchResult {
  rows: number;
  columns: number;
  batchSize: number;
  hidden: number;
  raw: { seconds: number; rowsPerSecond: number };
  predict: { seconds: number; rowsPerSecond: number; peakRssBytes: number; written: number };
  /** predict ÷ raw rows per second. */
  ratio: number;
  /** The same numbers, flat, as the serving benchmark reads them (bench/lib/predict-outcome.ts). */
  rawRowsPerSecond: number;
  predictRowsPerSecond: number;
  peakRssBytes: number;
}

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Deterministic weights in [-0.5, 0.5), so outputs stay finite and comparable between runs. */
function weights(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => (((i * 2654435761 + seed * 40503) >>> 0) % 1000) / 1000 - 0.5);
}

function buildMlp(columns: number, hidden: number): Buffer {
  return buildModel({
    graphName: 'bench_mlp',
    nodes: [
      { op: 'Gemm', inputs: ['x', 'W1', 'B1'], outputs: ['h1'] },
      { op: 'Relu', inputs: ['h1'], outputs: ['r1'] },
      { op: 'Gemm', inputs: ['r1', 'W2', 'B2'], outputs: ['h2'] },
      { op: 'Relu', inputs: ['h2'], outputs: ['r2'] },
      { op: 'Gemm', inputs: ['r2', 'W3', 'B3'], outputs: ['y'] },
    ],
    inputs: [{ name: 'x', dtype: 'float32', shape: ['batch', columns] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: ['batch', 1] }],
    initializers: [
      { name: 'W1', dtype: 'float32', dims: [columns, hidden], values: weights(columns * hidden, 1) },
      { name: 'B1', dtype: 'float32', dims: [hidden], values: weights(hidden, 2) },
      { name: 'W2', dtype: 'float32', dims: [hidden, hidden], values: weights(hidden * hidden, 3) },
      { name: 'B2', dtype: 'float32', dims: [hidden], values: weights(hidden, 4) },
      { name: 'W3', dtype: 'float32', dims: [hidden, 1], values: weights(hidden, 5) },
      { name: 'B3', dtype: 'float32', dims: [1], values: [0.1] },
    ],
  });
}

async function writeInput(path: string, rows: number, columns: number): Promise<void> {
  const engine = await DuckDbEngine.open({ memoryLimit: '1GB' });
  try {
    // hash() makes the values deterministic (random() depends on thread scheduling).
    const features = Array.from({ length: columns }, (_, j) => `CAST((hash(range * ${columns} + ${j}) % 2000) / 1000.0 - 1 AS FLOAT) AS f${j}`);
    await engine.run(`COPY (SELECT ${features.join(', ')} FROM range($1)) TO $2 (FORMAT parquet)`, [rows, path]);
  } finally {
    engine.close();
  }
}

async function writePackage(dir: string, bytes: Buffer, columns: number): Promise<void> {
  await mkdir(dir, { recursive: true });
  const signature = {
    inputs: [{ name: 'x', dtype: 'float32', shape: [-1, columns] }],
    outputs: [{ name: 'y', dtype: 'float32', shape: [-1, 1] }],
  };
  await writeFile(join(dir, 'MLmodel'), stringifyMlModel(buildOnnxMlModel({ signature, modelSizeBytes: bytes.length })));
  await writeFile(join(dir, 'model.onnx'), bytes);
}

/** Raw onnxruntime-node: `session.run` over in-memory batches, on the main thread, with serving's session settings. */
async function rawThroughput(bytes: Buffer, rows: number, columns: number, batchSize: number): Promise<{ seconds: number; rowsPerSecond: number }> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes, sessionOptionsFor({}) as never);
  try {
    const pool = Array.from({ length: 8 }, (_, p) => {
      const data = new Float32Array(batchSize * columns);
      for (let i = 0; i < data.length; i++) data[i] = (((i + p * 7919) * 2654435761) % 2000) / 1000 - 1;
      return new ort.Tensor('float32', data, [batchSize, columns]);
    });
    for (let i = 0; i < 5; i++) await session.run({ x: pool[i % pool.length]! });
    const batches = Math.ceil(rows / batchSize);
    const t0 = performance.now();
    for (let b = 0; b < batches; b++) {
      const n = Math.min(batchSize, rows - b * batchSize);
      const x = n === batchSize ? pool[b % pool.length]! : new ort.Tensor('float32', (pool[0]!.data as Float32Array).slice(0, n * columns), [n, columns]);
      await session.run({ x });
    }
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, rowsPerSecond: rows / seconds };
  } finally {
    await session.release();
  }
}

interface ChildResult {
  summary: BatchPredictSummary;
  peakRssBytes: number;
}

/** The child's side: `ferry predict`'s code path, then its own peak RSS. */
async function childPredict(args: { model: string; input: string; output: string; batchSize: number }): Promise<void> {
  const model = await loadBatchModel(args.model, {}, { batchSize: args.batchSize });
  try {
    const summary = await predictBatch(model, { input: args.input, output: args.output, batchSize: args.batchSize, overwrite: true });
    const result: ChildResult = { summary, peakRssBytes: process.resourceUsage().maxRSS * 1024 };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await model.unload();
  }
}

function runChild(args: Record<string, unknown>): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', JSON.stringify(args)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`predict child exited ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as ChildResult);
    });
  });
}

/** Creates the data and model, then times raw onnxruntime and `ferry predict` on them. */
export async function predictBench(opts: PredictBenchOptions = {}): Promise<PredictBenchResult> {
  const rows = opts.rows ?? 1_000_000;
  const columns = opts.columns ?? 20;
  const batchSize = opts.batchSize ?? 4096;
  const hidden = opts.hidden ?? 64;
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'ferry-predict-bench-')));
  try {
    const input = join(dir, 'input.parquet');
    const modelDir = join(dir, 'model');
    await writeInput(input, rows, columns);
    const bytes = buildMlp(columns, hidden);
    await writePackage(modelDir, bytes, columns);
    let raw: PredictBenchResult['raw'] | undefined;
    let predict: PredictBenchResult['predict'] | undefined;
    let peakRssBytes = 0;
    for (let r = 0; r < (opts.repeats ?? 1); r++) {
      const rawRun = await rawThroughput(bytes, rows, columns, batchSize);
      if (!raw || rawRun.rowsPerSecond > raw.rowsPerSecond) raw = rawRun;
      const { summary: s, peakRssBytes: peak } = await runChild({ model: modelDir, input, output: join(dir, 'predictions.parquet'), batchSize });
      peakRssBytes = Math.max(peakRssBytes, peak);
      if (!predict || s.rowsPerSecond > predict.rowsPerSecond) predict = { seconds: s.seconds, rowsPerSecond: s.rowsPerSecond, peakRssBytes, written: s.written };
    }
    predict!.peakRssBytes = peakRssBytes;
    return {
      rows,
      columns,
      batchSize,
      hidden,
      raw: raw!,
      predict: predict!,
      ratio: predict!.rowsPerSecond / raw!.rowsPerSecond,
      rawRowsPerSecond: raw!.rowsPerSecond,
      predictRowsPerSecond: predict!.rowsPerSecond,
      peakRssBytes,
    };
  } finally {
    if (!opts.dir) await rm(dir, { recursive: true, force: true });
  }
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === '--child') return childPredict(JSON.parse(argv[1]!));
  const flag = (name: string) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : undefined);
  const r = await predictBench({ rows: flag('--rows'), batchSize: flag('--batch-size'), hidden: flag('--hidden'), columns: flag('--columns'), repeats: flag('--repeats') });
  const f = (n: number) => Math.round(n).toLocaleString('en-US');
  process.stdout.write(
    `ferry predict bench: ${f(r.rows)} rows × ${r.columns} FLOAT columns, MLP ${r.columns}→${r.hidden}→${r.hidden}→1, batch ${r.batchSize}\n` +
      `  raw onnxruntime-node: ${f(r.raw.rowsPerSecond)} rows/s (${r.raw.seconds.toFixed(2)} s)\n` +
      `  ferry predict:        ${f(r.predict.rowsPerSecond)} rows/s (${r.predict.seconds.toFixed(2)} s), peak RSS ${(r.predict.peakRssBytes / 2 ** 20).toFixed(0)} MiB (highest of the runs)\n` +
      `  ratio: ${(r.ratio * 100).toFixed(1)} % of raw (target ≥ 50 %)\n`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
