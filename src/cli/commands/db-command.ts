import type { Command } from 'commander';
import { openDatabase, redactUrl } from '../../backends/database/database.js';
import { migrateToLatest } from '../../backends/database/migrate.js';
import { configFrom, withStoreOptions } from '../config-options.js';

export function registerDbCommands(program: Command): void {
  const db = program.command('db').description('Manage the metadata database.');
  withStoreOptions(db.command('upgrade').description('Apply pending schema migrations (the server also does this on start).'))
    .option('--json', 'print the result as JSON')
    .action(async (opts: Record<string, unknown>) => {
      const config = configFrom(opts);
      const database = await openDatabase(config.databaseUrl);
      try {
        const applied = await migrateToLatest(database);
        if (opts.json) process.stdout.write(`${JSON.stringify({ database: redactUrl(config.databaseUrl), applied })}\n`);
        else if (applied.length === 0) process.stdout.write(`${redactUrl(config.databaseUrl)} is up to date.\n`);
        else process.stdout.write(`Applied ${applied.length} migration(s) to ${redactUrl(config.databaseUrl)}: ${applied.join(', ')}\n`);
      } finally {
        await database.close();
      }
    });
}
