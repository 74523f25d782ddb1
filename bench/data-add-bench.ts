/**
 * Benchmark (not a test): `ferry data add` of a directory of mixed file sizes
 * against single-threaded `openssl dgst -sha256` over the same files.
 *
 *   npx tsx bench/data-add-bench.ts [--bytes 2000000000] [--repeats 3]
 *
 * The directory (default 2 GB) holds many small files (1–64 KiB, 10 % of the
 * bytes), some medium ones (1–16 MiB, 30 %) and a few large ones (up to
 * 256 MiB, 60 %). Every measurement reads the same files from the page cache
 * (they were just written; openssl runs first): openssl is given the files as
 * arguments in batches — one process hashes many files, one after another —
 * so it pays no per-file process start. Ferry's add runs in-process as the CLI
 * runs it (open workspace, add, save state), measured:
 * - cold: empty cache and state index: hash every file and copy it into the cache;
 * - cold, --link hardlink: the same, hard-linking instead of copying;
 * - warm: again, unchanged: the state index vouches for every file;
 * - re-add without state index: blobs cached, state index deleted: every file
 *   hashed and (one pass, as for new data) copied, the copy then dropped;
 * - status without state index: every file hashed, nothing written — the
 *   hashing pipeline alone.
 * Each Ferry run follows an openssl run over the same files, and the ratio
 * is taken per pair (this machine's load and page cache move a lot);
 * medians of `--repeats` pairs.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { addData } from '../src/data/versioning/data-add.js';
import { dataStatus } from '../src/data/versioning/data-status.js';
import { findPointers } from '../src/data/versioning/pointer-scan.js';
import { DataWorkspace } from '../src/data/versioning/data-workspace.js';
import type { LinkMode } from '../src/data/versioning/hash-job.js';
import { seededRandom } from '../test/helpers/seeded-random.js';

export interface DataAddBenchResult {
  bytes: number;
  files: number;
  opensslMBps: number;
  coldMBps: number;
  coldHardlinkMBps: number;
  warmMBps: number;
  rehashMBps: number;
  statusMBps: number;
  coldRatio: number;
  warmRatio: number;
}

const MB = 1e6;

/** Builds the data directory: returns its files and total size. */
function buildDirectory(root: string, total: number): { files: string[]; bytes: number } {
  const rnd = seededRandom(42);
  const block = randomBytes(16 << 20);
  const files: string[] = [];
  let bytes = 0;
  const classes: [share: number, min: number, max: number][] = [
    [0.1, 1 << 10, 64 << 10],
    [0.3, 1 << 20, 16 << 20],
    [0.6, 64 << 20, 256 << 20],
  ];
  for (const [share, min, maxSize] of classes) {
    const max = Math.max(min, Math.min(maxSize, Math.floor(total * share * 0.34)));
    let left = Math.floor(total * share);
    while (left > 0) {
      const size = Math.min(left, min + Math.floor(rnd.next() * (max - min)));
      const dir = join(root, `part-${files.length % 32}`);
      mkdirSync(dir, { recursive: true });
      const path = join(dir, `file-${files.length}.bin`);
      const fd = openSync(path, 'w');
      // A unique header, so no two files share content (no accidental deduplication).
      const header = Buffer.from(`ferry-bench-file-${files.length}\n`);
      writeSync(fd, header);
      let written = header.length;
      while (written < size) {
        const n = Math.min(size - written, block.length);
        const off = Math.floor(rnd.next() * (block.length - n + 1));
        writeSync(fd, block, off, n);
        written += n;
      }
      closeSync(fd);
      files.push(path);
      bytes += written;
      left -= written;
    }
  }
  return { files, bytes };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Seconds for openssl to hash every file, one process per batch of arguments, batches one after another. */
function opensslSeconds(files: string[]): number {
  const batches: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const f of files) {
    if (length + f.length > 100_000) {
      batches.push(current);
      current = [];
      length = 0;
    }
    current.push(f);
    length += f.length + 1;
  }
  if (current.length > 0) batches.push(current);
  const t0 = performance.now();
  for (const batch of batches) {
    const r = spawnSync('openssl', ['dgst', '-sha256', ...batch], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`openssl failed (${r.error?.message ?? `exit ${r.status}`})`);
  }
  return (performance.now() - t0) / 1000;
}

async function addSeconds(project: string, link: LinkMode = 'copy'): Promise<number> {
  const t0 = performance.now();
  const ws = await DataWorkspace.open({ cwd: project, link });
  try {
    await addData(ws, 'data', { gitignore: false });
  } finally {
    await ws.close();
  }
  return (performance.now() - t0) / 1000;
}

async function statusSeconds(project: string): Promise<number> {
  rmSync(join(project, '.ferry', 'data-state.json'), { force: true });
  const t0 = performance.now();
  const ws = await DataWorkspace.open({ cwd: project });
  try {
    const [entry] = await dataStatus(ws, await findPointers(project, project, ['data']));
    if (entry?.workspace !== 'in sync') throw new Error('status should find the data in sync');
  } finally {
    await ws.close();
  }
  return (performance.now() - t0) / 1000;
}

function resetCache(project: string, state: boolean): void {
  rmSync(join(project, '.ferry', 'cache'), { recursive: true, force: true });
  if (state) rmSync(join(project, '.ferry', 'data-state.json'), { force: true });
  rmSync(join(project, 'data.ferry'), { force: true });
}

export async function dataAddBench(opts: { bytes?: number; repeats?: number } = {}): Promise<DataAddBenchResult> {
  const total = opts.bytes ?? 2_000_000_000;
  const repeats = opts.repeats ?? 3;
  const project = mkdtempSync(join(tmpdir(), 'ferry-data-add-bench-'));
  try {
    mkdirSync(join(project, '.ferry'));
    const { files, bytes } = buildDirectory(join(project, 'data'), total);
    const rate = (s: number) => bytes / MB / s;

    // Each Ferry run is paired with an openssl run just before it, so both
    // see the same page cache and machine load; ratios are per pair.
    const runs: Record<'cold' | 'hardlink' | 'warm' | 'rehash' | 'status', { s: number[]; openssl: number[] }> = {
      cold: { s: [], openssl: [] },
      hardlink: { s: [], openssl: [] },
      warm: { s: [], openssl: [] },
      rehash: { s: [], openssl: [] },
      status: { s: [], openssl: [] },
    };
    const pair = async (name: keyof typeof runs, fn: () => Promise<number>) => {
      runs[name].openssl.push(opensslSeconds(files));
      runs[name].s.push(await fn());
    };
    opensslSeconds(files); // warm-up: every file in the page cache
    for (let r = 0; r < repeats; r++) {
      resetCache(project, true);
      await pair('cold', () => addSeconds(project));
      await pair('warm', () => addSeconds(project));
      rmSync(join(project, '.ferry', 'data-state.json'), { force: true });
      await pair('rehash', () => addSeconds(project));
      await pair('status', () => statusSeconds(project));
    }
    for (let r = 0; r < repeats; r++) {
      resetCache(project, true);
      await pair('hardlink', () => addSeconds(project, 'hardlink'));
    }
    const openssl = Object.values(runs).flatMap((x) => x.openssl);
    const ratio = (name: keyof typeof runs) => median(runs[name].s.map((s, i) => runs[name].openssl[i]! / s));
    const result: DataAddBenchResult = {
      bytes,
      files: files.length,
      opensslMBps: rate(median(openssl)),
      coldMBps: rate(median(runs.cold.s)),
      coldHardlinkMBps: rate(median(runs.hardlink.s)),
      warmMBps: rate(median(runs.warm.s)),
      rehashMBps: rate(median(runs.rehash.s)),
      statusMBps: rate(median(runs.status.s)),
      coldRatio: ratio('cold'),
      warmRatio: ratio('warm'),
    };
    const cpu = cpus()[0]?.model ?? 'unknown CPU';
    const row = (name: string, s: number[], r?: number) =>
      `${name.padEnd(46)} ${rate(median(s)).toFixed(0).padStart(7)} MB/s  ${median(s).toFixed(2).padStart(6)} s${r === undefined ? '' : `  ${r.toFixed(2)} × openssl`}`;
    console.log(`data add bench: ${files.length} files, ${(bytes / MB).toFixed(0)} MB; ${cpus().length} × ${cpu}; Node ${process.version}; median of ${repeats}`);
    console.log(row('openssl dgst -sha256 (single-threaded)', openssl));
    console.log(row('ferry data add, cold cache (copy)', runs.cold.s, ratio('cold')));
    console.log(row('ferry data add, cold cache (--link hardlink)', runs.hardlink.s, ratio('hardlink')));
    console.log(row('ferry data add, warm (unchanged)', runs.warm.s, ratio('warm')));
    console.log(row('ferry data add, no state index (hash + copy)', runs.rehash.s, ratio('rehash')));
    console.log(row('ferry data status, no state index (hash only)', runs.status.s, ratio('status')));
    return result;
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const flag = (name: string) => (args.includes(name) ? Number(args[args.indexOf(name) + 1]) : undefined);
  await dataAddBench({ bytes: flag('--bytes'), repeats: flag('--repeats') });
}
