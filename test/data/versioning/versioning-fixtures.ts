import { createHash } from 'node:crypto';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { DataWorkspace, type DataWorkspaceOptions } from '../../../src/data/versioning/data-workspace.js';

/** A temp project with `.ferry/`, and helpers to write files and open its workspace. */
export interface TestProject {
  root: string;
  /** Writes `content` at `rel` (creating folders), dated a minute ago so the state index trusts it. */
  write(rel: string, content: string | Buffer): string;
  open(options?: Omit<DataWorkspaceOptions, 'cwd'>): Promise<DataWorkspace>;
  /** Opens a workspace, runs `fn`, closes it (saving the state index). */
  with<T>(fn: (ws: DataWorkspace) => Promise<T>, options?: Omit<DataWorkspaceOptions, 'cwd'>): Promise<T>;
  cleanup(): Promise<void>;
}

export async function makeProject(prefix = 'ferry-versioning-'): Promise<TestProject> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  mkdirSync(join(root, '.ferry'));
  const open = (options: Omit<DataWorkspaceOptions, 'cwd'> = {}) => DataWorkspace.open({ cwd: root, env: {}, ...options });
  return {
    root,
    write(rel, content) {
      const path = join(root, ...rel.split('/'));
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      backdate(path);
      return path;
    },
    open,
    async with(fn, options) {
      const ws = await open(options);
      try {
        return await fn(ws);
      } finally {
        await ws.close();
      }
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** Sets a file's times a minute back: a file written just now is "racy" and re-hashed rather than trusted. */
export function backdate(path: string, secondsAgo = 60): void {
  const t = Date.now() / 1000 - secondsAgo;
  utimesSync(path, t, t);
}

export function sha256(content: string | Buffer): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

export function md5(content: string | Buffer): string {
  return createHash('md5').update(content).digest('hex');
}
