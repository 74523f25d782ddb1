#!/usr/bin/env node
import { Command } from 'commander';
import { FERRY_VERSION } from '../version.js';
import { registerDbCommands } from './commands/db-command.js';
import { registerServerCommand } from './commands/server-command.js';
import { runCli } from './run-cli.js';

const program = new Command('ferry')
  .version(FERRY_VERSION)
  .description('Ferry: track experiments, version data, register, serve and monitor models.')
  .showHelpAfterError('(add --help for usage)');

registerServerCommand(program);
registerDbCommands(program);

await runCli(program);
