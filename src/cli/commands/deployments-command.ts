import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { toDocument } from '../../deployments/deployment-service.js';
import type { Deployment, LiveVariant } from '../../deployments/deployment-types.js';
import { DeploymentsClient } from '../../deployments/deployments-client.js';
import { ferryFrom, positiveInt, withRemoteOptions } from '../remote-options.js';
import { formatTime, printJson, printTable } from '../table.js';

/** The deployments client for parsed `--url` / `--token` flags; without auth the OS user is the actor. */
export function deploymentsClientFrom(opts: Record<string, unknown>): DeploymentsClient {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the server records 'anonymous'.
  }
  return new DeploymentsClient(ferryFrom(opts).http, user);
}

/** `stable v3 95%, canary v4 5%` (a shadow shows as `shadow v5 copy`). */
export function variantsSummary(variants: readonly LiveVariant[]): string {
  return variants.map((v) => `${v.name} ${v.model} v${v.version} ${v.role === 'shadow' ? 'copy' : `${v.weight}%`}`).join(', ');
}

function printDeployment(d: Deployment): void {
  const s = d.status;
  process.stdout.write(`Deployment ${d.name} (${d.spec.strategy}) · ${s.phase}\n`);
  process.stdout.write(`  ${s.message}\n`);
  process.stdout.write(`  serving: ${variantsSummary(s.variants)}\n`);
  if (s.previous) {
    const kept = s.previous.retainedUntil === null ? 'unloaded' : `loaded until ${formatTime(s.previous.retainedUntil)}`;
    process.stdout.write(`  previous: ${s.previous.model} v${s.previous.version} (${kept}; ferry rollout rollback ${d.name})\n`);
  }
  process.stdout.write(`  generation ${d.generation}, updated ${formatTime(d.updatedAt)} by ${d.updatedBy}\n\n`);
  process.stdout.write(toYaml(toDocument(d)));
}

const EXAMPLES = `
Examples:
  $ ferry deployments list
  $ ferry deployments show fraud
  $ ferry deployments show fraud --json
  $ ferry deployments delete fraud
  $ ferry deployments predictions fraud --since 1h --limit 20`;

/** Adds `ferry deployments list|show|delete`. They talk to a server over HTTP. */
export function registerDeploymentsCommands(program: Command): void {
  const deployments = program
    .command('deployments')
    .description('List, show and delete deployments: named endpoints in front of model versions (create and change them with `ferry apply`).')
    .addHelpText('after', EXAMPLES);

  withRemoteOptions(deployments.command('list').description('List deployments with their strategy, phase and the versions serving.'))
    .option('--json', 'print JSON')
    .action(async (opts: Record<string, unknown>) => {
      const list = await deploymentsClientFrom(opts).list();
      if (opts.json) return printJson(list);
      if (list.length === 0) return void process.stdout.write('No deployments. Create one with: ferry apply -f ferry.yaml\n');
      printTable(
        ['NAME', 'STRATEGY', 'PHASE', 'SERVING', 'UPDATED'],
        list.map((d) => [d.name, d.spec.strategy, d.status.phase, variantsSummary(d.status.variants), formatTime(d.updatedAt)]),
        { maxCellWidth: 80 },
      );
    });

  withRemoteOptions(deployments.command('show').argument('<name>', 'deployment').description('Show a deployment: its status and its spec as YAML (what `ferry apply` takes).'))
    .option('--json', 'print JSON')
    .action(async (name: string, opts: Record<string, unknown>) => {
      const d = await deploymentsClientFrom(opts).get(name);
      if (opts.json) return printJson(d);
      printDeployment(d);
    });

  withRemoteOptions(deployments.command('delete').argument('<name>', 'deployment').description('Delete a deployment: it stops answering at once; its versions unload once their requests finish.'))
    .option('--json', 'print JSON')
    .action(async (name: string, opts: Record<string, unknown>) => {
      await deploymentsClientFrom(opts).delete(name);
      if (opts.json) return printJson({ deleted: name });
      process.stdout.write(`deployment/${name} deleted\n`);
    });

  withRemoteOptions(
    deployments
      .command('predictions')
      .argument('<name>', 'deployment')
      .description('List the latest logged predictions of a deployment, newest first (what feedback joins on: the request id).'),
  )
    .option('--since <duration>', 'only predictions this recent, e.g. 15m or 24h')
    .option('--limit <n>', 'most predictions to list (1 to 10000)', positiveInt('--limit'), 20)
    .option('--json', 'print JSON (with inputs and outputs)')
    .action(async (name: string, opts: Record<string, unknown>) => {
      const list = await deploymentsClientFrom(opts).predictions(name, { ...(typeof opts.since === 'string' ? { since: opts.since } : {}), maxResults: opts.limit as number });
      if (opts.json) return printJson(list);
      if (list.length === 0) return void process.stdout.write(`No logged predictions for ${name}${typeof opts.since === 'string' ? ` in the last ${opts.since}` : ''}.\n`);
      printTable(
        ['TIME', 'REQUEST ID', 'VARIANT', 'VERSION', 'STATUS', 'LATENCY MS', 'OUTPUTS'],
        list.map((p) => [formatTime(p.at), p.requestId, p.variant, String(p.version), p.status, p.latencyMs.toFixed(2), p.outputs ?? p.error ?? '']),
        { maxCellWidth: 60 },
      );
    });
}
