import type { Command } from 'commander';
import { InvalidArgumentError } from '../../errors.js';
import type { ViewType } from '../../tracking/tracking-types.js';
import { collectList, ferryFrom, positiveInt, withRemoteOptions } from '../remote-options.js';
import { formatTime, printJson, printTable } from '../table.js';

const VIEWS: Record<string, ViewType> = { active: 'ACTIVE_ONLY', deleted: 'DELETED_ONLY', all: 'ALL' };

/** `--view active|deleted|all` as MLflow's ViewType. */
export function viewTypeOf(view: unknown): ViewType {
  const v = VIEWS[String(view ?? 'active').toLowerCase()];
  if (!v) throw new InvalidArgumentError(`--view must be active, deleted or all, got '${String(view)}'`);
  return v;
}

/** `key=value` pairs from repeated --tag flags. */
export function parseTags(pairs: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const i = pair.indexOf('=');
    if (i <= 0) throw new InvalidArgumentError(`--tag takes key=value, got '${pair}'`);
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}

export function registerExperimentsCommands(program: Command): void {
  const experiments = program.command('experiments').description('List, create and delete experiments on a tracking server (over HTTP).');

  withRemoteOptions(experiments.command('list').description('List experiments.'))
    .option('--view <view>', 'active, deleted or all', 'active')
    .option('--filter <filter>', `MLflow search filter, e.g. "name LIKE 'mnist%'" or "tags.team = 'ml'"`)
    .option('--order-by <clause>', "order, e.g. 'name ASC' or 'creation_time DESC' (repeatable)", collectList)
    .option('--max-results <n>', 'list at most this many', positiveInt('--max-results'))
    .option('--json', 'print JSON instead of a table')
    .addHelpText(
      'after',
      `
Examples:
  $ ferry experiments list
  $ ferry experiments list --filter "name LIKE 'mnist%'" --view all
  $ ferry experiments list --url http://tracking:5000 --json | jq '.[].name'`,
    )
    .action(async (opts: Record<string, unknown>) => {
      const viewType = viewTypeOf(opts.view);
      const items = await ferryFrom(opts).experiments.searchAll(
        { filter: opts.filter as string | undefined, viewType, orderBy: opts.orderBy as string[] | undefined },
        (opts.maxResults as number | undefined) ?? Infinity,
      );
      if (opts.json) return printJson(items);
      const withStage = viewType !== 'ACTIVE_ONLY';
      printTable(
        ['ID', 'NAME', ...(withStage ? ['STAGE'] : []), 'ARTIFACT LOCATION', 'CREATED'],
        items.map((e) => [e.experimentId, e.name, ...(withStage ? [e.lifecycleStage] : []), e.artifactLocation, formatTime(e.creationTime)]),
        { alignRight: [0] },
      );
    });

  withRemoteOptions(experiments.command('create').argument('<name>', 'experiment name (unique)').description('Create an experiment and print its id.'))
    .option('--artifact-location <uri>', "where its runs' artifacts go (default: the server's default artifact root)")
    .option('--tag <key=value>', 'experiment tag (repeatable)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ ferry experiments create mnist
  $ ferry experiments create mnist --tag team=vision --tag owner=ana`,
    )
    .action(async (name: string, opts: Record<string, unknown>) => {
      const id = await ferryFrom(opts).experiments.create(name, {
        artifactLocation: opts.artifactLocation as string | undefined,
        tags: parseTags(opts.tag as string[] | undefined),
      });
      if (opts.json) return printJson({ experimentId: id, name });
      process.stdout.write(`Created experiment '${name}' with id ${id}.\n`);
    });

  withRemoteOptions(
    experiments
      .command('delete')
      .argument('<id-or-name>', 'experiment id, or its name')
      .description('Delete an experiment (it moves to the deleted stage and can be restored).'),
  )
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ ferry experiments delete 3
  $ ferry experiments delete mnist`,
    )
    .action(async (idOrName: string, opts: Record<string, unknown>) => {
      const ferry = ferryFrom(opts);
      const experiment = await ferry.experiments.resolve(idOrName);
      await ferry.experiments.delete(experiment.experimentId);
      if (opts.json) return printJson({ experimentId: experiment.experimentId, name: experiment.name, lifecycleStage: 'deleted' });
      process.stdout.write(`Deleted experiment '${experiment.name}' (id ${experiment.experimentId}).\n`);
    });
}
