import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
const TSX = import.meta.resolve('tsx');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** The folder the command runs in (default: the repository root). */
  cwd?: string;
  /** Written to the command's standard input, which is then closed. */
  stdin?: string;
}

/**
 * Runs `ferry <args>` from source in a child process, as a user would. FERRY_*
 * and MLFLOW_* variables of the shell are dropped; pass what the test needs in `env`.
 */
export function ferryCli(args: string[], env: Record<string, string> = {}, options: CliOptions = {}): Promise<CliResult> {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('FERRY_') && !k.startsWith('MLFLOW_')) base[k] = v;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', TSX, MAIN, ...args], { cwd: options.cwd ?? ROOT, env: { ...base, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** Runs the CLI, expects exit code 0 and parses stdout as JSON. */
export async function ferryJson<T = any>(args: string[], env: Record<string, string> = {}): Promise<T> {
  const r = await ferryCli([...args, '--json'], env);
  if (r.code !== 0) throw new Error(`ferry ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
