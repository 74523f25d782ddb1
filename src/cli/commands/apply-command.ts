import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { parseAllDocuments } from 'yaml';
import { parseDeploymentDocument } from '../../deployments/deployment-spec.js';
import type { ApplyResult } from '../../deployments/deployment-types.js';
import { formatChange } from '../../deployments/spec-diff.js';
import { FerryError, InvalidArgumentError } from '../../errors.js';
import { withRemoteOptions } from '../remote-options.js';
import { printJson } from '../table.js';
import { deploymentsClientFrom } from './deployments-command.js';

/** Resource kinds `ferry apply` knows. */
const KINDS = ['Deployment'];

async function readText(path: string): Promise<string> {
  if (path === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`Cannot read '${path}': ${(err as Error).message}`);
  }
}

/**
 * The documents of a YAML (or JSON) file, each checked before anything is
 * sent, so a mistake in the third document does not leave the first two applied.
 * @throws InvalidArgumentError naming the file, the document and the field.
 */
export function readResources(text: string, file: string): Array<Record<string, unknown>> {
  const docs = parseAllDocuments(text);
  const out: Array<Record<string, unknown>> = [];
  docs.forEach((doc, i) => {
    const where = docs.length > 1 ? `${file} (document ${i + 1})` : file;
    if (doc.errors.length > 0) throw new InvalidArgumentError(`${where} is not valid YAML: ${doc.errors[0]!.message}`);
    const value = doc.toJS() as unknown;
    if (value === null || value === undefined) return;
    if (typeof value !== 'object' || Array.isArray(value)) throw new InvalidArgumentError(`${where}: a resource must be a mapping with kind, metadata and spec.`);
    const kind = (value as { kind?: unknown }).kind;
    if (!KINDS.includes(kind as string)) throw new InvalidArgumentError(`${where}: kind ${JSON.stringify(kind)} is not supported; ferry apply takes ${KINDS.join(', ')}.`);
    try {
      parseDeploymentDocument(value);
    } catch (err) {
      if (err instanceof FerryError) throw new InvalidArgumentError(`${where}: ${err.message}`, { details: err.details });
      throw err;
    }
    out.push(value as Record<string, unknown>);
  });
  if (out.length === 0) throw new InvalidArgumentError(`${file} holds no resources.`);
  return out;
}

function printResult(r: ApplyResult): void {
  const suffix = r.dryRun ? ' (dry run)' : '';
  const verb = r.dryRun && r.action !== 'unchanged' ? `would be ${r.action}` : r.action;
  process.stdout.write(`deployment/${r.deployment.name} ${verb}${suffix}\n`);
  if (r.action === 'configured') for (const c of r.changes) process.stdout.write(`  ${formatChange(c)}\n`);
  if (r.action !== 'unchanged') process.stdout.write(`  → ${r.deployment.status.message}\n`);
}

const HELP = `
A file holds one or more resources (YAML documents separated by ---):

  apiVersion: ferry/v1
  kind: Deployment
  metadata:
    name: fraud
  spec:
    strategy: canary            # direct | canary | ab | shadow
    model: models:/fraud/4      # the version to roll out
    canary:
      steps: [5, 25, 50, 100]   # canary share of traffic per step, in percent
      interval: 5m              # how long each step runs before it is analysed
      minRequests: 50           # fewer canary requests: inconclusive (the roll-out pauses)
      failureLimit: 1           # failed analyses that roll back
      consecutiveErrorLimit: 10 # consecutive canary errors that roll back at once
      checks:
        - { metric: error_rate, maxIncrease: 0.01 }   # or max: 0.02 (absolute)
        - { metric: latency_p99, maxRatio: 1.5 }      # or maxMs: 200
    previousRetention: 10m      # the replaced version stays loaded for rollback
    webhook: https://hooks.example.com/ferry

Examples:
  $ ferry apply -f ferry.yaml --dry-run
  $ ferry apply -f ferry.yaml
  $ cat ferry.yaml | ferry apply -f - --json`;

/** Adds `ferry apply -f FILE`: creates or updates the resources it describes, idempotently, printing the diff. */
export function registerApplyCommand(program: Command): void {
  withRemoteOptions(program.command('apply').description('Create or update resources (deployments) from a YAML or JSON file, printing what changed.'))
    .requiredOption('-f, --file <path>', "the file ('-' reads standard input)")
    .option('--dry-run', 'show what would change, and change nothing')
    .option('--json', 'print the results as JSON')
    .addHelpText('after', HELP)
    .action(async (opts: Record<string, unknown>) => {
      const file = String(opts.file);
      const resources = readResources(await readText(file), file === '-' ? 'standard input' : file);
      const client = deploymentsClientFrom(opts);
      const results: ApplyResult[] = [];
      for (const doc of resources) {
        const r = await client.apply(doc, { dryRun: opts.dryRun === true });
        results.push(r);
        if (!opts.json) printResult(r);
      }
      if (opts.json) printJson(results);
    });
}
