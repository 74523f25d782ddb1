import type { Command } from 'commander';
import { FerryError } from '../errors.js';

/** Parses argv and turns Ferry errors into a one-line message and exit code 1 instead of a stack trace. */
export async function runCli(program: Command, argv: string[] = process.argv): Promise<void> {
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof FerryError) {
      process.stderr.write(`error: ${err.message}\n`);
      process.exitCode = 1;
      return;
    }
    throw err;
  }
}
