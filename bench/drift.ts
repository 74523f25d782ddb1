/**
 * Micro-benchmark (not a test): KS drift on 1,000,000 vs 1,000,000 rows ×
 * 20 numeric columns, in-process, against SciPy's `ks_2samp` over the same
 * columns run by /usr/bin/python3 in the same invocation.
 *
 *   npm run bench -- drift [--rows N] [--columns N] [--write]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectDrift } from '../src/data/drift/detect-drift.js';
import type { ComputedColumnDrift } from '../src/data/drift/drift-types.js';
import { seededRandom } from '../test/helpers/seeded-random.js';
import { machine, table, writeSection } from './lib/report.js';

const REPEATS = 3;

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

    const python = `
import json, sys, time
import numpy as np
from scipy import stats
d, cols, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
data = [(np.fromfile(f"{d}/c{c}.ref.f64"), np.fromfile(f"{d}/c{c}.cur.f64")) for c in range(cols)]
times = []
for _ in range(reps):
    t0 = time.perf_counter()
    res = [stats.ks_2samp(a, b) for a, b in data]
    times.append(time.perf_counter() - t0)
print(json.dumps({"times": times, "p": [float(r.pvalue) for r in res], "d": [float(r.statistic) for r in res]}))
`;
    const py = spawnSync('/usr/bin/python3', ['-c', python, dir, String(columnCount), String(REPEATS)], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    if (py.status !== 0) throw new Error(`python failed: ${py.stderr}`);
    const scipy = JSON.parse(py.stdout) as { times: number[]; p: number[]; d: number[] };

    let worst = 0;
    report.columns.forEach((c, i) => {
      const p = (c as ComputedColumnDrift).statistic;
      const e = scipy.p[i]!;
      const diff = Math.abs(p - e);
      if (diff > 1e-13) worst = Math.max(worst, diff / Math.abs(e));
    });
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
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
          baseline: 'SciPy 1.10 `ks_2samp` per column (Debian python3-scipy)',
          baselineValue: `${median(scipy.times).toFixed(2)} s`,
          ferry: `${median(times).toFixed(2)} s (worst p-value difference ${worst.toExponential(1)})`,
          ratio: ratio.toFixed(2),
          target: '≤ 0.5 × SciPy',
          met: ratio <= 0.5 ? 'yes' : 'no',
        },
      ])}`;
      writeSection('drift', 'Data drift (statistical core)', out);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
