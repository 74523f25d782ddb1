/**
 * The data commands on a Parquet file larger than the memory the test lets
 * them use: `ferry predict` streams it in a process whose peak resident memory
 * stays below the file's size, and `ferry data profile` completes with its data
 * engine capped well below the file's size (spilling to disk).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DuckDbEngine } from '../../src/data/table/index.js';
import { buildLinearModel } from '../helpers/onnx-builder.js';
import { readTable, writePackageDir } from '../serving/batch/batch-fixtures.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ROWS = 4_000_000;
const FEATURES = 10;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  maxRssBytes: number;
}

/** `ferry ARGS` from source, reporting its own peak RSS (test/helpers/max-rss-on-exit.mjs). */
function ferry(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('FERRY_')));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-old-space-size=128', '--import', 'tsx', '--import', './test/helpers/max-rss-on-exit.mjs', 'src/cli/main.ts', ...args], {
      cwd: ROOT,
      env: { ...clean, ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const rss = /ferry-test-max-rss-bytes=(\d+)/.exec(stderr);
      resolve({ code: code ?? -1, stdout, stderr, maxRssBytes: rss ? Number(rss[1]) : Number.NaN });
    });
  });
}

describe('data commands on a Parquet file larger than their memory', () => {
  let dir: string;
  let input: string;
  let fileBytes: number;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-big-'));
    input = join(dir, 'big.parquet');
    const engine = await DuckDbEngine.open();
    try {
      const features = Array.from({ length: FEATURES }, (_, c) => `random() * ${c + 1} AS f${c}`).join(', ');
      // Uncompressed, so the bytes on disk are the bytes to hold.
      await engine.run(
        `COPY (SELECT i AS id, ${features}, 'group-' || (i % 7)::VARCHAR AS g FROM range(${ROWS}) t(i)) TO '${input.replace(/'/g, "''")}' (FORMAT parquet, COMPRESSION uncompressed)`,
      );
    } finally {
      engine.close();
    }
    fileBytes = (await stat(input)).size;
    assert.ok(fileBytes > 300 * 1024 ** 2, `the input is ${fileBytes} bytes`);
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('ferry predict streams it with a peak RSS below the file size', async () => {
    const model = await writePackageDir(join(dir, 'model'), buildLinearModel({ inputs: FEATURES, outputs: 1 }));
    const output = join(dir, 'predictions.parquet');
    const columns = Array.from({ length: FEATURES }, (_, c) => `f${c}`).join(',');
    const r = await ferry(['predict', '--model', model, '--input', input, '--output', output, '--key', 'id', '--columns', columns, '--memory-limit', '128', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.written, ROWS);
    assert.ok(r.maxRssBytes < fileBytes, `peak RSS ${r.maxRssBytes} should stay below the ${fileBytes}-byte input`);
    const [counts] = await readTable(output, 'SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS ids FROM {scan}');
    assert.deepEqual(counts, { n: ROWS, ids: ROWS });
  });

  it('ferry data profile completes with its engine capped below the file size', async () => {
    const r = await ferry(['data', 'profile', input, '--json'], { FERRY_DATA_MEMORY_LIMIT: '256MB' });
    assert.equal(r.code, 0, r.stderr);
    const profile = JSON.parse(r.stdout);
    assert.equal(profile.rows, ROWS);
    assert.equal(profile.duplicate_rows, 0);
    const f0 = profile.columns.find((c: { name: string }) => c.name === 'f0');
    assert.ok(f0.min >= 0 && f0.max < 1 && Math.abs(f0.mean - 0.5) < 0.01, JSON.stringify(f0));
  });
});
