import { InvalidArgumentError as InvalidOptionArgument, type Command } from 'commander';
import { InvalidArgumentError, NotFoundError } from '../../errors.js';
import type { Ferry } from '../../sdk/ferry-client.js';
import type { ModelVersion, RegisteredModel } from '../../registry/registry-types.js';
import { collectList, ferryFrom, positiveInt, withRemoteOptions } from '../remote-options.js';
import { formatTime, printJson, printTable } from '../table.js';
import { defineLineageCommand } from './lineage-command.js';
import { registerPromotionCommands } from './promotion-command.js';

/** `key=value` flags, repeatable: `--tag team=risk --tag owner=ana`. */
function collectTags(value: string, previous: Array<{ key: string; value: string }> = []): Array<{ key: string; value: string }> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidOptionArgument(`--tag wants key=value, got '${value}'`);
  return [...previous, { key: value.slice(0, eq), value: value.slice(eq + 1) }];
}

/** An MLflow filter string literal: single quotes, doubled inside. */
export const quoteFilter = (s: string): string => `'${s.replace(/'/g, "''")}'`;

const aliasesOf = (m: RegisteredModel) => m.aliases.map((a) => `@${a.alias}→v${a.version}`).join(' ');
const newest = (m: RegisteredModel) => m.latestVersions.reduce((max, v) => Math.max(max, v.version), 0);

/** Every live version of a model, newest first. */
async function versionsOf(ferry: Ferry, name: string): Promise<ModelVersion[]> {
  const out: ModelVersion[] = [];
  let pageToken: string | undefined;
  do {
    const page = await ferry.registry.searchVersions({ filter: `name = ${quoteFilter(name)}`, orderBy: ['version_number DESC'], maxResults: 1000, pageToken });
    out.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return out;
}

/** Where the governance domain serves a version's generated model card. */
export const cardPath = (name: string, version: string) => `/api/ferry/v1/models/${encodeURIComponent(name)}/versions/${encodeURIComponent(version)}/card`;

/** The card as Markdown, or (`asJson`) the server's `{ card, markdown }`; a plain-Markdown answer is taken as it is. */
async function fetchCard(ferry: Ferry, name: string, version: string, asJson: boolean): Promise<{ markdown?: string; json?: unknown }> {
  let res: Response;
  try {
    res = await ferry.http.send('GET', cardPath(name, version), {
      query: asJson ? { format: 'json' } : undefined,
      idempotent: true,
      headers: { accept: 'text/markdown, application/json' },
    });
  } catch (err) {
    // The server's catch-all 404 (no such route), as opposed to an unknown model or version.
    if (err instanceof NotFoundError && /^No endpoint/.test(err.message)) {
      throw new NotFoundError(`This server does not serve model cards yet (GET ${cardPath(name, version)} answered 404). Upgrade the server, or use 'ferry models show ${name}'.`);
    }
    throw err;
  }
  const text = await res.text();
  if (!/json/i.test(res.headers.get('content-type') ?? '')) return { markdown: text };
  const json = JSON.parse(text) as Record<string, unknown>;
  const card = (json.card && typeof json.card === 'object' ? json.card : {}) as Record<string, unknown>;
  const markdown = typeof json.markdown === 'string' ? json.markdown : typeof card.markdown === 'string' ? card.markdown : undefined;
  return { json, markdown };
}

export function registerModelsCommand(program: Command): void {
  const models = program
    .command('models')
    .description('Registered models: list, show, register versions, move aliases, trace lineage, read model cards (over HTTP).');

  withRemoteOptions(models.command('list').description('List registered models, by name.'))
    .option('--filter <filter>', `MLflow registry filter, e.g. "name LIKE 'fraud%'" or "tags.team = 'risk'"`)
    .option('--order-by <clause>', "order, e.g. 'name DESC' or 'last_updated_timestamp DESC' (repeatable)", collectList)
    .option('--max-results <n>', 'list at most this many', positiveInt('--max-results'), 100)
    .option('--page-token <token>', 'continue a previous listing')
    .option('--json', 'print JSON instead of a table')
    .addHelpText(
      'after',
      `
Examples:
  $ ferry models list
  $ ferry models list --filter "name LIKE 'fraud%'" --order-by "last_updated_timestamp DESC"
  $ ferry models list --json | jq -r '.[].name'`,
    )
    .action(async (opts: Record<string, unknown>) => {
      const ferry = ferryFrom(opts);
      const limit = opts.maxResults as number;
      const found: RegisteredModel[] = [];
      let pageToken = opts.pageToken as string | undefined;
      do {
        const page = await ferry.registry.searchModels({
          filter: opts.filter as string | undefined,
          orderBy: opts.orderBy as string[] | undefined,
          maxResults: Math.min(limit - found.length, 1000),
          pageToken,
        });
        found.push(...page.items);
        pageToken = page.nextPageToken;
      } while (pageToken && found.length < limit);
      if (pageToken) process.stderr.write(`More models match; continue with --page-token ${pageToken}\n`);
      if (opts.json) return printJson(found);
      if (found.length === 0) return void process.stdout.write('No registered models.\n');
      printTable(
        ['NAME', 'LATEST', 'ALIASES', 'UPDATED', 'DESCRIPTION'],
        found.map((m) => [m.name, newest(m) ? `v${newest(m)}` : '-', aliasesOf(m), formatTime(m.lastUpdatedTimestamp), m.description ?? '']),
      );
    });

  withRemoteOptions(models.command('show').argument('<name>', 'the registered model').description("Show a model's details, aliases, tags and versions."))
    .option('--json', 'print { model, versions } as JSON')
    .addHelpText('after', '\nExamples:\n  $ ferry models show fraud\n  $ ferry models show fraud --json | jq \'.versions[0]\'')
    .action(async (name: string, opts: Record<string, unknown>) => {
      const ferry = ferryFrom(opts);
      const model = await ferry.registry.getModel(name);
      const versions = await versionsOf(ferry, name);
      if (opts.json) return printJson({ model, versions });
      printTable(
        ['FIELD', 'VALUE'],
        [
          ['name', model.name],
          ['description', model.description ?? ''],
          ['created', formatTime(model.creationTimestamp)],
          ['updated', formatTime(model.lastUpdatedTimestamp)],
          ['aliases', aliasesOf(model) || '(none)'],
          ['tags', model.tags.map((t) => `${t.key}=${t.value}`).join(', ') || '(none)'],
        ],
        { maxCellWidth: 100 },
      );
      process.stdout.write('\nVersions\n');
      if (versions.length === 0) return void process.stdout.write('  (none)\n');
      printTable(
        ['VERSION', 'ALIASES', 'STAGE', 'STATUS', 'RUN ID', 'CREATED', 'SOURCE'],
        versions.map((v) => [
          String(v.version),
          v.aliases.map((a) => `@${a}`).join(' '),
          v.currentStage,
          v.status,
          v.runId ?? '',
          formatTime(v.creationTimestamp),
          v.source ?? '',
        ]),
        { maxCellWidth: 64 },
      );
    });

  withRemoteOptions(
    models
      .command('register')
      .argument('<source>', 'where the model files are: runs:/RUN_ID/PATH, models:/m-ID (a logged model) or an artifact URI')
      .description('Register a new model version from a source, creating the registered model if needed (as mlflow.register_model does).'),
  )
    .requiredOption('--name <name>', 'the registered model')
    .option('--run-id <id>', 'the run the files came from (filled in from a runs:/ source)')
    .option('--description <text>', "the version's description")
    .option('--tag <key=value>', 'a version tag (repeatable)', collectTags)
    .option('--json', 'print the new version as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ ferry models register runs:/3f2a1b9c0d8e4f6a8b7c6d5e4f3a2b1c/model --name fraud
  $ ferry models register models:/m-0123456789abcdef --name fraud --tag owner=ana --description "weekly retrain"`,
    )
    .action(async (source: string, opts: Record<string, unknown>) => {
      const ferry = ferryFrom(opts);
      const version = await ferry.registry.register(source, opts.name as string, {
        runId: opts.runId as string | undefined,
        description: opts.description as string | undefined,
        tags: opts.tag as Array<{ key: string; value: string }> | undefined,
      });
      if (opts.json) return printJson(version);
      process.stdout.write(`Registered model '${version.name}' version ${version.version} from ${source}${version.runId ? ` (run ${version.runId})` : ''}.\n`);
    });

  withRemoteOptions(
    models
      .command('alias')
      .argument('<name>', 'the registered model')
      .argument('<alias>', 'the alias, e.g. champion')
      .argument('[version]', 'the version to point it at')
      .description('Point an alias at a version (moving it if needed), remove it with --delete, or show where it points.'),
  )
    .option('--delete', 'remove the alias')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Promotions that a policy governs go through 'ferry models promote' instead.

Examples:
  $ ferry models alias fraud champion 3
  $ ferry models alias fraud champion          # which version is the champion?
  $ ferry models alias fraud champion --delete`,
    )
    .action(async (name: string, alias: string, version: string | undefined, opts: Record<string, unknown>) => {
      const ferry = ferryFrom(opts);
      if (opts.delete) {
        if (version !== undefined) throw new InvalidArgumentError('--delete takes no version: ferry models alias NAME ALIAS --delete');
        await ferry.registry.deleteAlias(name, alias);
        if (opts.json) return printJson({ name, alias, deleted: true });
        return void process.stdout.write(`Removed alias '${alias}' from model '${name}'.\n`);
      }
      if (version === undefined) {
        const mv = await ferry.registry.getByAlias(name, alias);
        if (opts.json) return printJson(mv);
        return void process.stdout.write(`${name}@${alias} → version ${mv.version}\n`);
      }
      if (!/^\d+$/.test(version)) throw new InvalidArgumentError(`VERSION must be a version number, got '${version}'`);
      await ferry.registry.setAlias(name, alias, version);
      if (opts.json) return printJson({ name, alias, version: Number(version) });
      process.stdout.write(`Alias '${alias}' of model '${name}' now points at version ${version}.\n`);
    });

  defineLineageCommand(models.command('lineage').description("Show a version's lineage as a tree (same as `ferry lineage`)."));

  withRemoteOptions(
    models
      .command('card')
      .argument('<name>', 'the registered model')
      .argument('<version>', 'the version')
      .description("Print a version's model card (Markdown): description, signature, metrics, params, lineage, promotion history."),
  )
    .option('--json', 'print the card\'s data and Markdown as JSON ({ card, markdown })')
    .addHelpText(
      'after',
      "\nThe owner fills in intended use and limitations through the API; the rest is generated.\n\nExamples:\n  $ ferry models card fraud 3\n  $ ferry models card fraud 3 > MODEL_CARD.md\n  $ ferry models card fraud 3 --json | jq '.card'",
    )
    .action(async (name: string, version: string, opts: Record<string, unknown>) => {
      const card = await fetchCard(ferryFrom(opts), name, version, opts.json === true);
      if (opts.json) return printJson(card.json ?? { markdown: card.markdown });
      if (card.markdown !== undefined) return void process.stdout.write(card.markdown.endsWith('\n') ? card.markdown : `${card.markdown}\n`);
      printJson(card.json);
    });

  // promote, approve, reject, promotions, policy: governance's commands (they leave `card` to the one above).
  registerPromotionCommands(models);
}
