import type { Command } from 'commander';

/** `ferry data …` subcommands for versioning. */
export function registerDataVersioningCommands(_data: Command): void {}
