import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { openDatabase } from '../../src/backends/database/database.js';
import { migrateToLatest } from '../../src/backends/database/migrate.js';
import { freePort } from './ferry-process.js';

export interface BenchServer {
  url: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** The environment without FERRY_* settings, so the shell running the bench cannot change what it measures. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('FERRY_')) env[k] = v;
  return env;
}

/** `ferry serve` refuses a database without a current schema (it never migrates): create one in `home`. */
export async function prepareServeHome(home: string): Promise<void> {
  const database = await openDatabase(`sqlite:${join(home, 'ferry.db')}`);
  try {
    await migrateToLatest(database);
  } finally {
    await database.close();
  }
}

async function waitUntilUp(url: string, proc: ChildProcess, stderr: () => string, what: string): Promise<void> {
  let exited = false;
  proc.once('exit', () => (exited = true));
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${what} exited before answering /health:\n${stderr()}`);
    try {
      if ((await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill('SIGTERM');
  throw new Error(`${what} did not answer /health within 60 s:\n${stderr()}`);
}

function stopper(proc: ChildProcess): () => Promise<void> {
  return async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const gone = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await gone;
  };
}

/**
 * `ferry serve <packageDir>` in its own process, as users run it, so the load
 * generator does not share its event loop. `args` adds flags such as
 * `--max-batch-size 1`.
 */
export async function startServe(packageDir: string, home: string, args: string[] = []): Promise<BenchServer> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', packageDir, '--home', home, '--port', String(port), '--log-level', 'warn', ...args], {
    env: cleanEnv(),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
    process.stderr.write(d);
  });
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(url, proc, () => err, `ferry serve ${args.join(' ')}`);
  return { url, proc, stop: stopper(proc) };
}

/**
 * The HTTP floor: a bare `node:http` server in its own process that reads each
 * request's body and answers `body` (JSON) to any request, so it does the
 * socket and HTTP work every server must do, and nothing else.
 */
export async function startHttpFloor(body: string): Promise<BenchServer> {
  const port = await freePort();
  const script = `
const http = require('node:http');
const body = Buffer.from(process.env.FLOOR_BODY);
http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  });
}).listen(Number(process.env.FLOOR_PORT), '127.0.0.1');
process.on('SIGTERM', () => process.exit(0));
`;
  const proc = spawn(process.execPath, ['-e', script], { env: { ...cleanEnv(), FLOOR_BODY: body, FLOOR_PORT: String(port) }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const url = `http://127.0.0.1:${port}`;
  await waitUntilUp(url, proc, () => err, 'HTTP floor server');
  return { url, proc, stop: stopper(proc) };
}
