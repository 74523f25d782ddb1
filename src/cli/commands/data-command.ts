import type { Command } from 'commander';
import { registerDataDatasetsCommands } from './data-datasets-command.js';
import { registerDataDriftCommands } from './data-drift-command.js';
import { registerDataProfileCommands } from './data-profile-command.js';
import { registerDataValidateCommands } from './data-validate-command.js';
import { registerDataVersioningCommands } from './data-versioning-command.js';

/** `ferry data`: version, register, profile, validate and compare datasets. */
export function registerDataCommands(program: Command): void {
  const data = program
    .command('data')
    .description('Version datasets (add, push, pull, checkout, status), profile, validate and detect drift.');
  registerDataVersioningCommands(data);
  registerDataDatasetsCommands(data);
  registerDataProfileCommands(data);
  registerDataValidateCommands(data);
  registerDataDriftCommands(data);
}
