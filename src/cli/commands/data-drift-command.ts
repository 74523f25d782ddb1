import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError as InvalidOptionArgument, type Command } from 'commander';
import type { DriftReadProgress } from '../../data/drift/drift-reader.js';
import { formatScore, renderDriftHtml } from '../../data/drift/drift-html.js';
import type { ColumnDriftOptions, StatTestName } from '../../data/drift/drift-types.js';
import { validateFileDriftOptions, type FileDriftOptions } from '../../data/drift/file-drift-options.js';
import { detectFileDrift, type FileDriftReport } from '../../data/drift/file-drift.js';
import { STATTEST_NAMES } from '../../data/drift/stattest-registry.js';
import { DuckDbEngine } from '../../data/table/duckdb-engine.js';
import { collectList } from '../remote-options.js';
import { formatTable, printJson } from '../table.js';

/** Exit status of `--fail-on-drift` when dataset drift is found; errors exit 1. */
export const DRIFT_EXIT_CODE = 2;

const TESTS = STATTEST_NAMES.join(', ');

export const DRIFT_HELP = `
Each column gets the test Evidently's defaults pick: up to 1,000 reference rows,
K-S for numerical columns and chi-square or Z for categorical ones or few
values; above that, normed Wasserstein or Jensen-Shannon.
Tests: ${TESTS}.
A test is chosen per column (--column-stattest), else per type (--num-stattest,
--cat-stattest), else for all (--stattest); thresholds likewise. Dataset drift
is reported when the share of drifted columns reaches --drift-share (0.5).

Columns are typed as Evidently types pandas' dtypes: floats numerical, integers
categorical when they take at most 5 values, text and booleans categorical,
dates left out; --numerical and --categorical override. Columns only one file
has, or of different types, are listed as not computed.

Files are CSV, Parquet or JSON lines, told by their extension (or
--reference-format, --current-format). Exit status: 0; ${DRIFT_EXIT_CODE} with
--fail-on-drift when dataset drift is detected; 1 on errors.

Examples:
  $ ferry data drift train.parquet today.parquet
  $ ferry data drift ref.csv cur.csv --stattest psi --threshold 0.2 --html drift.html
  $ ferry data drift ref.csv cur.csv --column-stattest age=ks --column-threshold age=0.01 --categorical zip
  $ ferry data drift ref.parquet cur.parquet --json --fail-on-drift | jq '.dataset'`;

function threshold(flag: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidOptionArgument(`${flag} must be a number >= 0, got '${value}'`);
    return n;
  };
}

function share(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n <= 1)) throw new InvalidOptionArgument(`--drift-share must be between 0 and 1, got '${value}'`);
  return n;
}

function stattest(flag: string): (value: string) => StatTestName {
  return (value: string) => {
    if (!(STATTEST_NAMES as string[]).includes(value)) throw new InvalidOptionArgument(`${flag}: unknown test '${value}'; use one of ${TESTS}`);
    return value as StatTestName;
  };
}

/** `col=value` pairs, repeatable; the last `=` splits, so column names may contain one. */
function pairs<T>(flag: string, parse: (value: string) => T): (value: string, previous?: [string, T][]) => [string, T][] {
  return (value, previous = []) => {
    const at = value.lastIndexOf('=');
    if (at <= 0 || at === value.length - 1) throw new InvalidOptionArgument(`${flag} takes COLUMN=VALUE, got '${value}'`);
    return [...previous, [value.slice(0, at), parse(value.slice(at + 1))]];
  };
}

/** The options a `ferry data drift` invocation asks for. */
export function driftOptionsFrom(opts: Record<string, unknown>): FileDriftOptions {
  const perColumn: Record<string, ColumnDriftOptions> = {};
  for (const [column, test] of (opts.columnStattest as [string, StatTestName][] | undefined) ?? []) perColumn[column] = { ...perColumn[column], stattest: test };
  for (const [column, t] of (opts.columnThreshold as [string, number][] | undefined) ?? []) perColumn[column] = { ...perColumn[column], threshold: t };
  const options: FileDriftOptions = {
    columns: opts.columns as string[] | undefined,
    numericalColumns: opts.numerical as string[] | undefined,
    categoricalColumns: opts.categorical as string[] | undefined,
    stattest: opts.stattest as StatTestName | undefined,
    threshold: opts.threshold as number | undefined,
    numericalStattest: opts.numStattest as StatTestName | undefined,
    categoricalStattest: opts.catStattest as StatTestName | undefined,
    numericalThreshold: opts.numThreshold as number | undefined,
    categoricalThreshold: opts.catThreshold as number | undefined,
    perColumn: Object.keys(perColumn).length > 0 ? perColumn : undefined,
    driftShare: opts.driftShare as number | undefined,
  };
  validateFileDriftOptions(options);
  return options;
}

/** The report as a table, the columns not compared with their reasons, and the verdict. */
export function formatDriftReport(report: FileDriftReport): string {
  const rows = report.columns.map((c) =>
    c.computed
      ? [c.column, c.type, `${c.method} (${c.score_kind === 'p_value' ? 'p-value' : 'distance'})`, formatScore(c.statistic), formatScore(c.threshold), c.drifted ? 'DRIFT' : 'no']
      : [c.column, c.type ?? '-', '-', '', '', 'not computed'],
  );
  const lines = [
    `reference  ${report.reference.source} (${report.reference.rows.toLocaleString('en-US')} rows)`,
    `current    ${report.current.source} (${report.current.rows.toLocaleString('en-US')} rows)`,
    '',
    formatTable(['COLUMN', 'TYPE', 'METHOD', 'SCORE', 'THRESHOLD', 'DRIFT'], rows, { alignRight: [3, 4] }),
  ];
  const skipped = report.columns.filter((c) => !c.computed);
  if (skipped.length > 0) {
    lines.push('', 'Not computed:');
    for (const c of skipped) lines.push(`  ${c.column}: ${c.reason.replace(/^not computed: /, '')}`);
  }
  const d = report.dataset;
  const pct = (x: number) => `${Number((x * 100).toPrecision(3))}%`;
  lines.push(
    '',
    `Dataset drift: ${d.dataset_drift ? 'DETECTED' : 'not detected'} — ${d.drifted_columns} of ${d.computed_columns} compared columns drifted (${pct(d.share)}; threshold ${pct(d.drift_share)}).`,
  );
  return `${lines.join('\n')}\n`;
}

/** Rows read so far, on one stderr line; only on a terminal. */
function progressLine(): { update(p: DriftReadProgress): void; clear(): void } {
  if (!process.stderr.isTTY) return { update() {}, clear() {} };
  let last = 0;
  let shown = false;
  return {
    update(p) {
      const now = Date.now();
      if (!p.done && now - last < 100) return;
      last = now;
      shown = true;
      process.stderr.write(`\r\x1b[Kreading ${p.side}: ${p.rows.toLocaleString('en-US')} rows${p.done ? ', done' : '…'}`);
    },
    clear() {
      if (shown) process.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}

/** `ferry data drift REFERENCE CURRENT`. */
export function registerDataDriftCommands(data: Command): void {
  data
    .command('drift')
    .description('Compare two table files column by column for data drift (Evidently tests), as a table, JSON or an HTML report.')
    .argument('<reference>', 'reference table file (CSV, Parquet or JSON lines)')
    .argument('<current>', 'current table file to compare with it')
    .option('--stattest <name>', `test for every column (${TESTS})`, stattest('--stattest'))
    .option('--threshold <t>', 'threshold for every column: a p-value, or a distance', threshold('--threshold'))
    .option('--num-stattest <name>', 'test for numerical columns', stattest('--num-stattest'))
    .option('--cat-stattest <name>', 'test for categorical columns', stattest('--cat-stattest'))
    .option('--num-threshold <t>', 'threshold for numerical columns', threshold('--num-threshold'))
    .option('--cat-threshold <t>', 'threshold for categorical columns', threshold('--cat-threshold'))
    .option('--column-stattest <col=name>', 'test for one column (repeatable)', pairs('--column-stattest', stattest('--column-stattest')))
    .option('--column-threshold <col=t>', 'threshold for one column (repeatable)', pairs('--column-threshold', threshold('--column-threshold')))
    .option('--drift-share <s>', 'dataset drift when this share of columns drifted (default 0.5)', share)
    .option('--columns <names>', 'compare only these columns (comma-separated, repeatable)', collectList)
    .option('--numerical <names>', 'treat these columns as numerical', collectList)
    .option('--categorical <names>', 'treat these columns as categorical', collectList)
    .option('--reference-format <format>', 'format of the reference file when its extension does not tell (csv, parquet, jsonl)')
    .option('--current-format <format>', 'format of the current file when its extension does not tell')
    .option('--json', 'print the report as JSON')
    .option('--html <file>', 'also write a self-contained HTML report with histograms to this file')
    .option('--fail-on-drift', `exit with status ${DRIFT_EXIT_CODE} when dataset drift is detected`)
    .addHelpText('after', DRIFT_HELP)
    .action(async (referencePath: string, currentPath: string, opts: Record<string, unknown>) => {
      const options = driftOptionsFrom(opts);
      const engine = await DuckDbEngine.open();
      const progress = progressLine();
      try {
        const reference = await engine.tableFile(referencePath, opts.referenceFormat as string | undefined);
        const current = await engine.tableFile(currentPath, opts.currentFormat as string | undefined);
        const { report, frames } = await detectFileDrift(engine, reference, current, options, { onProgress: (p) => progress.update(p) });
        progress.clear();
        if (typeof opts.html === 'string') {
          await writeFile(opts.html, renderDriftHtml(report, frames.reference, frames.current));
          process.stderr.write(`HTML report written to ${opts.html}\n`);
        }
        if (opts.json) printJson(report);
        else process.stdout.write(formatDriftReport(report));
        if (opts.failOnDrift && report.dataset.dataset_drift) process.exitCode = DRIFT_EXIT_CODE;
      } finally {
        progress.clear();
        engine.close();
      }
    });
}
