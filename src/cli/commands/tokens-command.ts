import type { Command } from 'commander';
import { TokenService, ROLES, type ApiToken } from '../../auth/token-service.js';
import { openDatabase } from '../../backends/database/database.js';
import { migrateToLatest } from '../../backends/database/migrate.js';
import { configFrom, withStoreOptions } from '../config-options.js';
import { formatTime, printJson, printTable } from '../table.js';

/**
 * Runs `fn` with a TokenService on the local database. Tokens are managed
 * here rather than over HTTP because the first admin token has to be made
 * before any token exists to authenticate with.
 */
async function withTokens<T>(opts: Record<string, unknown>, fn: (tokens: TokenService) => Promise<T>): Promise<T> {
  const database = await openDatabase(configFrom(opts).databaseUrl);
  try {
    await migrateToLatest(database);
    return await fn(new TokenService(database));
  } finally {
    await database.close();
  }
}

const status = (t: ApiToken) => (t.revokedAt === null ? 'active' : 'revoked');

export function registerTokensCommands(program: Command): void {
  const tokens = program
    .command('tokens')
    .description("Manage API tokens in the local database (the server's --home / --database-url). Tokens matter when the server runs with auth on.");

  withStoreOptions(tokens.command('create').description('Create a token and print its secret, once.'))
    .requiredOption('--name <name>', 'unique name, e.g. ci or ana@example.com')
    .requiredOption('--role <role>', `${ROLES.join(', ')}: read; read and write; everything`)
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ ferry tokens create --name admin --role admin
  $ ferry tokens create --name training-ci --role editor --home /srv/ferry`,
    )
    .action(async (opts: Record<string, unknown>) => {
      const { token, info } = await withTokens(opts, (t) => t.create(String(opts.name), String(opts.role)));
      if (opts.json) return printJson({ ...info, token });
      process.stdout.write(
        `Created token '${info.name}' (role ${info.role}, id ${info.tokenId}).\n` +
          `Secret, shown only now; store it somewhere safe:\n\n  ${token}\n\n` +
          `Use it with MLflow:  export MLFLOW_TRACKING_TOKEN=${token}\n` +
          `Use it with Ferry:   export FERRY_TOKEN=${token}\n`,
      );
    });

  withStoreOptions(tokens.command('list').description('List tokens (never their secrets).'))
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ ferry tokens list --home /srv/ferry')
    .action(async (opts: Record<string, unknown>) => {
      const list = await withTokens(opts, (t) => t.list());
      if (opts.json) return printJson(list);
      if (list.length === 0) {
        process.stdout.write('No tokens yet. Create the first admin token with: ferry tokens create --name admin --role admin\n');
        return;
      }
      printTable(
        ['NAME', 'ID', 'ROLE', 'STATUS', 'CREATED', 'LAST USED'],
        list.map((t) => [t.name, t.tokenId, t.role, status(t), formatTime(t.createdAt), formatTime(t.lastUsedAt) || 'never']),
      );
    });

  withStoreOptions(tokens.command('revoke').argument('<name-or-id>', 'token name or id').description('Revoke a token; requests with it are refused from now on.'))
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  $ ferry tokens revoke training-ci')
    .action(async (nameOrId: string, opts: Record<string, unknown>) => {
      const info = await withTokens(opts, (t) => t.revoke(nameOrId));
      if (opts.json) return printJson(info);
      process.stdout.write(`Revoked token '${info.name}' (id ${info.tokenId}).\n`);
    });
}
