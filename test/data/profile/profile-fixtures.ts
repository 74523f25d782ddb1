import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DuckDbEngine } from '../../../src/data/table/index.js';
import { seededRandom } from '../../helpers/seeded-random.js';

/** The columns of the mixed fixture, as JS values (null = missing), row by row. */
export interface FixtureRows {
  id: number[];
  amount: (number | null)[];
  qty: number[];
  city: string[];
  note: string[];
  day: string[];
  flag: boolean[];
}

/**
 * City frequencies of the 200 base rows; with the copied rows (5 is kyiv, 9 is
 * rome) kyiv and rome tie at 42, so the top-values order must break the tie by value.
 */
const CITIES: [string, number][] = [
  ['lima', 68],
  ['oslo', 50],
  ['rome', 41],
  ['kyiv', 40],
  ['nuuk', 1],
];

/**
 * 200 deterministic rows (ids 0–199) plus three exact copies of earlier rows
 * (row 5 twice, row 9 once): 203 rows, 3 duplicate rows.
 */
export function fixtureRows(): FixtureRows {
  const rnd = seededRandom(7);
  const cities = CITIES.flatMap(([name, n]) => new Array<string>(n).fill(name));
  const base = Array.from({ length: 200 }, (_, i) => ({
    id: i,
    amount: i % 10 === 3 ? null : Math.round((rnd.next() * 200 - 50) * 100) / 100,
    qty: 1 + (i % 5),
    city: cities[(i * 37) % 200]!,
    note: `note ${rnd.int(0, 1e6)}-${i}`,
    day: `2024-0${1 + (i % 3)}-${String(1 + (i % 28)).padStart(2, '0')}`,
    flag: i % 3 === 0,
  }));
  const rows = [...base, base[5]!, base[5]!, base[9]!];
  return {
    id: rows.map((r) => r.id),
    amount: rows.map((r) => r.amount),
    qty: rows.map((r) => r.qty),
    city: rows.map((r) => r.city),
    note: rows.map((r) => r.note),
    day: rows.map((r) => r.day),
    flag: rows.map((r) => r.flag),
  };
}

const sqlPath = (p: string) => `'${p.replace(/'/g, "''")}'`;

/** The fixture as CSV (written directly), Parquet and JSON lines (converted by DuckDB). */
export async function writeFixture(engine: DuckDbEngine, dir: string): Promise<{ csv: string; parquet: string; jsonl: string; rows: FixtureRows }> {
  const rows = fixtureRows();
  const lines = ['id,amount,qty,city,note,day,flag,empty'];
  for (let i = 0; i < rows.id.length; i++) {
    lines.push([rows.id[i], rows.amount[i] ?? '', rows.qty[i], rows.city[i], rows.note[i], rows.day[i], rows.flag[i], ''].join(','));
  }
  const csv = join(dir, 'mixed.csv');
  await writeFile(csv, `${lines.join('\n')}\n`);
  const parquet = join(dir, 'mixed.parquet');
  const jsonl = join(dir, 'mixed.jsonl');
  const scan = `read_csv(${sqlPath(csv)}, auto_detect = true, header = true)`;
  await engine.run(`COPY (SELECT * FROM ${scan}) TO ${sqlPath(parquet)} (FORMAT parquet)`);
  await engine.run(`COPY (SELECT * FROM ${scan}) TO ${sqlPath(jsonl)} (FORMAT json)`);
  return { csv, parquet, jsonl, rows };
}

/** Writes the result of `select` to a Parquet file. */
export async function writeParquet(engine: DuckDbEngine, path: string, select: string): Promise<string> {
  await engine.run(`COPY (${select}) TO ${sqlPath(path)} (FORMAT parquet)`);
  return path;
}

/** pandas' `describe` numbers, computed plainly: mean, sample std, and quantiles by linear interpolation. */
export function describe(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((s, v) => s + v, 0) / n;
  const std = Math.sqrt(sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1));
  const q = (p: number) => {
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const hi = Math.min(lo + 1, n - 1);
    return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
  };
  return {
    count: n,
    mean,
    std,
    min: sorted[0]!,
    max: sorted[n - 1]!,
    quantiles: { p01: q(0.01), p05: q(0.05), p25: q(0.25), p50: q(0.5), p75: q(0.75), p95: q(0.95), p99: q(0.99) },
  };
}

/** np.histogram's counts, written out plainly: bin i holds edges[i] ≤ v < edges[i+1], the last also v = max. */
export function histogramCounts(values: number[], bins: number): number[] {
  const min = Math.min(...values);
  const max = Math.max(...values);
  const step = (max - min) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : i * step + min));
  return edges.slice(0, -1).map((lo, i) => values.filter((v) => v >= lo && (i === bins - 1 ? v <= max : v < edges[i + 1]!)).length);
}
