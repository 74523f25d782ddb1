import { stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { InvalidArgumentError as InvalidOptionArgument, type Command } from 'commander';
import { datasetJson, datasetVersionJson } from '../../data/datasets/dataset-json.js';
import { parseDatasetRef, runInputDigest, type DatasetVersion, type RegisteredDataset } from '../../data/datasets/dataset-types.js';
import { POINTER_SUFFIX, readPointer } from '../../data/versioning/pointer-file.js';
import { InvalidArgumentError, NotFoundError } from '../../errors.js';
import { ferryFrom, positiveInt, withRemoteOptions } from '../remote-options.js';
import { formatTime, printJson, printTable } from '../table.js';

/** `key=value` flags, repeatable: `--tag team=risk --tag split=train`. */
function collectTag(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidOptionArgument(`--tag wants key=value, got '${value}'`);
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) };
}

/** Bytes as `812 B`, `1.4 MB`, `2.0 GB` (powers of 1000, as `ls -h --si`). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  let unit = -1;
  while (v >= 1000 && unit < units.length - 1) {
    v /= 1000;
    unit++;
  }
  return `${v.toFixed(1)} ${units[unit]}`;
}

/** `sha256:0123456789ab` — enough to tell versions apart in a table. */
const shortDigest = (digest: string) => digest.slice(0, 'sha256:'.length + 12);

/**
 * The pointer file an argument names: `PATH.ferry` itself, or the pointer
 * beside `PATH`; and the data path it stands for.
 * @throws NotFoundError saying to run `ferry data add` when there is none.
 */
export async function pointerPathFor(arg: string): Promise<{ pointerPath: string; dataPath: string }> {
  const absolute = resolve(arg);
  if (absolute.endsWith(POINTER_SUFFIX)) return { pointerPath: absolute, dataPath: absolute.slice(0, -POINTER_SUFFIX.length) };
  const pointerPath = `${absolute.replace(/[\\/]+$/, '')}${POINTER_SUFFIX}`;
  if (!(await stat(pointerPath).catch(() => undefined))) {
    throw new NotFoundError(`No pointer file ${pointerPath}: run \`ferry data add ${arg}\` (and \`ferry data push\`) first, or pass the .ferry file itself.`);
  }
  return { pointerPath, dataPath: pointerPath.slice(0, -POINTER_SUFFIX.length) };
}

/** The data's path inside its git work tree (`data/train.parquet`), or its absolute path outside one. */
export async function defaultSource(dataPath: string): Promise<string> {
  for (let dir = dirname(dataPath); ; dir = dirname(dir)) {
    if (await stat(join(dir, '.git')).catch(() => undefined)) return relative(dir, dataPath).split(sep).join('/');
    if (dirname(dir) === dir) return dataPath;
  }
}

/** `NAME`, `NAME/VERSION`, `NAME@latest` or a full `datasets:/…` reference. */
export function parseShowTarget(target: string): { name: string; version?: number | 'latest' } {
  const rest = target.startsWith('datasets:') ? target.slice('datasets:'.length) : target;
  if (!rest.replace(/^\/+/, '').includes('/') && !rest.includes('@')) return { name: rest.replace(/^\/+/, '') };
  return parseDatasetRef(rest.startsWith('/') ? rest : `/${rest}`);
}

function printVersion(v: DatasetVersion): void {
  const lines = [
    `dataset ${v.name} v${v.version}`,
    `  ref:         datasets:/${v.name}/${v.version}`,
    `  digest:      ${v.digest}`,
    `  kind:        ${v.kind}, ${formatBytes(v.size)} in ${v.files} file${v.files === 1 ? '' : 's'}`,
    `  source:      ${v.source ?? ''}`,
    `  registered:  ${formatTime(v.creationTime)}${v.createdBy ? ` by ${v.createdBy}` : ''}`,
    `  run inputs:  digest ${runInputDigest(v.digest)} (ferry lineage --dataset ${v.name} --digest ${runInputDigest(v.digest)})`,
  ];
  if (v.description) lines.push(`  description: ${v.description}`);
  const tags = Object.entries(v.tags);
  if (tags.length > 0) lines.push(`  tags:        ${tags.map(([k, val]) => `${k}=${val}`).join(', ')}`);
  if (v.schema) {
    const rows = v.schema.rows === undefined ? '' : `, ${v.schema.rows} rows`;
    lines.push(`  schema:      ${v.schema.format ?? 'table'}${rows}`);
    for (const c of v.schema.columns) lines.push(`    ${c.name}: ${c.type}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function printDataset(d: RegisteredDataset, versions: DatasetVersion[]): void {
  const head = [`dataset ${d.name} · ${d.versionCount} version${d.versionCount === 1 ? '' : 's'}`];
  if (d.description) head.push(`  description: ${d.description}`);
  const tags = Object.entries(d.tags);
  if (tags.length > 0) head.push(`  tags:        ${tags.map(([k, v]) => `${k}=${v}`).join(', ')}`);
  process.stdout.write(`${head.join('\n')}\n\n`);
  printTable(
    ['VERSION', 'DIGEST', 'KIND', 'SIZE', 'FILES', 'REGISTERED', 'SOURCE'],
    versions.map((v) => [String(v.version), shortDigest(v.digest), v.kind, formatBytes(v.size), String(v.files), formatTime(v.creationTime), v.source ?? '']),
    { alignRight: [0, 3, 4] },
  );
}

const REGISTER_HELP = `
Reads the pointer file that \`ferry data add\` wrote (PATH.ferry, or PATH itself
when it is the pointer) and registers its digest as the next version of NAME.
Registering the same digest again answers the existing version. Push the data
(\`ferry data push\`) so the server can read it as datasets:/NAME/VERSION.

Examples:
  $ ferry data register data/train.parquet --name transactions --description "Q3 transactions"
  $ ferry data register data/images.ferry --name images --tag split=train --source s3://bucket/images
  $ ferry data register data/train.parquet --name transactions --json`;

const LINK_HELP = `
Logs the dataset version as an input of the run (MLflow's runs/log-inputs, so
MLflow clients and UIs see it too), after which lineage reaches from a model
registered from that run to the exact bytes it was trained on.

Examples:
  $ ferry data link 3f2a1b9c0d8e4f6a8b7c6d5e4f3a2b1c datasets:/transactions/3 --context training
  $ ferry data link 3f2a1b9c0d8e4f6a8b7c6d5e4f3a2b1c datasets:/transactions@latest
  $ ferry lineage --dataset transactions`;

/** `ferry data register`, `ferry data link` and `ferry data datasets list|show`: the dataset registry from the shell. */
export function registerDataDatasetsCommands(data: Command): void {
  withRemoteOptions(
    data
      .command('register')
      .description('Register a versioned dataset (a .ferry pointer) with the server as the next version of NAME.')
      .argument('<pointer-or-path>', 'PATH.ferry, or the data PATH beside it'),
  )
    .requiredOption('--name <name>', 'dataset name (letters, digits, . _ -)')
    .option('--description <text>', 'what this version is')
    .option('--tag <key=value>', 'a tag on the version, repeatable', collectTag)
    .option('--source <uri>', 'where the data comes from (default: its path in the git repository)')
    .option('--json', 'print the registered version as JSON')
    .addHelpText('after', REGISTER_HELP)
    .action(async (arg: string, opts: Record<string, unknown>) => {
      const { pointerPath, dataPath } = await pointerPathFor(arg);
      const pointer = await readPointer(pointerPath);
      const source = typeof opts.source === 'string' ? opts.source : await defaultSource(dataPath);
      const { version, created } = await ferryFrom(opts).datasets.registerPointer(pointer, {
        name: opts.name as string,
        source,
        ...(typeof opts.description === 'string' ? { description: opts.description } : {}),
        ...(opts.tag ? { tags: opts.tag as Record<string, string> } : {}),
      });
      if (opts.json) return printJson({ dataset_version: datasetVersionJson(version), created });
      const what = created ? 'Registered' : 'Already registered:';
      process.stdout.write(`${what} ${version.name} v${version.version} (${shortDigest(version.digest)}…) as datasets:/${version.name}/${version.version}\n`);
    });

  withRemoteOptions(
    data
      .command('link')
      .description('Log a registered dataset version as an input of a run, for lineage.')
      .argument('<run-id>', 'the run that used the data')
      .argument('<dataset-ref>', 'datasets:/NAME/VERSION or datasets:/NAME@latest'),
  )
    .option('--context <context>', 'how the run used it: training, evaluation, …')
    .option('--json', 'print the linked version as JSON')
    .addHelpText('after', LINK_HELP)
    .action(async (runId: string, ref: string, opts: Record<string, unknown>) => {
      const context = typeof opts.context === 'string' ? opts.context : undefined;
      const version = await ferryFrom(opts).datasets.logToRun(runId, ref, { context });
      if (opts.json) return printJson({ run_id: runId, context: context ?? null, dataset_version: datasetVersionJson(version) });
      process.stdout.write(`Linked datasets:/${version.name}/${version.version} (${shortDigest(version.digest)}…) to run ${runId}${context ? ` as ${context} data` : ''}\n`);
    });

  const datasets = data.command('datasets').description('List and inspect registered datasets.');

  withRemoteOptions(datasets.command('list').description('List registered datasets with their latest versions.'))
    .option('--name-contains <text>', 'only names containing this text (any case)')
    .option('--max-results <n>', 'stop after this many', positiveInt('--max-results'))
    .option('--json', 'print the datasets as JSON')
    .addHelpText('after', '\nExamples:\n  $ ferry data datasets list\n  $ ferry data datasets list --name-contains trans --json')
    .action(async (opts: Record<string, unknown>) => {
      const found = await ferryFrom(opts).datasets.listAll(
        { nameContains: typeof opts.nameContains === 'string' ? opts.nameContains : undefined },
        (opts.maxResults as number | undefined) ?? Infinity,
      );
      if (opts.json) return printJson({ datasets: found.map(datasetJson) });
      if (found.length === 0) {
        process.stdout.write('No datasets registered yet: `ferry data register PATH --name NAME` adds one.\n');
        return;
      }
      printTable(
        ['NAME', 'LATEST', 'DIGEST', 'SIZE', 'FILES', 'UPDATED', 'DESCRIPTION'],
        found.map((d) => {
          const v = d.latestVersion;
          return [d.name, v ? `v${v.version}` : '', v ? shortDigest(v.digest) : '', v ? formatBytes(v.size) : '', v ? String(v.files) : '', formatTime(d.lastUpdatedTime), d.description ?? ''];
        }),
        { alignRight: [3, 4] },
      );
    });

  withRemoteOptions(
    datasets
      .command('show')
      .description('Show a dataset and its versions, or one version with its schema.')
      .argument('<target>', 'NAME, NAME/VERSION, NAME@latest or datasets:/NAME/VERSION'),
  )
    .option('--json', 'print as JSON')
    .addHelpText('after', '\nExamples:\n  $ ferry data datasets show transactions\n  $ ferry data datasets show transactions/3\n  $ ferry data datasets show transactions@latest --json')
    .action(async (target: string, opts: Record<string, unknown>) => {
      if (target === '') throw new InvalidArgumentError('Say which dataset: NAME or NAME/VERSION.');
      const ferry = ferryFrom(opts);
      const { name, version } = parseShowTarget(target);
      if (version !== undefined) {
        const v = await ferry.datasets.getVersion(name, version);
        return opts.json ? printJson({ dataset_version: datasetVersionJson(v) }) : printVersion(v);
      }
      const dataset = await ferry.datasets.get(name);
      const versions: DatasetVersion[] = [];
      let pageToken: string | undefined;
      do {
        const page = await ferry.datasets.listVersions(name, { maxResults: 1000, pageToken });
        versions.push(...page.items);
        pageToken = page.nextPageToken;
      } while (pageToken);
      if (opts.json) return printJson({ dataset: datasetJson(dataset), versions: versions.map(datasetVersionJson) });
      printDataset(dataset, versions);
    });
}
