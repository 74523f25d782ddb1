import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatProfile } from '../../src/cli/commands/data-profile-command.js';
import { profileFile } from '../../src/data/profile/profile-file.js';
import { DuckDbEngine } from '../../src/data/table/index.js';
import { writeFixture } from '../data/profile/profile-fixtures.js';
import { ferryCli, ferryJson } from '../helpers/ferry-cli.js';

describe('ferry data profile', () => {
  let dir: string;
  let csv: string;
  let parquet: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-profile-cli-'));
    const engine = await DuckDbEngine.open({ threads: 1 });
    ({ csv, parquet } = await writeFixture(engine, dir));
    engine.close();
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a summary line, one row per column and the top values', async () => {
    const r = await ferryCli(['data', 'profile', parquet]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[0]!, /^mixed\.parquet · parquet · 203 rows · 8 columns · 3 duplicate rows · \d+\.\ds$/);
    assert.match(lines[2]!, /^COLUMN +TYPE +KIND +COUNT +NULLS +DISTINCT +MEAN +STD +MIN +P50 +MAX$/);
    assert.match(r.stdout, /\namount +DOUBLE +numeric +183 +20 \(9\.85%\) +179 +57\.6473 +58\.0672 +-49\.46 +62\.53 +149\.94\n/);
    assert.match(r.stdout, /\nTop values:\n {2}city: lima \(68\), oslo \(50\), kyiv \(42\), rome \(42\), nuuk \(1\)\n/);
    assert.equal(r.stderr, '', 'no progress bar when stderr is not a terminal');
  });

  it('prints JSON with --json, honouring --columns, --top and --bins', async () => {
    const p = await ferryJson(['data', 'profile', csv, '--columns', 'city,amount', '--top', '2', '--bins', '5']);
    assert.equal(p.rows, 203);
    assert.deepEqual(p.columns.map((c: { name: string }) => c.name), ['city', 'amount']);
    assert.deepEqual(p.columns[0].top_values, [
      { value: 'lima', count: 68 },
      { value: 'oslo', count: 50 },
    ]);
    assert.equal(p.columns[1].histogram.length, 5);
    assert.equal(p.methods.quantiles.includes('linear interpolation'), true);
  });

  it('writes a self-contained HTML report with --html, reading a file of any name with --format', async () => {
    const txt = join(dir, 'export.txt');
    await copyFile(csv, txt);
    const out = join(dir, 'report.html');
    const r = await ferryCli(['data', 'profile', txt, '--format', 'csv', '--html', out, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).format, 'csv');
    assert.equal(r.stderr, `HTML report: ${out}\n`);
    const html = await readFile(out, 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.equal((html.match(/aria-label="Histogram of /g) ?? []).length, 3);
  });

  it('fails with exit code 1 and one line for a missing file, an unknown column or a bad flag', async () => {
    const missing = await ferryCli(['data', 'profile', join(dir, 'absent.csv')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: No such file: .*absent\.csv\n$/);
    const column = await ferryCli(['data', 'profile', csv, '--columns', 'nope']);
    assert.equal(column.code, 1);
    assert.match(column.stderr, /^error: No column 'nope' in the table; it has id, amount/);
    const bins = await ferryCli(['data', 'profile', csv, '--bins', '0']);
    assert.notEqual(bins.code, 0);
    assert.match(bins.stderr, /--bins must be a positive integer/);
  });

  describe('formatProfile', () => {
    it('marks approximate distinct counts and notes infinities', async () => {
      const p = await profileFile(parquet);
      p.columns[0]!.distinct_method = 'approximate';
      p.columns[1]!.infinite = 2;
      const text = formatProfile(p);
      assert.match(text, /\nid +BIGINT +numeric +203 +0 +≈200 /);
      assert.match(text, /\nNotes:\n {2}amount: 2 ±Infinity left out of its statistics\n$/);
    });
  });
});
