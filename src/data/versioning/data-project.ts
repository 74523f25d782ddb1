import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import YAML from 'yaml';
import { InvalidArgumentError } from '../../errors.js';

/** Ferry's folder in a project: config (committed), cache and state (ignored). */
export const FERRY_DIR = '.ferry';

/** Where Ferry keeps its data versioning files for one project. */
export interface DataProject {
  /** The project root: the nearest folder upward holding `.ferry/` or `.git`, else the starting folder. */
  root: string;
  /** The blob cache: `--cache`, else FERRY_DATA_CACHE, else `<root>/.ferry/cache`. */
  cacheDir: string;
  /** The state index: which file (path, size, mtime, inode) had which digest. */
  statePath: string;
  /** `<root>/.ferry/config.yaml`: the default remote. */
  configPath: string;
}

/** The nearest folder at or above `start` that holds `.ferry/` or `.git`; `start` itself when none does. */
export function findProjectRoot(start: string): string {
  const from = resolve(start);
  for (let dir = from; ; dir = dirname(dir)) {
    if (isDir(join(dir, FERRY_DIR)) || existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) return from;
  }
}

/** Locates the project for `cwd`, with an explicit cache folder taking precedence over FERRY_DATA_CACHE. */
export function openDataProject(options: { cwd?: string; cache?: string; env?: NodeJS.ProcessEnv } = {}): DataProject {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const root = findProjectRoot(cwd);
  const cache = options.cache ?? (env.FERRY_DATA_CACHE || undefined);
  return {
    root,
    cacheDir: cache ? resolve(cwd, cache) : join(root, FERRY_DIR, 'cache'),
    statePath: join(root, FERRY_DIR, 'data-state.json'),
    configPath: join(root, FERRY_DIR, 'config.yaml'),
  };
}

/** The project's `.ferry/config.yaml`, or {} when there is none. */
export async function readDataConfig(project: DataProject): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(project.configPath, 'utf8');
  } catch {
    return {};
  }
  try {
    const parsed: unknown = YAML.parse(text);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch (err) {
    throw new InvalidArgumentError(`${project.configPath} is not valid YAML: ${(err as Error).message}`);
  }
}

/** Sets keys of `.ferry/config.yaml`, keeping the others; written via a temp file and rename. */
export async function updateDataConfig(project: DataProject, patch: Record<string, unknown>): Promise<void> {
  const config = { ...(await readDataConfig(project)), ...patch };
  await ensureFerryDir(project);
  const temp = `${project.configPath}.${process.pid}.tmp`;
  await writeFile(temp, YAML.stringify(config));
  await rename(temp, project.configPath);
}

/**
 * The remote to use: the flag, else FERRY_DATA_REMOTE, else FERRY_ARTIFACTS_URL,
 * else `remote:` in `.ferry/config.yaml`.
 * @throws InvalidArgumentError saying how to set one when none is set.
 */
export async function resolveRemoteUrl(project: DataProject, flag?: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const configured = (await readDataConfig(project)).remote;
  const url = flag || env.FERRY_DATA_REMOTE || env.FERRY_ARTIFACTS_URL || (typeof configured === 'string' ? configured : undefined);
  if (!url) {
    throw new InvalidArgumentError(
      'No data remote: pass --remote URL (file:///path or s3://bucket/prefix), set FERRY_DATA_REMOTE, or run `ferry data remote set URL`.',
    );
  }
  return url;
}

/**
 * Creates `.ferry/` with a `.gitignore` that keeps the cache and state out of
 * git while `config.yaml` can be committed.
 */
export async function ensureFerryDir(project: DataProject): Promise<void> {
  const dir = join(project.root, FERRY_DIR);
  await mkdir(dir, { recursive: true });
  const ignore = join(dir, '.gitignore');
  if (!existsSync(ignore)) await writeFile(ignore, '/cache/\n/data-state.json\n/tmp/\n');
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
