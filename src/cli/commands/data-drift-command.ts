import type { Command } from 'commander';

/** `ferry data …` subcommands for drift. */
export function registerDataDriftCommands(_data: Command): void {}
