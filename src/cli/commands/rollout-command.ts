import type { Command } from 'commander';
import type { DeploymentView } from '../../deployments/deployment-service.js';
import type { CheckResult } from '../../deployments/deployment-types.js';
import { withRemoteOptions } from '../remote-options.js';
import { formatDuration, formatNumber, formatTime, printJson, printTable } from '../table.js';
import { deploymentsClientFrom } from './deployments-command.js';

const pct = (v: number) => `${formatNumber(v * 100)}%`;

/** A check's value as its metric reads: a rate in percent, a latency in ms, a drift score as is. */
function show(metric: CheckResult['metric'], v: number | undefined): string {
  if (v === undefined) return '';
  return metric === 'error_rate' ? pct(v) : metric === 'latency_p99' ? `${formatNumber(v)} ms` : formatNumber(v);
}

function printView(v: DeploymentView): void {
  const d = v.deployment;
  const s = d.status;
  const r = s.rollout;
  process.stdout.write(`Deployment ${d.name} (${d.spec.strategy}) · ${s.phase}\n  ${s.message}\n`);
  if (r) {
    const active = r.state === 'progressing' || r.state === 'paused';
    process.stdout.write(`\nRoll-out of ${r.canary.model} v${r.canary.version} over ${r.stable.model} v${r.stable.version}: ${r.state}\n`);
    process.stdout.write(`  step ${r.step + 1} of ${r.steps.length} (steps ${r.steps.join(' → ')} %), canary weight ${r.weight} %\n`);
    process.stdout.write(`  failed analyses ${r.failures} of ${r.failureLimit}${r.reason ? `; ${r.reason}` : ''}\n`);
    if (active && r.nextAnalysisAt !== undefined) process.stdout.write(`  next analysis ${formatTime(r.nextAnalysisAt)} (in ${formatDuration(Math.max(0, r.nextAnalysisAt - Date.now()))})\n`);
    const a = r.lastAnalysis;
    if (a) {
      process.stdout.write(`\nLast analysis ${formatTime(a.at)}: ${a.verdict} (${a.reason})\n`);
      process.stdout.write(`  canary ${a.canary.requests} requests, ${a.canary.errors} errors; stable ${a.stable.requests} requests, ${a.stable.errors} errors\n`);
      if (a.checks.length > 0) {
        process.stdout.write('\n');
        printTable(
          ['CHECK', 'CANARY', 'STABLE', 'LIMITS', 'RESULT'],
          a.checks.map((c) => [c.metric, show(c.metric, c.value), show(c.metric, c.stableValue), Object.entries(c.limits).map(([k, l]) => `${k} ${l}`).join(', '), c.passed ? 'passed' : 'FAILED']),
          { maxCellWidth: 60 },
        );
      }
    }
  }
  process.stdout.write('\n');
  printTable(
    ['VARIANT', 'VERSION', 'WEIGHT', 'REQUESTS', 'ERRORS', 'P99 MS', 'LOADED'],
    v.variants.map((x) => {
      const w = x.window ?? x.total;
      return [x.name, `${x.model} v${x.version}`, x.role === 'shadow' ? 'copy' : `${x.weight}%`, String(w.requests), String(w.errors), formatNumber(w.p99Ms), x.loaded ? 'yes' : 'no'];
    }),
    { alignRight: [2, 3, 4, 5] },
  );
  if (v.variants.some((x) => x.window)) process.stdout.write('(requests, errors and p99 of the stable and canary versions count from the start of the current window)\n');
  if (v.shadow) {
    const sh = v.shadow;
    process.stdout.write(
      `\nShadow: ${sh.compared} compared, mismatch rate ${pct(sh.mismatchRate)}, mean abs diff ${formatNumber(sh.meanAbsDiff)}, ${sh.shadowErrors} shadow errors, ${sh.skipped} skipped; p99 shadow ${formatNumber(sh.shadowP99Ms)} ms vs stable ${formatNumber(sh.stableP99Ms)} ms\n`,
    );
  }
}

const ACTIONS = {
  promote: 'Promote the canary now, skipping the remaining steps; the stable version stays loaded as the previous one.',
  abort: 'Stop the roll-out: all traffic goes back to the stable version.',
  rollback: 'Back to the previous version, at once (during a roll-out: roll the canary back).',
} as const;

/** Adds `ferry rollout status|promote|abort|rollback NAME`. They talk to a server over HTTP. */
export function registerRolloutCommands(program: Command): void {
  const rollout = program
    .command('rollout')
    .description("Watch and steer a deployment's roll-out.")
    .addHelpText('after', '\nExamples:\n  $ ferry rollout status fraud\n  $ ferry rollout promote fraud\n  $ ferry rollout rollback fraud --json');

  withRemoteOptions(rollout.command('status').argument('<name>', 'deployment').description('Show the current step, the latest check values and live counters per version.'))
    .option('--json', 'print JSON')
    .action(async (name: string, opts: Record<string, unknown>) => {
      const view = await deploymentsClientFrom(opts).rollout(name);
      if (opts.json) return printJson(view);
      printView(view);
    });

  for (const [action, description] of Object.entries(ACTIONS) as Array<[keyof typeof ACTIONS, string]>) {
    withRemoteOptions(rollout.command(action).argument('<name>', 'deployment').description(description))
      .option('--json', 'print JSON')
      .action(async (name: string, opts: Record<string, unknown>) => {
        const result = await deploymentsClientFrom(opts).act(name, action);
        if (opts.json) return printJson(result);
        for (const e of result.events) process.stdout.write(`${e.kind}: ${e.message}\n`);
        process.stdout.write(`deployment/${name} ${result.deployment.status.phase}\n`);
      });
  }
}
