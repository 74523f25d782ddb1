import type { Command } from 'commander';
import { writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { InvalidArgumentError } from '../../errors.js';
import { DEFAULT_HISTOGRAM_BINS, DEFAULT_TOP_VALUES } from '../../data/profile/profile-defaults.js';
import { profileFile } from '../../data/profile/profile-file.js';
import { renderProfileHtml } from '../../data/profile/profile-html.js';
import type { ColumnProfile, TableProfile } from '../../data/profile/profile-types.js';
import { collectList, positiveInt } from '../remote-options.js';
import { formatDuration, formatNumber, formatTable, printJson, truncate } from '../table.js';

const HELP = `
Numbers follow pandas: count is values present, std is the sample standard
deviation (n − 1), quantiles interpolate linearly between closest ranks.
Above 1,000,000 rows, distinct counts of high-cardinality numeric and date
columns are estimates (marked ≈) and duplicate rows are counted by row hash.

Examples:
  $ ferry data profile transactions.parquet
  $ ferry data profile events.csv --columns user_id,amount,country --top 5
  $ ferry data profile export.txt --format csv --json | jq '.columns[] | {name, nulls}'
  $ ferry data profile transactions.parquet --html profile.html --bins 40`;

/** `ferry data profile PATH`. */
export function registerDataProfileCommands(data: Command): void {
  data
    .command('profile')
    .description('Profile a table file: per column counts, nulls, distinct values, statistics, quantiles, histograms and top values.')
    .argument('<path>', 'a CSV, Parquet or JSON-lines file')
    .option('--format <format>', "the file's format when its extension does not say: csv, parquet or jsonl")
    .option('--columns <names>', 'profile only these columns (comma-separated or repeated)', collectList)
    .option('--top <n>', `most frequent values to list per categorical, text or boolean column (default ${DEFAULT_TOP_VALUES})`, nonNegativeInt)
    .option('--bins <n>', `histogram bins per numeric column (default ${DEFAULT_HISTOGRAM_BINS})`, positiveInt('--bins'))
    .option('--json', 'print the profile as JSON')
    .option('--html <file>', 'also write a self-contained HTML report with charts to this file')
    .addHelpText('after', HELP)
    .action(async (path: string, opts: Record<string, unknown>) => {
      const progress = progressLine();
      let profile: TableProfile;
      try {
        profile = await profileFile(path, {
          format: opts.format as string | undefined,
          columns: opts.columns as string[] | undefined,
          top: opts.top as number | undefined,
          bins: opts.bins as number | undefined,
          onProgress: progress.update,
        });
      } finally {
        progress.clear();
      }
      if (typeof opts.html === 'string') {
        try {
          await writeFile(opts.html, renderProfileHtml(profile));
        } catch (err) {
          throw new InvalidArgumentError(`Cannot write the HTML report to ${opts.html}: ${(err as Error).message}`);
        }
      }
      if (opts.json) printJson(profile);
      else process.stdout.write(formatProfile(profile));
      if (typeof opts.html === 'string') (opts.json ? process.stderr : process.stdout).write(`HTML report: ${opts.html}\n`);
    });
}

function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`--top must be a whole number ≥ 0, got '${value}'.`);
  return n;
}

const stat = (v: number | string | undefined): string => (v === undefined ? '' : typeof v === 'string' ? v : formatNumber(v));
const count = (n: number): string => n.toLocaleString('en-US');

/** The profile as a header line, one table row per column, and the top values of the categorical ones. */
export function formatProfile(p: TableProfile): string {
  const dup = `${count(p.duplicate_rows)} duplicate row${p.duplicate_rows === 1 ? '' : 's'}${p.duplicate_method === 'hashed' ? ' (by row hash)' : ''}`;
  const lines = [`${basename(p.source)} · ${p.format} · ${count(p.rows)} rows · ${p.columns.length} columns · ${dup} · ${formatDuration(p.duration_ms)}`, ''];
  const rows = p.columns.map((c) => [
    c.name,
    c.type,
    c.kind,
    count(c.count),
    c.nulls > 0 ? `${count(c.nulls)} (${formatNumber(Number((c.null_fraction * 100).toPrecision(3)))}%)` : '0',
    `${c.distinct_method === 'approximate' ? '≈' : ''}${count(c.distinct)}`,
    stat(c.mean),
    stat(c.stddev),
    stat(c.min),
    stat(c.quantiles?.p50),
    stat(c.max),
  ]);
  lines.push(
    formatTable(['COLUMN', 'TYPE', 'KIND', 'COUNT', 'NULLS', 'DISTINCT', 'MEAN', 'STD', 'MIN', 'P50', 'MAX'], rows, {
      alignRight: [3, 4, 5, 6, 7, 8, 9, 10],
      maxCellWidth: 24,
    }),
  );
  const withTop = p.columns.filter((c) => c.top_values && c.top_values.length > 0);
  if (withTop.length > 0) {
    lines.push('', 'Top values:');
    for (const c of withTop) lines.push(`  ${c.name}: ${topLine(c)}`);
  }
  const notes = p.columns.filter((c) => c.infinite).map((c) => `  ${c.name}: ${count(c.infinite!)} ±Infinity left out of its statistics`);
  if (notes.length > 0) lines.push('', 'Notes:', ...notes);
  return `${lines.join('\n')}\n`;
}

function topLine(c: ColumnProfile): string {
  return c.top_values!.map((t) => `${truncate(String(t.value), 24)} (${count(t.count)})`).join(', ');
}

/** Steps done so far, on one stderr line; only on a terminal. */
function progressLine(): { update(done: number, total: number, step: string): void; clear(): void } {
  if (!process.stderr.isTTY) return { update() {}, clear() {} };
  let shown = false;
  return {
    update(done, total, step) {
      shown = true;
      const filled = Math.round((done / total) * 24);
      process.stderr.write(`\r\x1b[K[${'#'.repeat(filled)}${'·'.repeat(24 - filled)}] ${done}/${total} ${truncate(step, 40)}`);
    },
    clear() {
      if (shown) process.stderr.write('\r\x1b[K');
      shown = false;
    },
  };
}
