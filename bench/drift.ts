/**
 * Micro-benchmark (not a test): KS drift on 1,000,000 vs 1,000,000 rows ×
 * 20 numeric columns, in-process, against SciPy's `ks_2samp` over the same
 * columns run by the first Python with SciPy ($FERRY_BENCH_PYTHON, python3, /usr/bin/python3) in the same
 * invocation; then end to end: the same columns written to two Parquet
 * files, read back with DuckDB (`readDriftFrames`) and tested, beside the
 * in-memory time.
 *
 *   npm run bench -- drift [--rows N] [--columns N] [--write]
 *   FERRY_BENCH_PYTHON=python3 npm run bench -- drift   # another interpreter with SciPy
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectDrift } from '../src/data/drift/detect-drift.js';
import { readDriftFrames } from '../src/data/drift/drift-reader.js';
import type { ComputedColumnDrift, DriftReport } from '../src/data/drift/drift-types.js';
import { DuckDbEngine } from '../src/data/table/duckdb-engine.js';
import { writeTableFile } from '../test/data/drift/drift-files.js';
import { seededRandom } from '../test/helpers/seeded-random.js';
import { machine, table, writeSection } from './lib/report.js';

const REPEATS = 3;

/** The interpreter with NumPy and SciPy; Debian's by default. */
/** The first interpreter that has SciPy: $FERRY_BENCH_PYTHON, then python3 on PATH, then Debian's. */
const PYTHON =
  process.env.FERRY_BENCH_PYTHON ??
  (['python3', '/usr/bin/python3'].find((py) => spawnSync(py, ['-c', 'import scipy, numpy'], { stdio: 'ignore' }).status === 0) ?? '/usr/bin/python3');

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface EndToEnd {
  total: number[];
  read: number[];
  threads: string;
  /** Largest difference between the file and in-memory scores (0 when the read is faithful). */
  worst: number;
}

/** Parquet files of the same columns, then `readDriftFrames` + `detectDrift`, timed together and the read alone. */
async function endToEnd(dir: string, reference: Record<string, Float64Array>, current: Record<string, Float64Array>, memory: DriftReport): Promise<EndToEnd> {
  const engine = await DuckDbEngine.open();
  try {
    const paths = { reference: join(dir, 'reference.parquet'), current: join(dir, 'current.parquet') };
    for (const [side, frame] of [
      ['reference', reference],
      ['current', current],
    ] as const) {
      await writeTableFile(engine, paths[side], Object.entries(frame).map(([name, values]) => ({ name, type: 'DOUBLE' as const, values })));
    }
    const ref = await engine.tableFile(paths.reference);
    const cur = await engine.tableFile(paths.current);
    const total: number[] = [];
    const read: number[] = [];
    let report = memory;
    for (let r = 0; r < REPEATS; r++) {
      const t0 = performance.now();
      const frames = await readDriftFrames(engine, ref, cur);
      const t1 = performance.now();
      report = detectDrift(frames.reference, frames.current, { stattest: 'ks', columnTypes: frames.columnTypes });
      total.push((performance.now() - t0) / 1000);
      read.push((t1 - t0) / 1000);
    }
    let worst = 0;
    report.columns.forEach((c, i) => {
      worst = Math.max(worst, Math.abs((c as ComputedColumnDrift).statistic - (memory.columns[i] as ComputedColumnDrift).statistic));
    });
    const [{ threads }] = (await engine.rows("SELECT current_setting('threads') AS threads")) as [{ threads: unknown }];
    return { total, read, threads: String(threads), worst };
  } finally {
    engine.close();
  }
}

// Most columns stable; a few shifted by amounts that reach every branch of
// the asymptotic p-value (Pelz–Good, Smirnov sum, underflow to 0).
const SHIFTS = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0.001, 0.003, 0.006, 0.01, 0.03, 0.1];

function column(seed: number, n: number, shift: number): Float64Array {
  const rnd = seededRandom(seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = rnd.next() + rnd.next() + rnd.next() + rnd.next() - 2 + shift;
  return out;
}

export async function run(args: string[]): Promise<void> {
  const flag = (name: string, fallback: number) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : fallback);
  const rows = flag('--rows', 1_000_000);
  const columnCount = flag('--columns', 20);
  const dir = mkdtempSync(join(tmpdir(), 'ferry-drift-bench-'));
  try {
    const reference: Record<string, Float64Array> = {};
    const current: Record<string, Float64Array> = {};
    for (let c = 0; c < columnCount; c++) {
      const name = `c${c}`;
      reference[name] = column(1000 + c, rows, 0);
      current[name] = column(2000 + c, rows, SHIFTS[c % SHIFTS.length]!);
      writeFileSync(join(dir, `${name}.ref.f64`), reference[name]);
      writeFileSync(join(dir, `${name}.cur.f64`), current[name]);
    }

    const times: number[] = [];
    let report = detectDrift(reference, current, { stattest: 'ks' });
    for (let r = 0; r < REPEATS; r++) {
      const t0 = performance.now();
      report = detectDrift(reference, current, { stattest: 'ks' });
      times.push((performance.now() - t0) / 1000);
    }
    const files = await endToEnd(dir, reference, current, report);

    const python = `
import json, sys, time
import numpy as np
import scipy
from scipy import stats
d, cols, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = [(np.fromfile(f"{d}/c{c}.ref.f64"), np.fromfile(f"{d}/c{c}.cur.f64")) for c in range(cols)]
times = []
for _ in range(reps):
    t0 = time.perf_counter()
    res = [stats.ks_2samp(a, b) for a, b in data]
    times.append(time.perf_counter() - t0)
print(json.dumps({"times": times, "p": [float(r.pvalue) for r in res], "d": [float(r.statistic) for r in res], "version": scipy.__version__}))
`;
    const py = spawnSync(PYTHON, ['-c', python, dir, String(columnCount), String(REPEATS)], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (py.status !== 0) throw new Error(`python failed: ${py.stderr}`);
    const scipy = JSON.parse(py.stdout) as { times: number[]; p: number[]; d: number[]; version: string };

    let worst = 0;
    report.columns.forEach((c, i) => {
      const p = (c as ComputedColumnDrift).statistic;
      const e = scipy.p[i]!;
      const diff = Math.abs(p - e);
      if (diff > 1e-13) worst = Math.max(worst, diff / Math.abs(e));
    });
    console.log(
      JSON.stringify(
        {
          rows,
          columns: columnCount,
          ferry_s: { median: median(times), all: times },
          scipy_ks_2samp_s: { median: median(scipy.times), all: scipy.times },
          ratio: median(times) / median(scipy.times),
          worst_relative_pvalue_difference: worst,
          drifted_columns: report.dataset.drifted_columns,
          end_to_end_parquet_s: {
            median: median(files.total),
            all: files.total,
            read_median: median(files.read),
            duckdb_threads: files.threads,
            vs_in_memory: median(files.total) / median(times),
            worst_pvalue_difference_vs_in_memory: files.worst,
          },
        },
        null,
        2,
      ),
    );
    const ratio = median(times) / median(scipy.times);
    if (args.includes('--write')) {
      const out = `Run ${new Date().toISOString().slice(0, 10)} on ${machine()}; both in-process, single-threaded, median of ${REPEATS}.\n\n${table([
        {
          measure: `KS drift, ${rows.toLocaleString('en-US')} vs ${rows.toLocaleString('en-US')} rows × ${columnCount} numeric columns`,
          baseline: `SciPy ${scipy.version} \`ks_2samp\` per column (${PYTHON})`,
          baselineValue: `${median(scipy.times).toFixed(2)} s`,
          ferry: `${median(times).toFixed(2)} s (worst p-value difference ${worst.toExponential(1)})`,
          ratio: ratio.toFixed(2),
          target: '≤ 0.5 × SciPy',
          met: ratio <= 0.5 ? 'yes' : 'no',
        },
        {
          measure: 'Same, end to end from two Parquet files (DuckDB read + KS)',
          baseline: 'Ferry in-memory core (row above)',
          baselineValue: `${median(times).toFixed(2)} s`,
          ferry: `${median(files.total).toFixed(2)} s (read ${median(files.read).toFixed(2)} s, DuckDB ${files.threads} threads; p-values identical: ${files.worst === 0 ? 'yes' : 'no'})`,
          ratio: (median(files.total) / median(times)).toFixed(2),
          target: '—',
          met: '—',
        },
      ])}`;
      writeSection('drift', 'Data drift (statistical core)', out);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
