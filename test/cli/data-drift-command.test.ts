import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { DRIFT_EXIT_CODE, driftOptionsFrom, formatDriftReport, registerDataDriftCommands } from '../../src/cli/commands/data-drift-command.js';
import type { FileDriftReport } from '../../src/data/drift/file-drift.js';
import { ferryCli } from '../helpers/ferry-cli.js';
import { seededRandom } from '../helpers/seeded-random.js';

function csv(seed: number, rows: number, shift: number): string {
  const rnd = seededRandom(seed);
  const lines = ['amount,plan,age'];
  for (let i = 0; i < rows; i++) {
    lines.push(`${(rnd.next() * 10 + shift).toFixed(4)},${rnd.pick(shift > 0 ? ['free', 'pro', 'pro'] : ['free', 'pro'])},${rnd.int(18, 80)}`);
  }
  return `${lines.join('\n')}\n`;
}

describe('ferry data drift', () => {
  let dir: string;
  let ref: string;
  let cur: string;
  let same: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-drift-cli-'));
    ref = join(dir, 'ref.csv');
    cur = join(dir, 'cur.csv');
    same = join(dir, 'same.csv');
    await writeFile(ref, csv(1, 300, 0));
    await writeFile(cur, csv(2, 250, 3));
    await writeFile(same, csv(3, 280, 0));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('prints a table of tests and the dataset verdict, exiting 0 without --fail-on-drift', async () => {
    const r = await ferryCli(['data', 'drift', ref, cur]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines[0], `reference  ${ref} (300 rows)`);
    assert.match(r.stdout, /\nCOLUMN +TYPE +METHOD +SCORE +THRESHOLD +DRIFT\n/);
    assert.match(r.stdout, /\namount +numerical +ks \(p-value\) +[\d.e-]+ +0\.05 +DRIFT\n/);
    assert.match(r.stdout, /\nplan +categorical +z \(p-value\) +[\d.e-]+ +0\.05 +DRIFT\n/);
    assert.match(r.stdout, /\nDataset drift: DETECTED — 2 of 3 compared columns drifted \(66\.7%; threshold 50%\)\.\n$/);
    assert.equal(r.stderr, '', 'no progress output when stderr is not a terminal');
  });

  it(`prints JSON with --json and exits ${DRIFT_EXIT_CODE} with --fail-on-drift on drift`, async () => {
    const r = await ferryCli(['data', 'drift', ref, cur, '--json', '--fail-on-drift', '--column-stattest', 'amount=psi', '--column-threshold', 'amount=0.2']);
    assert.equal(r.code, DRIFT_EXIT_CODE, r.stderr);
    const report = JSON.parse(r.stdout) as FileDriftReport;
    const amount = report.columns.find((c) => c.column === 'amount');
    assert.ok(amount?.computed);
    assert.equal(amount.method, 'psi');
    assert.equal(amount.threshold, 0.2);
    assert.equal(report.dataset.dataset_drift, true);
    assert.deepEqual(report.current, { source: cur, format: 'csv', rows: 250 });
  });

  it('writes a self-contained HTML report with --html and exits 0 without drift', async () => {
    const out = join(dir, 'report.html');
    const r = await ferryCli(['data', 'drift', ref, same, '--html', out, '--fail-on-drift', '--categorical', 'age']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Dataset drift: not detected/);
    assert.match(r.stdout, /\nage +categorical /);
    assert.equal(r.stderr, `HTML report written to ${out}\n`);
    const html = await readFile(out, 'utf8');
    assert.equal(html.match(/<svg /g)?.length, 3);
    assert.doesNotMatch(html, /https?:\/\//);
  });

  it('exits 1 with one line for a missing file', async () => {
    const missing = await ferryCli(['data', 'drift', ref, join(dir, 'nope.parquet')]);
    assert.equal(missing.code, 1);
    assert.equal(missing.stderr, `error: No such file: ${join(dir, 'nope.parquet')}\n`);
  });

  it('refuses unknown tests and bad values while parsing flags, before any work', async () => {
    const parse = async (...args: string[]) => {
      const program = new Command('ferry').exitOverride().configureOutput({ writeErr: () => {}, writeOut: () => {} });
      registerDataDriftCommands(program.command('data'));
      await program.parseAsync(['data', 'drift', join(dir, 'absent.csv'), join(dir, 'absent.csv'), ...args], { from: 'user' });
    };
    await assert.rejects(parse('--column-stattest', 'amount=anova'), /--column-stattest: unknown test 'anova'; use one of ks, chisquare, z/);
    await assert.rejects(parse('--column-threshold', 'amount'), /--column-threshold takes COLUMN=VALUE, got 'amount'/);
    await assert.rejects(parse('--threshold', 'high'), /--threshold must be a number >= 0, got 'high'/);
    await assert.rejects(parse('--drift-share', '1.5'), /--drift-share must be between 0 and 1/);
  });

  describe('driftOptionsFrom', () => {
    it('maps flags to options, per column first', () => {
      assert.deepEqual(
        driftOptionsFrom({
          stattest: 'psi',
          threshold: 0.2,
          catStattest: 'jensenshannon',
          columnStattest: [['a', 'ks']],
          columnThreshold: [
            ['a', 0.01],
            ['b', 0.3],
          ],
          columns: ['a', 'b'],
          categorical: ['b'],
          driftShare: 0.3,
        }),
        {
          columns: ['a', 'b'],
          numericalColumns: undefined,
          categoricalColumns: ['b'],
          stattest: 'psi',
          threshold: 0.2,
          numericalStattest: undefined,
          categoricalStattest: 'jensenshannon',
          numericalThreshold: undefined,
          categoricalThreshold: undefined,
          perColumn: { a: { stattest: 'ks', threshold: 0.01 }, b: { threshold: 0.3 } },
          driftShare: 0.3,
        },
      );
    });

    it('refuses a column declared both numerical and categorical', () => {
      assert.throws(() => driftOptionsFrom({ numerical: ['a'], categorical: ['a'] }), { code: 'INVALID_ARGUMENT' });
    });
  });

  describe('formatDriftReport', () => {
    it('lists columns that could not be compared with their reasons', () => {
      const report: FileDriftReport = {
        reference: { source: 'a.csv', format: 'csv', rows: 10 },
        current: { source: 'b.csv', format: 'csv', rows: 1234567 },
        columns: [{ column: 'x', computed: false, type: null, reason: 'not computed: column is only in reference' }],
        dataset: { number_of_columns: 1, computed_columns: 0, drifted_columns: 0, share: 0, drift_share: 0.5, dataset_drift: false },
        schema: [],
      };
      const text = formatDriftReport(report);
      assert.match(text, /^reference {2}a\.csv \(10 rows\)\ncurrent {4}b\.csv \(1,234,567 rows\)\n/);
      assert.match(text, /\nx +- +- +not computed\n/);
      assert.match(text, /\nNot computed:\n {2}x: column is only in reference\n/);
      assert.match(text, /Dataset drift: not detected — 0 of 0 compared columns drifted/);
    });
  });
});
