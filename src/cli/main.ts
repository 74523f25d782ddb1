#!/usr/bin/env node
import { Command } from 'commander';
import { FERRY_VERSION } from '../version.js';
import { registerAbCommands } from './commands/ab-command.js';
import { registerApplyCommand } from './commands/apply-command.js';
import { registerAuditCommand } from './commands/audit-command.js';
import { registerDataCommands } from './commands/data-command.js';
import { registerDbCommands } from './commands/db-command.js';
import { registerDeploymentsCommands } from './commands/deployments-command.js';
import { registerExperimentsCommands } from './commands/experiments-command.js';
import { registerGcCommand } from './commands/gc-command.js';
import { registerLineageCommand } from './commands/lineage-command.js';
import { registerModelsCommand } from './commands/models-command.js';
import { registerPredictCommand } from './commands/predict-command.js';
import { registerRolloutCommands } from './commands/rollout-command.js';
import { registerRunsCommands } from './commands/runs-command.js';
import { registerServeCommand } from './commands/serve-command.js';
import { registerServerCommand } from './commands/server-command.js';
import { registerTokensCommands } from './commands/tokens-command.js';
import { runCli } from './run-cli.js';

const program = new Command('ferry')
  .version(FERRY_VERSION)
  .description('Ferry: track experiments, version data, register, serve and monitor models.')
  .showHelpAfterError('(add --help for usage)');

registerServerCommand(program);
registerServeCommand(program);
registerPredictCommand(program);
registerApplyCommand(program);
registerDeploymentsCommands(program);
registerRolloutCommands(program);
registerAbCommands(program);
registerDbCommands(program);
registerExperimentsCommands(program);
registerRunsCommands(program);
registerModelsCommand(program);
registerLineageCommand(program);
registerDataCommands(program);
registerAuditCommand(program);
registerTokensCommands(program);
registerGcCommand(program);

await runCli(program);
