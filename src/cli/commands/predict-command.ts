import type { Command } from 'commander';

/** `ferry predict`: batch inference over a table file. */
export function registerPredictCommand(_program: Command): void {}
