import type { Command } from 'commander';

/** `ferry data …` subcommands for profile. */
export function registerDataProfileCommands(_data: Command): void {}
