/** Runs `ferry` deployment commands against a test server, as a user would. */
import { spawn } from 'node:child_process';
import { REPO_ROOT, cleanEnv } from '../helpers/server-process.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `ferry <args> --url <url>` in a child process, optionally with `stdin`. */
export function deployCli(url: string, args: string[], stdin?: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args, '--url', url], { cwd: REPO_ROOT, env: cleanEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}
