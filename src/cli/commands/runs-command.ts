import type { Command } from 'commander';
import { InvalidArgumentError } from '../../errors.js';
import type { Ferry } from '../../sdk/ferry-client.js';
import type { Experiment, Run } from '../../tracking/tracking-types.js';
import { collectList, ferryFrom, positiveInt, withRemoteOptions } from '../remote-options.js';
import { formatDuration, formatNumber, formatTime, printJson, printTable } from '../table.js';
import { viewTypeOf } from './experiments-command.js';

/** One compared key: a param or a latest metric, with each run's value (null where a run lacks it). */
export interface CompareRow {
  kind: 'param' | 'metric';
  key: string;
  values: Array<string | number | null>;
  differs: boolean;
}

/** Params and latest metrics of `runs` side by side: one row per key, sorted, params first. */
export function compareRuns(runs: Run[]): CompareRow[] {
  const rows: CompareRow[] = [];
  const build = (kind: CompareRow['kind'], pick: (r: Run) => Map<string, string | number>) => {
    const maps = runs.map(pick);
    const keys = [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();
    for (const key of keys) {
      const values = maps.map((m) => m.get(key) ?? null);
      rows.push({ kind, key, values, differs: values.some((v) => !Object.is(v, values[0])) });
    }
  };
  build('param', (r) => new Map(r.data.params.map((p) => [p.key, p.value])));
  build('metric', (r) => new Map(r.data.metrics.map((m) => [m.key, m.value])));
  return rows;
}

const shortId = (id: string) => id.slice(0, 8);

/** The experiments named by --experiment (ids or names), or every active one. */
async function experimentsFor(ferry: Ferry, given: string[] | undefined): Promise<Experiment[]> {
  if (given && given.length > 0) return Promise.all(given.map((x) => ferry.experiments.resolve(x)));
  return ferry.experiments.searchAll();
}

export function registerRunsCommands(program: Command): void {
  const runs = program.command('runs').description('List, show, compare and delete runs on a tracking server (over HTTP).');

  withRemoteOptions(runs.command('list').description('List runs, newest first unless --order-by says otherwise.'))
    .option('--experiment <id|name>', 'only these experiments (repeatable or comma-separated; default: all active ones)', collectList)
    .option('--filter <filter>', `MLflow search filter, e.g. "metrics.acc > 0.9 and params.lr = '0.01'"`)
    .option('--order-by <clause>', "order, e.g. 'metrics.acc DESC' or 'start_time ASC' (repeatable)", collectList)
    .option('--max-results <n>', 'list at most this many', positiveInt('--max-results'), 100)
    .option('--view <view>', 'active, deleted or all', 'active')
    .option('--page-token <token>', 'continue a previous listing')
    .option('--json', 'print JSON instead of a table')
    .addHelpText(
      'after',
      `
Examples:
  $ ferry runs list --experiment mnist
  $ ferry runs list --filter "metrics.acc > 0.9" --order-by "metrics.acc DESC" --max-results 5
  $ ferry runs list --view deleted --json | jq '.[].info.runId'`,
    )
    .action(async (opts: Record<string, unknown>) => {
      const ferry = ferryFrom(opts);
      const experiments = await experimentsFor(ferry, opts.experiment as string[] | undefined);
      const ids = experiments.map((e) => e.experimentId);
      const limit = opts.maxResults as number;
      const found: Run[] = [];
      let pageToken = opts.pageToken as string | undefined;
      while (ids.length > 0) {
        const page = await ferry.runs.search({
          experimentIds: ids,
          filter: opts.filter as string | undefined,
          orderBy: opts.orderBy as string[] | undefined,
          viewType: viewTypeOf(opts.view),
          maxResults: Math.min(limit - found.length, 1000),
          pageToken,
        });
        found.push(...page.items);
        pageToken = page.nextPageToken;
        if (!pageToken || found.length >= limit) break;
      }
      if (pageToken) process.stderr.write(`More runs match; continue with --page-token ${pageToken}\n`);
      if (opts.json) return printJson(found);
      const names = new Map(experiments.map((e) => [e.experimentId, e.name]));
      printTable(
        ['RUN ID', 'NAME', 'EXPERIMENT', 'STATUS', 'STARTED', 'DURATION'],
        found.map((r) => [
          r.info.runId,
          r.info.runName,
          names.get(r.info.experimentId) ?? r.info.experimentId,
          r.info.status,
          formatTime(r.info.startTime),
          r.info.endTime ? formatDuration(r.info.endTime - r.info.startTime) : '',
        ]),
      );
    });

  withRemoteOptions(runs.command('show').argument('<run_id>', 'the run').description("Show a run's info, params, latest metrics and tags."))
    .option('--json', 'print the run as JSON')
    .addHelpText('after', '\nExample:\n  $ ferry runs show 3f2a1b9c0d8e4f6a8b7c6d5e4f3a2b1c')
    .action(async (runId: string, opts: Record<string, unknown>) => {
      const ferry = ferryFrom(opts);
      const run = await ferry.runs.get(runId);
      if (opts.json) return printJson(run);
      const i = run.info;
      const experiment = await ferry.experiments.get(i.experimentId).catch(() => undefined);
      printTable(
        ['FIELD', 'VALUE'],
        [
          ['run id', i.runId],
          ['name', i.runName],
          ['experiment', experiment ? `${experiment.name} (${i.experimentId})` : i.experimentId],
          ['status', i.status],
          ['lifecycle', i.lifecycleStage],
          ['user', i.userId],
          ['started', formatTime(i.startTime)],
          ['ended', formatTime(i.endTime)],
          ['duration', i.endTime ? formatDuration(i.endTime - i.startTime) : ''],
          ['artifact uri', i.artifactUri],
        ],
        { maxCellWidth: 100 },
      );
      const section = (title: string, headers: string[], rows: string[][]) => {
        process.stdout.write(`\n${title}\n`);
        if (rows.length === 0) process.stdout.write('  (none)\n');
        else printTable(headers, rows, { maxCellWidth: 100 });
      };
      section('Params', ['KEY', 'VALUE'], run.data.params.map((p) => [p.key, p.value]));
      section('Metrics (latest)', ['KEY', 'VALUE', 'STEP', 'TIME'], run.data.metrics.map((m) => [m.key, formatNumber(m.value), String(m.step), formatTime(m.timestamp)]));
      section('Tags', ['KEY', 'VALUE'], run.data.tags.map((t) => [t.key, t.value]));
    });

  withRemoteOptions(
    runs
      .command('compare')
      .argument('<run_ids...>', 'two or more runs')
      .description('Compare params and latest metrics of runs side by side; * marks keys whose values differ.'),
  )
    .option('--only-diff', 'show only keys whose values differ')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ ferry runs compare 3f2a1b9c… 9b8e7d6c…
  $ ferry runs compare $(ferry runs list --experiment mnist --json | jq -r '.[].info.runId') --only-diff`,
    )
    .action(async (runIds: string[], opts: Record<string, unknown>) => {
      if (runIds.length < 2) throw new InvalidArgumentError('Give at least two run ids to compare.');
      const ferry = ferryFrom(opts);
      const list = await Promise.all(runIds.map((id) => ferry.runs.get(id)));
      const rows = compareRuns(list).filter((r) => !opts.onlyDiff || r.differs);
      if (opts.json) {
        return printJson({ runs: list.map((r) => ({ runId: r.info.runId, runName: r.info.runName })), rows });
      }
      const show = (v: string | number | null) => (v === null ? '-' : typeof v === 'number' ? formatNumber(v) : v);
      printTable(
        ['', 'KEY', ...list.map((r) => shortId(r.info.runId))],
        [
          ['', 'run name', ...list.map((r) => r.info.runName)],
          ...rows.map((r) => [r.differs ? '*' : '', `${r.kind}s.${r.key}`, ...r.values.map(show)]),
        ],
        { maxCellWidth: 32 },
      );
      if (rows.length === 0) process.stdout.write(opts.onlyDiff ? '(no differences)\n' : '(no params or metrics)\n');
      else process.stdout.write('\n* values differ\n');
    });

  withRemoteOptions(runs.command('delete').argument('<run_id>', 'the run').description('Delete a run (it can be restored until `ferry gc` purges it).'))
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ ferry runs delete 3f2a1b9c0d8e4f6a8b7c6d5e4f3a2b1c')
    .action(async (runId: string, opts: Record<string, unknown>) => {
      const ferry = ferryFrom(opts);
      const run = await ferry.runs.get(runId);
      await ferry.runs.delete(runId);
      if (opts.json) return printJson({ runId, runName: run.info.runName, lifecycleStage: 'deleted' });
      process.stdout.write(`Deleted run ${runId} ('${run.info.runName}'). \`ferry gc\` purges deleted runs for good.\n`);
    });
}
