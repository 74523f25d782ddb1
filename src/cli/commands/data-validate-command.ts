import type { Command, CommanderError } from 'commander';
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import YAML from 'yaml';
import { FerryError, InvalidArgumentError, NotFoundError } from '../../errors.js';
import { expectationTypes } from '../../data/validation/expectations/expectation-registry.js';
import { parseResultFormat, parseSuiteText } from '../../data/validation/suite-parser.js';
import type { ExpectationSuite, ExpectationValidationResult, ValidationResult } from '../../data/validation/suite-types.js';
import { suggestSuiteForFile, validateFile } from '../../data/validation/validate-file.js';
import { formatDuration, formatNumber, printJson, truncate } from '../table.js';

/** Exit codes: every expectation passed, some failed (for CI), or the command could not run (usage, unreadable suite or data). */
export const EXIT_PASSED = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

const VALIDATE_HELP = `
The suite is YAML or JSON: a Great Expectations 1.x suite file as GE writes it
({"name", "expectations": [{"type", "kwargs"}]}), or Ferry's short form:

  name: orders
  expectations:
    - expect_column_values_to_not_be_null: {column: id}
    - expect_column_values_to_be_between: {column: amount, min_value: 0, mostly: 0.99}
    - expect_column_values_to_match_strftime_format: {column: day, strftime_format: "%Y-%m-%d"}

Results follow GE's semantics (nulls skipped by column-map expectations,
unexpected_percent over non-null values, SUMMARY result format); --json prints
GE's ExpectationSuiteValidationResult. Exit code: 0 all passed, 1 some failed,
2 the suite or data could not be read.

Supported expectations:
${expectationTypes()
  .map((t) => `  ${t}`)
  .join('\n')}

Examples:
  $ ferry data validate orders.parquet --suite orders.suite.yaml
  $ ferry data validate export.txt --format csv --suite gx/expectations/orders.json --json > result.json
  $ ferry data suggest orders.parquet -o orders.suite.yaml`;

const SUGGEST_HELP = `
Profiles the table and drafts a suite it passes: the column list, the row
count within ±10%, and per column not-null (with mostly), type, uniqueness,
value ranges, small value sets and text lengths. Edit it, then run
\`ferry data validate\`. YAML (Ferry's short form) by default; --json or an
-o file ending in .json writes GE 1.x's JSON suite format.

Examples:
  $ ferry data suggest orders.parquet -o orders.suite.yaml
  $ ferry data suggest orders.csv --json > gx/expectations/orders.json`;

/** `ferry data validate PATH --suite FILE` and `ferry data suggest PATH`. */
export function registerDataValidateCommands(data: Command): void {
  data
    .command('validate')
    .description('Validate a table file against an expectation suite (Great Expectations semantics); exits 1 when an expectation fails.')
    .argument('<path>', 'a CSV, Parquet or JSON-lines file')
    .requiredOption('-s, --suite <file>', 'the expectation suite, YAML or JSON (a GE 1.x suite file works as it is)')
    .option('--format <format>', "the file's format when its extension does not say: csv, parquet or jsonl")
    .option('--result-format <name>', 'BOOLEAN_ONLY, BASIC, SUMMARY (default) or COMPLETE')
    .option('--json', "print GE's validation result JSON")
    .addHelpText('after', VALIDATE_HELP)
    .exitOverride(usageExit)
    .action(async (path: string, opts: Record<string, unknown>) =>
      withExitCode(async () => {
        const suiteFile = opts.suite as string;
        // The suite is read and checked first: a bad expectation fails before the data is opened.
        const suite = parseSuiteText(await readText(suiteFile, 'suite'), basename(suiteFile));
        const resultFormat = typeof opts.resultFormat === 'string' ? parseResultFormat(opts.resultFormat, '--result-format') : undefined;
        const progress = progressBar('validating');
        let result: ValidationResult;
        try {
          result = await validateFile(path, suite, {
            format: opts.format as string | undefined,
            resultFormat,
            onProgress: progress.update,
          });
        } finally {
          progress.clear();
        }
        if (opts.json) printJson(result);
        else process.stdout.write(formatValidation(result, path));
        return result.success ? EXIT_PASSED : EXIT_FAILED;
      }),
    );

  data
    .command('suggest')
    .description('Draft an expectation suite from a profile of a table file.')
    .argument('<path>', 'a CSV, Parquet or JSON-lines file')
    .option('-o, --output <file>', 'write the suite here (.json: GE JSON; otherwise YAML) instead of printing it')
    .option('--format <format>', "the file's format when its extension does not say: csv, parquet or jsonl")
    .option('--name <name>', 'the suite name (default: FILE_suite)')
    .option('--json', "print the suite in GE 1.x's JSON format")
    .addHelpText('after', SUGGEST_HELP)
    .exitOverride(usageExit)
    .action(async (path: string, opts: Record<string, unknown>) =>
      withExitCode(async () => {
        const progress = progressBar('profiling');
        let suite: ExpectationSuite;
        try {
          suite = await suggestSuiteForFile(path, { format: opts.format as string | undefined, name: opts.name as string | undefined, onProgress: progress.update });
        } finally {
          progress.clear();
        }
        const output = opts.output as string | undefined;
        const json = opts.json === true || (output !== undefined && /\.json$/i.test(output));
        const text = json ? `${JSON.stringify(suite, null, 2)}\n` : suiteYaml(suite);
        if (output === undefined) {
          process.stdout.write(text);
        } else {
          try {
            await writeFile(output, text);
          } catch (err) {
            throw new InvalidArgumentError(`Cannot write the suite to ${output}: ${(err as Error).message}`);
          }
          process.stdout.write(`Wrote ${suite.expectations.length} expectations to ${output}.\n`);
        }
        return EXIT_PASSED;
      }),
    );
}

/** Commander's own errors (unknown option, missing argument) are usage errors: exit 2, help exits 0. */
function usageExit(err: CommanderError): never {
  process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
}

/** Runs an action, mapping Ferry errors (bad suite, missing or unreadable data) to a one-line message and exit code 2. */
async function withExitCode(action: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await action();
  } catch (err) {
    if (!(err instanceof FerryError)) throw err;
    process.stderr.write(`error: ${err.message}\n`);
    process.exitCode = EXIT_USAGE;
  }
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new NotFoundError(`No such ${what} file: ${file}`);
    throw new InvalidArgumentError(`Cannot read the ${what} file ${file}: ${(err as Error).message}`);
  }
}

/** A suite in Ferry's short YAML form: one `- expect_…: {kwargs}` per expectation. */
export function suiteYaml(suite: ExpectationSuite): string {
  const doc: Record<string, unknown> = { name: suite.name };
  if (suite.meta && Object.keys(suite.meta).length > 0) doc.meta = suite.meta;
  doc.expectations = suite.expectations.map((e) => ({ [e.type]: e.kwargs }));
  const yaml = new YAML.Document(doc);
  // Each expectation on one line: `- expect_…: {column: id, mostly: 0.95}`.
  for (const item of (yaml.get('expectations') as YAML.YAMLSeq<YAML.YAMLMap<unknown, YAML.YAMLMap>>).items) {
    for (const pair of item.items) if (YAML.isMap(pair.value)) pair.value.flow = true;
  }
  return yaml.toString({ lineWidth: 0, flowCollectionPadding: false });
}

const count = (n: number) => n.toLocaleString('en-US');
const percent = (p: number) => `${Number.isInteger(p) ? p : Number(p.toFixed(2))}%`;

/** A value in a summary line: strings quoted, numbers short, lists cut. */
function show(value: unknown, width = 40): string {
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return truncate(JSON.stringify(value), width);
  return truncate(JSON.stringify(value) ?? 'null', width);
}

/** The arguments of an expectation as `column=amount min_value=0`, bookkeeping left out. */
function describeKwargs(kwargs: Record<string, unknown>): string {
  return Object.entries(kwargs)
    .filter(([k]) => !['result_format', 'meta', 'catch_exceptions', 'batch_id', 'notes', 'id', 'description', 'rendered_content'].includes(k))
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : show(v, 30)}`)
    .join(' ');
}

/** What an expectation found: the error, the unexpected values, or the observed value. */
function findings(r: ExpectationValidationResult): string {
  if (r.exception_info.raised_exception) return `error: ${r.exception_info.exception_message}`;
  const res = r.result;
  const parts: string[] = [];
  if ('observed_value' in res) parts.push(`observed ${show(res.observed_value, 60)}`);
  if (res.unexpected_count !== undefined && (res.unexpected_count > 0 || !r.success)) {
    const pct = res.unexpected_percent === null || res.unexpected_percent === undefined ? '' : ` (${percent(res.unexpected_percent)})`;
    const sample = (res.partial_unexpected_list ?? []).slice(0, 5).map((v) => show(v, 30));
    parts.push(`${count(res.unexpected_count)} unexpected${pct}${sample.length > 0 ? `: ${sample.join(', ')}${res.unexpected_count > sample.length ? ', …' : ''}` : ''}`);
  }
  return parts.join('  ');
}

/**
 * The readable summary: a header, one line per expectation (✓/✗, its
 * arguments, what was observed or which values were unexpected), and a total.
 */
export function formatValidation(result: ValidationResult, path: string): string {
  const m = result.meta;
  const lines = [`Suite ${result.suite_name} · ${path} (${m.format}) · ${count(m.row_count)} rows · ${formatDuration(m.duration_ms)}`];
  for (const r of result.results) {
    const line = `${r.success ? '✓' : '✗'} ${r.expectation_config.type}  ${describeKwargs(r.expectation_config.kwargs)}`.trimEnd();
    const found = findings(r);
    lines.push(found ? `${line}  ${found}` : line);
  }
  const s = result.statistics;
  const pct = s.success_percent === null ? '' : ` (${percent(s.success_percent)} passed)`;
  lines.push(
    s.unsuccessful_expectations === 0
      ? `All ${s.evaluated_expectations} expectations passed.`
      : `${s.unsuccessful_expectations} of ${s.evaluated_expectations} expectations failed${pct}.`,
  );
  return `${lines.join('\n')}\n`;
}

/** A progress bar on stderr while DuckDB works, redrawn at most ten times a second; nothing when stderr is not a terminal. */
function progressBar(label: string): { update(done: number): void; clear(): void } {
  if (!process.stderr.isTTY) return { update: () => undefined, clear: () => undefined };
  let last = 0;
  let drawn = false;
  return {
    update(done) {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      drawn = true;
      const filled = Math.round(done * 24);
      process.stderr.write(`\r\x1b[K${label} [${'#'.repeat(filled)}${'·'.repeat(24 - filled)}] ${String(Math.floor(done * 100)).padStart(3)}%`);
    },
    clear() {
      if (drawn) process.stderr.write('\r\x1b[K');
      drawn = false;
    },
  };
}
