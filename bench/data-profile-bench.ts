/**
 * Benchmark (not a test): `profileTable` on a generated Parquet file of
 * 10,000,000 rows × 10 columns (6 numeric, 2 categorical, 1 text, 1 timestamp),
 * against DuckDB's own `SUMMARIZE` (approximate quantiles, no histograms, no
 * top values, no duplicates) over the same file in the same run. Target: the
 * profile in under 10 s on the 2-core build machine.
 *
 *   npx tsx bench/data-profile-bench.ts [--rows N] [--repeats N]
 *   npm run bench -- data-profile [--rows N] [--repeats N] [--write]   (once bench/run.ts lists it)
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { profileTable } from '../src/data/profile/profile-table.js';
import type { TableProfile } from '../src/data/profile/profile-types.js';
import { DuckDbEngine } from '../src/data/table/duckdb-engine.js';
import { machine, table, writeSection } from './lib/report.js';

export interface ProfileBenchResult {
  rows: number;
  file_mib: number;
  threads: number;
  /** Wall seconds of each profileTable run. */
  profile_s: number[];
  median_s: number;
  /** Process CPU seconds (all DuckDB threads) of the median run: what the run costs on an idle machine. */
  cpu_s: number;
  summarize_s: number;
  generate_s: number;
  /** 1-minute load average before and after: the machine is shared, so wall times move with it. */
  load: [number, number];
  profile: TableProfile;
}

/**
 * Deterministic columns from hashes of the row number, so every run profiles
 * the same data: uniform, log-normal-like and bell-shaped doubles, integers,
 * a float with nulls, categories with a skew, free text and timestamps.
 */
export function generateSql(rows: number, path: string): string {
  const u = (salt: number) => `((hash(i * ${salt} + ${salt}) % 1000000007) / 1000000007.0)`;
  return `COPY (SELECT
    i AS id,
    ${u(3)} * 1000 AS uniform,
    exp(${u(5)} * 4 + ${u(7)} * 4) AS price,
    ${u(11)} + ${u(13)} + ${u(17)} + ${u(19)} - 2 AS score,
    (hash(i * 23) % 1000)::INTEGER AS quantity,
    CASE WHEN i % 19 = 0 THEN NULL ELSE (${u(29)} * 100)::FLOAT END AS ratio,
    ['north', 'south', 'east', 'west', 'centre'][1 + (hash(i * 31) % 5)::INTEGER] AS region,
    CASE WHEN i % 13 = 0 THEN NULL ELSE 'segment-' || (floor(sqrt(hash(i * 37) % 900)))::INTEGER END AS segment,
    'order ' || (hash(i * 41) % 4000000)::VARCHAR || ' ' || ['ok', 'late', 'lost'][1 + (i % 3)::INTEGER] AS note,
    TIMESTAMP '2023-01-01' + to_seconds((hash(i * 43) % 31536000)::BIGINT) AS created_at
  FROM range(${rows}) t(i)) TO '${path.replace(/'/g, "''")}' (FORMAT parquet, ROW_GROUP_SIZE 122880)`;
}

export async function profileBench(opts: { rows?: number; repeats?: number } = {}): Promise<ProfileBenchResult> {
  const rows = opts.rows ?? 10_000_000;
  const repeats = opts.repeats ?? 3;
  const threads = availableParallelism();
  const dir = await mkdtemp(join(tmpdir(), 'ferry-profile-bench-'));
  const engine = await DuckDbEngine.open({ threads, tempDirectory: dir });
  try {
    const path = join(dir, 'bench.parquet');
    let t0 = performance.now();
    await engine.run(generateSql(rows, path));
    const generate_s = (performance.now() - t0) / 1000;
    const file = await engine.tableFile(path);
    const load0 = loadavg()[0]!;

    const runs: { s: number; cpu: number; profile: TableProfile }[] = [];
    for (let r = 0; r < repeats; r++) {
      const c0 = process.cpuUsage();
      t0 = performance.now();
      const profile = await profileTable(engine, file);
      const s = (performance.now() - t0) / 1000;
      const c = process.cpuUsage(c0);
      runs.push({ s, cpu: (c.user + c.system) / 1e6, profile });
    }
    t0 = performance.now();
    await engine.rows(`SUMMARIZE SELECT * FROM ${file.scanSql}`, [path]);
    const summarize_s = (performance.now() - t0) / 1000;
    const median = [...runs].sort((a, b) => a.s - b.s)[Math.floor(runs.length / 2)]!;
    return {
      rows,
      file_mib: Math.round((await stat(path)).size / 2 ** 20),
      threads,
      profile_s: runs.map((r) => Number(r.s.toFixed(2))),
      median_s: Number(median.s.toFixed(2)),
      cpu_s: Number(median.cpu.toFixed(2)),
      summarize_s: Number(summarize_s.toFixed(2)),
      generate_s: Number(generate_s.toFixed(2)),
      load: [load0, loadavg()[0]!],
      profile: median.profile,
    };
  } finally {
    engine.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** `bench/run.ts` entry: prints the result; `--write` records it in BENCHMARKS.md. */
export async function run(args: string[]): Promise<void> {
  const flag = (name: string) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : undefined);
  const r = await profileBench({ rows: flag('--rows'), repeats: flag('--repeats') });
  const { profile, ...numbers } = r;
  console.log(JSON.stringify({ ...numbers, columns: profile.columns.map((c) => `${c.name}:${c.kind}`) }, null, 2));
  if (args.includes('--write')) {
    const body = `Run ${new Date().toISOString().slice(0, 10)} on ${machine()}; DuckDB ${r.threads} threads, median of ${r.profile_s.length}; 1-minute load average ${r.load[0].toFixed(1)} → ${r.load[1].toFixed(1)} (shared machine).\n\n${table([
      {
        measure: `profile of ${r.rows.toLocaleString('en-US')} rows × 10 columns Parquet (${r.file_mib} MiB)`,
        baseline: 'DuckDB `SUMMARIZE` on the same file (approximate quantiles; no histograms, top values or duplicates)',
        baselineValue: `${r.summarize_s.toFixed(2)} s`,
        ferry: `${r.median_s.toFixed(2)} s (${r.cpu_s.toFixed(1)} CPU s)`,
        ratio: (r.median_s / r.summarize_s).toFixed(2),
        target: '< 10 s',
        met: r.median_s < 10 ? 'yes' : 'no',
      },
    ])}`;
    writeSection('data-profile', 'Data profiling', body);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await run(process.argv.slice(2));
}
