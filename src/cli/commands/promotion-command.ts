import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { parse as parseYaml } from 'yaml';
import { InvalidArgumentError } from '../../errors.js';
import type { PolicyRules, PromotionPolicy, PromotionRequest } from '../../registry/governance/index.js';
import { GovernanceApi } from '../../sdk/governance-api.js';
import { ferryFrom, positiveInt, withRemoteOptions } from '../remote-options.js';
import { formatTime, printJson, printTable } from '../table.js';

/** The governance client for parsed `--url` / `--token` flags; without auth the OS user is the actor. */
function governanceFrom(opts: Record<string, unknown>): GovernanceApi {
  let user: string | undefined;
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry (some containers): the server records 'anonymous'.
  }
  return new GovernanceApi(ferryFrom(opts).http, user);
}

function printRequest(r: PromotionRequest, headline: string): void {
  process.stdout.write(`${headline}\n`);
  if (r.checks.length === 0) return;
  process.stdout.write('\n');
  printTable(['CHECK', 'RESULT', 'DETAIL'], r.checks.map((c) => [c.check, c.passed ? 'passed' : 'FAILED', c.message]), { maxCellWidth: 160 });
}

function outcome(r: PromotionRequest): string {
  const who = r.decidedBy ? ` by ${r.decidedBy}` : '';
  const note = r.comment ? ` ("${r.comment}")` : '';
  switch (r.status) {
    case 'promoted':
      return `Promoted '${r.model}' version ${r.version} to '${r.alias}'${who} (request #${r.id})${note}.`;
    case 'pending':
      return `Request #${r.id}: '${r.model}' version ${r.version} → '${r.alias}' passed its checks and awaits approval: ferry models approve ${r.id}`;
    case 'rejected':
      return `Rejected request #${r.id} ('${r.model}' version ${r.version} → '${r.alias}')${who}${note}.`;
    default:
      return `Request #${r.id} ('${r.model}' version ${r.version} → '${r.alias}') is ${r.status}.`;
  }
}

function policyRows(rules: PolicyRules): string[][] {
  const rows = rules.metrics.map((m) => ['metric', `${m.metric} ${m.op} ${m.threshold}`]);
  const b = rules.baseline;
  if (b) {
    const margin = b.minImprovement !== undefined ? `beat the current version by at least ${b.minImprovement}` : `be worse than the current version by at most ${b.maxRegression}`;
    rows.push(['baseline', `${b.metric} (${b.direction} is better): ${margin}`]);
  }
  rows.push(['signature', rules.signature === 'same_inputs' ? 'same inputs as the current version (or tag ferry.breaking_change=true)' : 'not checked']);
  const approvers = rules.approval.approvers.length > 0 ? `admins, ${rules.approval.approvers.join(', ')}` : 'admins';
  rows.push(['approval', rules.approval.required ? `required, by ${approvers}` : 'not required']);
  return rows;
}

function printPolicy(p: PromotionPolicy): void {
  process.stdout.write(`Policy for '${p.model}@${p.alias}' (updated ${formatTime(p.updatedAt)} by ${p.updatedBy})\n\n`);
  printTable(['RULE', 'REQUIREMENT'], policyRows(p.rules), { maxCellWidth: 120 });
}

/** Reads a policy file (YAML or JSON; the rules as the API takes them). */
async function readPolicyFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new InvalidArgumentError(`Cannot read policy file '${path}': ${(err as Error).message}`);
  }
  try {
    return parseYaml(text) ?? {};
  } catch (err) {
    throw new InvalidArgumentError(`Policy file '${path}' is not valid YAML: ${(err as Error).message}`);
  }
}

const POLICY_EXAMPLE = `
Policy file (YAML):
  metrics:
    - val_auc >= 0.85          # operators: >= > <= < ==
  baseline:                    # against the version holding the alias now
    metric: val_auc
    direction: higher          # or lower (loss, latency)
    minImprovement: 0.01       # or maxRegression: 0.005
  signature: same_inputs       # or none
  approval:
    required: true
    approvers: [alice, bob]    # token names; admins may always approve`;

/**
 * Adds `promote`, `approve`, `reject`, `promotions`, `policy show|set` and
 * `card` (unless `models` already has one) under the `ferry models` command.
 * They talk to a server over HTTP.
 */
export function registerPromotionCommands(models: Command): void {
  withRemoteOptions(
    models
      .command('promote')
      .argument('<name>', 'registered model')
      .argument('<version>', 'model version')
      .description("Request a promotion: the alias's policy is checked at once; the alias moves now, or after approval."),
  )
    .requiredOption('--to <alias>', 'alias to move, e.g. production')
    .option('--json', 'print the request as JSON')
    .addHelpText('after', '\nExamples:\n  $ ferry models promote churn 3 --to production\n  $ ferry models promote churn 3 --to production --json')
    .action(async (name: string, version: string, opts: Record<string, unknown>) => {
      const r = await governanceFrom(opts).promote(name, version, String(opts.to));
      if (opts.json) return printJson(r);
      printRequest(r, outcome(r));
    });

  for (const verdict of ['approve', 'reject'] as const) {
    withRemoteOptions(
      models
        .command(verdict)
        .argument('<id>', 'promotion request id', positiveInt('id'))
        .description(verdict === 'approve' ? 'Approve a pending promotion: checks run again, then the alias moves.' : 'Reject a pending promotion.'),
    )
      .option('--comment <text>', 'why, kept with the decision')
      .option('--json', 'print the request as JSON')
      .addHelpText('after', `\nExample:\n  $ ferry models ${verdict} 12 --comment "${verdict === 'approve' ? 'reviewed the eval report' : 'needs a fairness review'}"`)
      .action(async (id: number, opts: Record<string, unknown>) => {
        const gov = governanceFrom(opts);
        const options = { comment: opts.comment as string | undefined };
        const r = verdict === 'approve' ? await gov.approve(id, options) : await gov.reject(id, options);
        if (opts.json) return printJson(r);
        printRequest(r, outcome(r));
      });
  }

  withRemoteOptions(models.command('promotions').argument('<name>', 'registered model').description("List a model's promotion requests, newest first."))
    .option('--alias <alias>', 'only requests for this alias')
    .option('--status <status>', 'pending, promoted, failed, rejected or approved')
    .option('--max-results <n>', 'list at most this many', positiveInt('--max-results'), 100)
    .option('--json', 'print JSON')
    .action(async (name: string, opts: Record<string, unknown>) => {
      const list = await governanceFrom(opts).listRequests(name, { alias: opts.alias as string | undefined, status: opts.status as never, maxResults: opts.maxResults as number });
      if (opts.json) return printJson(list);
      printTable(
        ['ID', 'VERSION', 'ALIAS', 'STATUS', 'REQUESTED BY', 'REQUESTED', 'DECIDED BY'],
        list.map((r) => [String(r.id), String(r.version), r.alias, r.status, r.requestedBy, formatTime(r.requestedAt), r.decidedBy ?? '']),
      );
    });

  const policy = models.command('policy').description('Show or set the promotion policy of a model alias.');
  withRemoteOptions(policy.command('show').argument('<name>', 'registered model').description("Show an alias's policy (or every alias's, without --alias)."))
    .option('--alias <alias>', 'the governed alias, e.g. production')
    .option('--json', 'print JSON')
    .action(async (name: string, opts: Record<string, unknown>) => {
      const gov = governanceFrom(opts);
      const list = opts.alias ? [await gov.getPolicy(name, String(opts.alias))] : await gov.listPolicies(name);
      if (opts.json) return printJson(opts.alias ? list[0] : list);
      if (list.length === 0) process.stdout.write(`'${name}' has no promotion policies.\n`);
      list.forEach((p, i) => {
        if (i > 0) process.stdout.write('\n');
        printPolicy(p);
      });
    });
  withRemoteOptions(policy.command('set').argument('<name>', 'registered model').description("Create or replace an alias's policy from a YAML or JSON file."))
    .requiredOption('--alias <alias>', 'the alias to govern, e.g. production')
    .requiredOption('--file <path>', 'policy file')
    .option('--json', 'print JSON')
    .addHelpText('after', `${POLICY_EXAMPLE}\n\nExample:\n  $ ferry models policy set churn --alias production --file policy.yaml`)
    .action(async (name: string, opts: Record<string, unknown>) => {
      const rules = await readPolicyFile(String(opts.file));
      const saved = await governanceFrom(opts).setPolicy(name, String(opts.alias), rules as Record<string, unknown>);
      if (opts.json) return printJson(saved);
      printPolicy(saved);
    });

  // `ferry models` may define its own `card` (same route); commander refuses a second one.
  if (models.commands.some((c) => c.name() === 'card')) return;
  withRemoteOptions(models.command('card').argument('<name>', 'registered model').argument('<version>', 'model version').description('Print the generated model card (Markdown).'))
    .option('--json', 'print the card as data')
    .addHelpText('after', '\nExample:\n  $ ferry models card churn 3 > MODEL_CARD.md')
    .action(async (name: string, version: string, opts: Record<string, unknown>) => {
      const gov = governanceFrom(opts);
      if (opts.json) return printJson((await gov.card(name, version)).card);
      const md = await gov.cardMarkdown(name, version);
      process.stdout.write(md.endsWith('\n') ? md : `${md}\n`);
    });
}
