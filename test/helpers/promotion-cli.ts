/**
 * `ferry models <promotion command>` until `src/cli/main.ts` registers the
 * promotion commands under `ferry models`: the same commands, run as a user would.
 */
import { Command } from 'commander';
import { registerPromotionCommands } from '../../src/cli/commands/promotion-command.js';
import { runCli } from '../../src/cli/run-cli.js';

const program = new Command('ferry').showHelpAfterError('(add --help for usage)');
registerPromotionCommands(program.command('models'));
await runCli(program);
