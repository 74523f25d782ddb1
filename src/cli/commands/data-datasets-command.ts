import type { Command } from 'commander';

/** `ferry data …` subcommands for datasets. */
export function registerDataDatasetsCommands(_data: Command): void {}
