import type { Command } from 'commander';
import { InvalidArgumentError } from '../../errors.js';
import { createServices } from '../../server/services.js';
import { configFrom, withStoreOptions } from '../config-options.js';
import { collectList } from '../remote-options.js';
import { printJson, printTable } from '../table.js';

const UNITS: Record<string, number> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/** Parses `30d`, `12h`, `1d12h30m`, `0s` or `0` into milliseconds. */
export function parseDuration(text: string): number {
  const t = text.trim();
  if (t === '0') return 0;
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)(ms|w|d|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== t) {
    throw new InvalidArgumentError(`Invalid duration '${text}': use a number with a unit (w, d, h, m, s), e.g. 30d, 12h, 1d12h or 0s.`);
  }
  return parts.reduce((ms, p) => ms + Number(p[1]) * UNITS[p[2]!]!, 0);
}

export function registerGcCommand(program: Command): void {
  withStoreOptions(
    program
      .command('gc')
      .description(
        'Permanently remove deleted runs (rows and artifacts) from the local stores, like `mlflow gc`. Active runs are never touched.',
      ),
  )
    .option('--older-than <duration>', 'only runs deleted at least this long ago, e.g. 30d, 12h, 1d12h (default 0s: all)', '0s')
    .option('--experiment-ids <ids>', 'only runs of these experiments (comma-separated, repeatable)', collectList)
    .option('--dry-run', 'list what would be removed, remove nothing')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ ferry gc --dry-run
  $ ferry gc --older-than 30d
  $ ferry gc --experiment-ids 1,2 --home /srv/ferry`,
    )
    .action(async (opts: Record<string, unknown>) => {
      const olderThan = parseDuration(String(opts.olderThan));
      const experimentIds = (opts.experimentIds as string[] | undefined) ?? [];
      for (const id of experimentIds) if (!/^\d+$/.test(id)) throw new InvalidArgumentError(`Invalid experiment id '${id}': ids are numbers such as 0 or 12.`);
      const services = await createServices(configFrom(opts));
      try {
        const removed = await services.runs.purgeDeleted(services.artifacts, { before: Date.now() - olderThan, experimentIds, dryRun: Boolean(opts.dryRun) });
        if (opts.json) return printJson({ dryRun: Boolean(opts.dryRun), runs: removed });
        if (removed.length === 0) {
          process.stdout.write('No deleted runs to remove.\n');
          return;
        }
        process.stdout.write(`${opts.dryRun ? 'Would remove' : 'Removed'} ${removed.length} deleted run(s) and their artifacts:\n`);
        printTable(
          ['RUN ID', 'ARTIFACTS'],
          removed.map((r) => [r.runId, r.artifactPath ? r.artifactUri : `${r.artifactUri} (not in Ferry's artifact store; left in place)`]),
          { maxCellWidth: 120 },
        );
      } finally {
        await services.close();
      }
    });
}
