import { InvalidArgumentError as InvalidOptionArgument, type Command } from 'commander';
import { Ferry } from '../sdk/ferry-client.js';

/** Adds the flags of commands that talk to a running server over HTTP. */
export function withRemoteOptions(cmd: Command): Command {
  return cmd
    .option('--url <url>', 'tracking server (FERRY_URL, then MLFLOW_TRACKING_URI, default http://127.0.0.1:5000)')
    .option('--token <token>', 'API token when the server has auth on (FERRY_TOKEN, then MLFLOW_TRACKING_TOKEN)');
}

/** The SDK client for parsed `--url` / `--token` flags; unset flags fall back to the environment. */
export function ferryFrom(opts: Record<string, unknown>): Ferry {
  return new Ferry({
    url: typeof opts.url === 'string' ? opts.url : undefined,
    token: typeof opts.token === 'string' ? opts.token : undefined,
    // An interactive command should fail fast instead of retrying for half a minute.
    retry: { retries: 2, baseDelayMs: 200 },
  });
}

/** Splits repeatable, comma-separated option values: `--x a,b --x c` → ['a', 'b', 'c']. */
export function collectList(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

/** A positive integer flag value, or a one-line error. */
export function positiveInt(name: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidOptionArgument(`${name} must be a positive integer, got '${value}'`);
    return n;
  };
}
