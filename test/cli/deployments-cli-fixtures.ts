/** Runs `ferry` deployment commands against a test server, as a user would. */
import { ferryCli, type CliResult } from '../helpers/ferry-cli.js';

export type CliRun = CliResult;

/** `ferry <args> --url <url>` in a child process, optionally with `stdin`. */
export function deployCli(url: string, args: string[], stdin?: string): Promise<CliRun> {
  return ferryCli([...args, '--url', url], {}, { stdin });
}
