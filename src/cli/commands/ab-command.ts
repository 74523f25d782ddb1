import type { Command } from 'commander';
import type { AbReport } from '../../deployments/ab-report.js';
import { withRemoteOptions } from '../remote-options.js';
import { formatNumber, printJson } from '../table.js';
import { deploymentsClientFrom } from './deployments-command.js';

const EXAMPLES = `
Examples:
  $ ferry ab report fraud
  $ ferry ab report fraud --metric recall --since 24h
  $ ferry ab report prices --metric mae --json

Quality needs ground truth: send labels of logged requests with
  POST /api/ferry/v1/deployments/NAME/feedback {"feedback": [{"request_id": "…", "label": 1}]}
Rates (accuracy, binary precision and recall) are compared with a two-proportion z-test,
mean errors (mae, rmse) with Welch's t-test; f1 and auc are shown without a test.`;

const num = (v: number | null | undefined) => (v === null || v === undefined ? '-' : formatNumber(v));

/** The report as a table of variants, the comparisons, and the verdict on its own line. */
export function formatAbReport(r: AbReport): string {
  const lines: string[] = [`A/B report for ${r.deployment} · ${r.metric} (${r.task}), ${Math.round(r.confidence * 100)}% intervals`, ''];
  const headers = ['VARIANT', 'VERSION', 'REQUESTS', 'LOGGED', 'ERRORS', 'LABELLED', r.metric.toUpperCase(), 'INTERVAL'];
  const rows = r.variants.map((v) => [
    v.variant,
    String(v.version),
    v.requests === undefined ? '-' : String(v.requests),
    String(v.logged),
    String(v.errors),
    String(v.labelled),
    num(v.value),
    v.interval ? `[${num(v.interval.low)}, ${num(v.interval.high)}]` : '-',
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const pad = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  lines.push(pad(headers), ...rows.map(pad), '');
  for (const c of r.comparisons) {
    const test = c.test === null ? 'no test' : `${c.test}: p=${num(c.pValue)}${c.significant ? ' (significant)' : ''}`;
    lines.push(`${c.variant} vs ${c.against}: difference ${num(c.difference)}, ${test}`);
  }
  if (r.comparisons.length > 0) lines.push('');
  lines.push(`Verdict: ${r.verdict}`);
  return `${lines.join('\n')}\n`;
}

/** Adds `ferry ab report NAME`. It talks to a server over HTTP. */
export function registerAbCommands(program: Command): void {
  const ab = program.command('ab').description('A/B and canary comparisons of a deployment’s variants on logged predictions and feedback.').addHelpText('after', EXAMPLES);
  withRemoteOptions(
    ab
      .command('report')
      .argument('<name>', 'deployment')
      .description('Per-variant traffic and quality with confidence intervals, the significance of the difference, and whether there is a winner yet.'),
  )
    .option('--metric <metric>', 'accuracy, precision, recall, f1, auc (classifiers) or mae, rmse (regressors)', 'accuracy')
    .option('--since <duration>', 'only predictions this recent, e.g. 24h')
    .option('--control <variant>', 'the variant others are compared with (default the stable one)')
    .option('--output <name>', 'the output tensor holding the prediction (default the first)')
    .option('--confidence <level>', 'confidence level of the intervals and tests', '0.95')
    .option('--json', 'print JSON')
    .addHelpText('after', EXAMPLES)
    .action(async (name: string, opts: Record<string, unknown>) => {
      const str = (k: string) => (typeof opts[k] === 'string' ? (opts[k] as string) : undefined);
      const query = Object.fromEntries(
        (['metric', 'since', 'control', 'output', 'confidence'] as const).flatMap((k) => (str(k) === undefined ? [] : [[k, str(k)!]])),
      );
      const report = await deploymentsClientFrom(opts).abReport(name, query);
      if (opts.json) return printJson(report);
      process.stdout.write(formatAbReport(report));
    });
}

