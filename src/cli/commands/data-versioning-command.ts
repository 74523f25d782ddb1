import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { createArtifactStore } from '../../backends/select.js';
import { InvalidArgumentError } from '../../errors.js';
import { addData, type AddResult } from '../../data/versioning/data-add.js';
import { checkoutData, type CheckoutResult } from '../../data/versioning/data-checkout.js';
import { openDataProject, readDataConfig, resolveRemoteUrl, updateDataConfig } from '../../data/versioning/data-project.js';
import { dataStatus, type StatusEntry } from '../../data/versioning/data-status.js';
import { fetchData, pushData, type TransferResult } from '../../data/versioning/data-transfer.js';
import { DataWorkspace } from '../../data/versioning/data-workspace.js';
import { findDvcFiles, importDvc } from '../../data/versioning/dvc-import.js';
import type { LinkMode } from '../../data/versioning/hash-job.js';
import { POINTER_SUFFIX } from '../../data/versioning/pointer-file.js';
import { findPointers } from '../../data/versioning/pointer-scan.js';
import { createProgressBar, formatBytes } from '../../data/versioning/progress-bar.js';
import { ferryFrom, positiveInt, withRemoteOptions } from '../remote-options.js';
import { printJson, printTable } from '../table.js';

type Opts = Record<string, unknown>;

/** `ferry data add|push|pull|checkout|status|import-dvc|remote`: DVC-style data versioning. */
export function registerDataVersioningCommands(data: Command): void {
  common(
    data
      .command('add')
      .description('Hash a file or directory into the local cache and write PATH.ferry, a small pointer to commit to git instead of the data.')
      .argument('<paths...>', 'files or directories to track')
      .option('--link <mode>', 'copy (default; a copy-on-write clone where the file system can) or hardlink (no copy; files become read-only)')
      .option('--no-schema', 'do not record the columns and row count of table files (CSV, Parquet, JSON lines)')
      .option('--no-gitignore', 'do not list the data in the .gitignore beside it (done only inside a git repository)'),
    `
Examples:
  $ ferry data add data/train.parquet
  $ ferry data add images/ --json
  $ git add data/train.parquet.ferry && git commit -m "track training data"

The project root is the nearest folder upward holding .ferry/ or .git (else the
current folder); blobs go to <root>/.ferry/cache/sha256/<2>/<62> (--cache or
FERRY_DATA_CACHE to move it). Unchanged files are not hashed again.`,
  ).action(async (paths: string[], opts: Opts) => {
    await withWorkspace(opts, async (ws) => {
      const bar = createProgressBar();
      const results: AddResult[] = [];
      try {
        for (const path of paths) results.push(await addData(ws, path, { schema: opts.schema !== false, gitignore: opts.gitignore !== false, onProgress: bar.update }));
      } finally {
        bar.clear();
      }
      if (opts.json) return printJson({ added: results.map((r) => ({ ...r, pointerPath: rel(r.pointerPath) })) });
      for (const r of results) {
        const p = r.pointer;
        const what = p.kind === 'file' ? formatBytes(p.size) : `${p.files} files, ${formatBytes(p.size)}`;
        const schema = p.schema ? `; ${p.schema.format}, ${p.schema.rows} row${p.schema.rows === 1 ? '' : 's'} × ${p.schema.columns.length} column${p.schema.columns.length === 1 ? '' : 's'}` : '';
        const verb = r.changed ? 'Added' : 'Unchanged';
        process.stdout.write(`${verb} ${rel(r.pointerPath.slice(0, -POINTER_SUFFIX.length))} → ${rel(r.pointerPath)} (${what}, ${p.digest.slice(0, 19)}…; ${r.newBlobs} new blob${r.newBlobs === 1 ? '' : 's'}${schema})\n`);
        if (r.skipped.length > 0) process.stdout.write(`  not tracked (symlinks or special files): ${r.skipped.slice(0, 5).join(', ')}${r.skipped.length > 5 ? ', …' : ''}\n`);
      }
    });
  });

  common(
    remoteOption(
      data
        .command('push')
        .description('Upload the blobs of pointer files to the remote artifact store, skipping those it already has.')
        .argument('[targets...]', 'pointer files, tracked data or folders (default: every *.ferry under the current folder)')
        .option('--force', 'upload every blob even if the remote has it (repairs a damaged remote)'),
    ),
    `
Examples:
  $ ferry data push
  $ ferry data push data/train.parquet -r s3://bucket/ferry
  $ FERRY_DATA_REMOTE=file:///mnt/shared/ferry ferry data push --jobs 16

Blobs go to <remote>/ferry-data/sha256/<2>/<62>. The remote is --remote, else
FERRY_DATA_REMOTE, else FERRY_ARTIFACTS_URL, else \`ferry data remote set\`.`,
  ).action(async (targets: string[], opts: Opts) => {
    await withWorkspace(opts, async (ws) => {
      const refs = await findPointers(ws.project.root, process.cwd(), targets);
      const store = await createArtifactStore(await resolveRemoteUrl(ws.project, stringOpt(opts.remote)));
      const bar = createProgressBar();
      let result: TransferResult;
      try {
        result = await pushData(ws, store, refs, { jobs: opts.jobs as number | undefined, force: Boolean(opts.force), onProgress: bar.update });
      } finally {
        bar.clear();
        await store.close();
      }
      if (result.failed.length > 0) process.exitCode = 1;
      if (opts.json) return printJson({ remote: store.url, pointers: refs.length, ...result });
      process.stdout.write(`Pushed ${result.transferred} blob${result.transferred === 1 ? '' : 's'} (${formatBytes(result.bytes)}) to ${store.url}; ${result.present} already there.\n`);
      printFailures(result);
    });
  });

  common(
    remoteOption(
      data
        .command('pull')
        .description('Download the blobs of pointer files that the cache lacks, verify them, and check the data out.')
        .argument('[targets...]', 'pointer files, tracked data or folders (default: every *.ferry under the current folder)')
        .option('--force', 'overwrite modified workspace files and remove files a tracked directory does not list')
        .option('--link <mode>', 'copy (default) or hardlink files out of the cache'),
    ),
    `
Examples:
  $ git clone … && cd … && ferry data pull
  $ ferry data pull data/train.parquet.ferry -r s3://bucket/ferry`,
  ).action(async (targets: string[], opts: Opts) => {
    await withWorkspace(opts, async (ws) => {
      const refs = await findPointers(ws.project.root, process.cwd(), targets);
      const store = await createArtifactStore(await resolveRemoteUrl(ws.project, stringOpt(opts.remote)));
      const bar = createProgressBar();
      let fetched: TransferResult;
      let checkout: CheckoutResult[];
      try {
        fetched = await fetchData(ws, store, refs, { jobs: opts.jobs as number | undefined, onProgress: bar.update });
        const failedPointers = new Set(fetched.failed.map((f) => f.pointer));
        checkout = await checkoutData(ws, refs.filter((r) => !failedPointers.has(r.name)), { force: Boolean(opts.force), onProgress: bar.update });
      } finally {
        bar.clear();
        await store.close();
      }
      if (fetched.failed.length > 0 || checkout.some((c) => c.status === 'failed' || c.status === 'conflict')) process.exitCode = 1;
      if (opts.json) return printJson({ remote: store.url, fetched, checkout: checkout.map((c) => ({ ...c, path: rel(c.path) })) });
      process.stdout.write(`Fetched ${fetched.transferred} blob${fetched.transferred === 1 ? '' : 's'} (${formatBytes(fetched.bytes)}) from ${store.url}; ${fetched.present} already in the cache.\n`);
      printFailures(fetched);
      printCheckout(checkout);
    });
  });

  common(
    data
      .command('checkout')
      .description('Make workspace data match its pointer files, restoring files from the cache (each verified against its digest).')
      .argument('[targets...]', 'pointer files, tracked data or folders (default: every *.ferry under the current folder)')
      .option('--force', 'overwrite modified workspace files and remove files a tracked directory does not list')
      .option('--link <mode>', 'copy (default: a modified copy never changes the cache) or hardlink (no copy; files are read-only)'),
    `
Examples:
  $ git checkout v1.2 -- data/train.parquet.ferry && ferry data checkout data/train.parquet
  $ ferry data checkout --force`,
  ).action(async (targets: string[], opts: Opts) => {
    await withWorkspace(opts, async (ws) => {
      const refs = await findPointers(ws.project.root, process.cwd(), targets);
      const bar = createProgressBar();
      let results: CheckoutResult[];
      try {
        results = await checkoutData(ws, refs, { force: Boolean(opts.force), onProgress: bar.update });
      } finally {
        bar.clear();
      }
      if (results.some((c) => c.status === 'failed' || c.status === 'conflict')) process.exitCode = 1;
      if (opts.json) return printJson({ checkout: results.map((c) => ({ ...c, path: rel(c.path) })) });
      printCheckout(results);
    });
  });

  common(
    data
      .command('status')
      .description('Show, per pointer file, whether the workspace data matches it, and which blobs the cache (and with -c, the remote) lacks.')
      .argument('[targets...]', 'pointer files, tracked data or folders (default: every *.ferry under the current folder)')
      .option('-c, --cloud', 'also check the remote: which blobs it lacks (like `dvc status -c`)')
      .option('-r, --remote <url>', 'the remote to check (implies --cloud; default: FERRY_DATA_REMOTE, FERRY_ARTIFACTS_URL, `ferry data remote set`)'),
    `
Examples:
  $ ferry data status
  $ ferry data status -c --json
  $ ferry data status data/train.parquet -r s3://bucket/ferry`,
  ).action(async (targets: string[], opts: Opts) => {
    await withWorkspace(opts, async (ws) => {
      const refs = await findPointers(ws.project.root, process.cwd(), targets);
      const store = opts.cloud || opts.remote ? await createArtifactStore(await resolveRemoteUrl(ws.project, stringOpt(opts.remote))) : undefined;
      let entries: StatusEntry[];
      try {
        entries = await dataStatus(ws, refs, store);
      } finally {
        await store?.close();
      }
      if (opts.json) return printJson({ remote: store?.url ?? null, pointers: entries.map((e) => ({ ...e, path: rel(e.path) })) });
      if (entries.length === 0) {
        process.stdout.write('No pointer files here; track data with `ferry data add PATH`.\n');
        return;
      }
      const headers = ['POINTER', 'WORKSPACE', 'CACHE', ...(store ? ['REMOTE'] : [])];
      printTable(
        headers,
        entries.map((e) => [
          e.pointer,
          e.workspace,
          e.cache.manifestMissing ? 'manifest missing' : e.cache.missing === 0 ? 'ok' : `${e.cache.missing}/${e.cache.blobs} blobs missing`,
          ...(e.remote ? [e.remote.missing === 0 ? 'ok' : `${e.remote.missing}/${e.remote.blobs} blobs missing`] : []),
        ]),
        { maxCellWidth: 80 },
      );
      for (const e of entries) {
        if (!e.changes) continue;
        const lines = [...e.changes.added.map((p) => `  added:    ${p}`), ...e.changes.modified.map((p) => `  modified: ${p}`), ...e.changes.deleted.map((p) => `  deleted:  ${p}`)];
        process.stdout.write(`${e.pointer}:\n${lines.slice(0, 20).join('\n')}${lines.length > 20 ? `\n  … ${lines.length - 20} more` : ''}\n`);
      }
    });
  });

  common(
    withRemoteOptions(
      data
        .command('import-dvc')
        .description('Register data tracked by DVC: read .dvc files, verify every file against its MD5, store it in the Ferry cache and write PATH.ferry.')
        .argument('[targets...]', '.dvc files or folders to search (default: every *.dvc under the current folder)')
        .option('--dvc-cache <dir>', "DVC's cache (default: cache.dir from .dvc/config, else .dvc/cache)")
        .option('--no-schema', 'do not record the columns and row count of table files')
        .option('--register', "also register each imported dataset with the server (--url), named after the data's base name"),
    ),
    `
Data is read from the workspace when it is there and matches its MD5, else from
the DVC cache (DVC 3 files/md5/<2>/<30> or DVC 2 <2>/<30>). Outputs with a
mismatching or missing file get no pointer; the others do. The workspace and
the .dvc files are left as they are.

Examples:
  $ ferry data import-dvc
  $ ferry data import-dvc --register --url http://127.0.0.1:5000
  $ ferry data import-dvc data/images.dvc --dvc-cache /mnt/dvc-cache --json`,
  ).action(async (targets: string[], opts: Opts) => {
    await withWorkspace(opts, async (ws) => {
      const files = await findDvcFiles(process.cwd(), targets);
      if (files.length === 0) throw new InvalidArgumentError('No .dvc files found; name them, or run this in a DVC repository.');
      const bar = createProgressBar();
      let results;
      try {
        results = await importDvc(ws, files, { dvcCache: stringOpt(opts.dvcCache), schema: opts.schema !== false, onProgress: bar.update });
      } finally {
        bar.clear();
      }
      if (results.some((r) => r.status === 'failed')) process.exitCode = 1;
      // Verified data only: a failed output has no pointer, so nothing of it reaches the registry.
      const registered = new Map<string, string>();
      if (opts.register) {
        const client = ferryFrom(opts);
        for (const r of results) {
          if (r.status !== 'imported' || !r.pointer) continue;
          const name = datasetNameOf(r.path);
          const { version } = await client.datasets.registerPointer(r.pointer, { name, source: `dvc:${r.dvcFile}` });
          registered.set(r.path, `datasets:/${version.name}/${version.version}`);
        }
      }
      if (opts.json) {
        return printJson({ imported: results.map((r) => ({ ...r, pointerPath: r.pointerPath && rel(r.pointerPath), ...(registered.has(r.path) ? { registered: registered.get(r.path) } : {}) })) });
      }
      for (const r of results) {
        if (r.status === 'imported') {
          const from = r.fromDvcCache === 0 ? 'workspace' : r.fromWorkspace === 0 ? 'DVC cache' : `${r.fromWorkspace} from the workspace, ${r.fromDvcCache} from the DVC cache`;
          const as = registered.has(r.path) ? `; registered as ${registered.get(r.path)}` : '';
          process.stdout.write(`Imported ${r.path} (${r.dvcFile}) → ${rel(r.pointerPath!)} (${r.pointer!.files} file${r.pointer!.files === 1 ? '' : 's'}, ${formatBytes(r.pointer!.size)}, verified; from ${from}${as})\n`);
        } else {
          process.stdout.write(`FAILED ${r.path} (${r.dvcFile}): no pointer written\n${r.errors.map((e) => `  ${e}`).join('\n')}\n`);
        }
      }
    });
  });

  const remote = data.command('remote').description('Show or set the default data remote, kept in .ferry/config.yaml (commit it to share it).');
  remote
    .command('set')
    .description('Set the default remote for push, pull and status -r.')
    .argument('<url>', 'file:///path, a folder, or s3://bucket/prefix')
    .addHelpText('after', '\nExample:\n  $ ferry data remote set s3://my-bucket/ferry')
    .action(async (given: string) => {
      // A plain relative folder would otherwise resolve against wherever a later command runs.
      const url = /^[A-Za-z][A-Za-z0-9+.-]+:/.test(given) || isAbsolute(given) ? given : pathToFileURL(resolve(given)).href;
      await createArtifactStore(url).then((s) => s.close());
      const project = openDataProject();
      await updateDataConfig(project, { remote: url });
      process.stdout.write(`Data remote set to ${url} in ${rel(project.configPath)}.\n`);
    });
  remote
    .command('show')
    .description('Print the remote push and pull would use, and where it comes from.')
    .option('--json', 'print JSON')
    .action(async (opts: Opts) => {
      const project = openDataProject();
      const configured = (await readDataConfig(project)).remote;
      const env = process.env;
      const [url, source] = env.FERRY_DATA_REMOTE
        ? [env.FERRY_DATA_REMOTE, 'FERRY_DATA_REMOTE']
        : env.FERRY_ARTIFACTS_URL
          ? [env.FERRY_ARTIFACTS_URL, 'FERRY_ARTIFACTS_URL']
          : typeof configured === 'string'
            ? [configured, rel(project.configPath)]
            : [undefined, undefined];
      if (opts.json) return printJson({ remote: url ?? null, source: source ?? null });
      process.stdout.write(url ? `${url} (from ${source})\n` : 'No data remote set; use `ferry data remote set URL` or FERRY_DATA_REMOTE.\n');
    });
}

/** Options every versioning command shares, and its help epilogue. */
function common(cmd: Command, help: string): Command {
  return cmd
    .option('--cache <dir>', 'blob cache folder (FERRY_DATA_CACHE; default <project>/.ferry/cache)')
    .option('-j, --jobs <n>', 'files hashed or blobs transferred at once', positiveInt('--jobs'))
    .option('--json', 'print JSON')
    .addHelpText('after', help);
}

function remoteOption(cmd: Command): Command {
  return cmd.option('-r, --remote <url>', 'artifact store: file:///path, a folder, or s3://bucket/prefix (default: FERRY_DATA_REMOTE, FERRY_ARTIFACTS_URL, `ferry data remote set`)');
}

async function withWorkspace(opts: Opts, fn: (ws: DataWorkspace) => Promise<void>): Promise<void> {
  const ws = await DataWorkspace.open({ cache: stringOpt(opts.cache), link: linkMode(opts.link), threads: opts.jobs as number | undefined });
  try {
    await ws.cache.removeStaleTemps();
    await fn(ws);
  } finally {
    await ws.close();
  }
}

function linkMode(value: unknown): LinkMode {
  const mode = stringOpt(value) ?? process.env.FERRY_DATA_LINK ?? 'copy';
  if (mode !== 'copy' && mode !== 'hardlink') throw new InvalidArgumentError(`Unknown link mode '${mode}': use copy or hardlink.`);
  return mode;
}

function stringOpt(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A path as the user would type it from the current folder. */
function rel(path: string): string {
  const r = relative(process.cwd(), path);
  return (r === '' ? '.' : r).split(sep).join('/');
}

function printFailures(result: TransferResult): void {
  if (result.failed.length === 0) return;
  process.stdout.write(`${result.failed.length} blob${result.failed.length === 1 ? '' : 's'} failed:\n`);
  for (const f of result.failed) process.stdout.write(`  ${f.pointer}: ${f.message}\n`);
}

function printCheckout(results: CheckoutResult[]): void {
  for (const r of results) {
    const path = rel(r.path);
    if (r.status === 'unchanged') continue;
    if (r.status === 'restored') process.stdout.write(`Restored ${path} (${r.restored} file${r.restored === 1 ? '' : 's'}${r.removed ? `, ${r.removed} removed` : ''})\n`);
    if (r.status === 'conflict') {
      process.stdout.write(`Kept local changes in ${path} (use --force to overwrite): ${r.conflicts.slice(0, 5).join(', ')}${r.conflicts.length > 5 ? ', …' : ''}\n`);
    }
    if (r.status === 'failed') process.stdout.write(`FAILED ${path}:\n${r.errors.map((e) => `  ${e}`).join('\n')}\n`);
  }
  const unchanged = results.filter((r) => r.status === 'unchanged').length;
  if (unchanged > 0) process.stdout.write(`${unchanged} pointer${unchanged === 1 ? '' : 's'} already in sync.\n`);
}

/** A dataset name for imported data: its base name, with characters names may not hold replaced by '-'. */
export function datasetNameOf(path: string): string {
  const base = path.split('/').filter(Boolean).pop() ?? 'data';
  return base.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '') || 'data';
}
