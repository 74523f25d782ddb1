import type { Command } from 'commander';

/** `ferry data …` subcommands for validate. */
export function registerDataValidateCommands(_data: Command): void {}
