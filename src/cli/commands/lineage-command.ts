import type { Command } from 'commander';
import { InvalidArgumentError } from '../../errors.js';
import type { LineageQuery } from '../../registry/lineage-types.js';
import { formatLineageTree } from '../lineage-tree.js';
import { ferryFrom, withRemoteOptions } from '../remote-options.js';
import { printJson } from '../table.js';

const URI_FORMS = 'models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/latest or runs:/RUN_ID';

/**
 * What a lineage URI names: `models:/NAME/VERSION`, `models:/NAME@ALIAS`,
 * `models:/NAME/latest`, `runs:/RUN_ID[/path]`.
 * @throws InvalidArgumentError for any other form, naming the accepted ones.
 */
export function parseLineageUri(uri: string): LineageQuery {
  const run = /^runs:\/+([^/]+)(\/.*)?$/.exec(uri);
  if (run) return { runId: run[1]! };
  const model = /^models:\/+([^/]+)(?:\/([^/]+))?\/?$/.exec(uri);
  if (model) {
    const [, head, suffix] = model as unknown as [string, string, string | undefined];
    if (suffix !== undefined) {
      if (/^\d+$/.test(suffix)) return { model: head, version: Number(suffix) };
      if (suffix.toLowerCase() === 'latest') return { model: head, alias: 'latest' };
      throw new InvalidArgumentError(`'${uri}' names a stage; lineage needs a version or an alias: ${URI_FORMS}.`);
    }
    const at = head.lastIndexOf('@');
    if (at > 0 && at < head.length - 1) return { model: head.slice(0, at), alias: head.slice(at + 1) };
    if (/^m-/.test(head)) throw new InvalidArgumentError(`'${uri}' names a logged model; ask for its run (runs:/RUN_ID) or a registered version instead.`);
  }
  throw new InvalidArgumentError(`Cannot read '${uri}' as a lineage subject. Use ${URI_FORMS}, or --dataset NAME [--digest D].`);
}

/** The query a `ferry lineage` invocation asks: a URI argument, or --dataset with an optional --digest. */
function queryOf(uri: string | undefined, opts: Record<string, unknown>): LineageQuery {
  const dataset = typeof opts.dataset === 'string' ? opts.dataset : undefined;
  if (uri !== undefined && dataset !== undefined) throw new InvalidArgumentError('Give either a URI or --dataset, not both.');
  if (dataset !== undefined) return { dataset, digest: typeof opts.digest === 'string' ? opts.digest : undefined };
  if (opts.digest !== undefined) throw new InvalidArgumentError('--digest goes with --dataset.');
  if (uri === undefined) throw new InvalidArgumentError(`Say what to trace: ${URI_FORMS}, or --dataset NAME [--digest D].`);
  return parseLineageUri(uri);
}

export const LINEAGE_HELP = `
The tree reads from the subject outwards: where it came from (logged model, run,
the run's params, final metrics, code version, datasets, parent runs), then what
came of it (registered versions, deployments). --json prints the raw graph
({ roots, nodes, edges }).

Examples:
  $ ferry lineage models:/fraud/3
  $ ferry lineage models:/fraud@champion --json | jq '.nodes[] | select(.type == "dataset")'
  $ ferry lineage runs:/3f2a1b9c0d8e4f6a8b7c6d5e4f3a2b1c
  $ ferry lineage --dataset transactions --digest 9e1c2f7a`;

/** Adds the arguments, flags and action of a lineage command to `cmd` (shared by `ferry lineage` and `ferry models lineage`). */
export function defineLineageCommand(cmd: Command): Command {
  return withRemoteOptions(cmd.argument('[uri]', URI_FORMS))
    .option('--dataset <name>', 'trace a dataset instead: the runs that used it and the versions made from them')
    .option('--digest <digest>', 'with --dataset: only this digest of it')
    .option('--json', 'print the graph as JSON')
    .addHelpText('after', LINEAGE_HELP)
    .action(async (uri: string | undefined, opts: Record<string, unknown>) => {
      const query = queryOf(uri, opts);
      const graph = await ferryFrom(opts).registry.lineage(query);
      if (opts.json) return printJson(graph);
      process.stdout.write(`${formatLineageTree(graph)}\n`);
    });
}

export function registerLineageCommand(program: Command): void {
  defineLineageCommand(
    program.command('lineage').description('Show where a model version or run came from, and what came of it, as a tree.'),
  );
}
