import type { Command } from 'commander';
import type { AuditEntry } from '../../registry/registry-types.js';
import { ferryFrom, positiveInt, withRemoteOptions } from '../remote-options.js';
import { formatTime, printJson, printTable, truncate } from '../table.js';

const obj = (v: unknown): Record<string, unknown> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null);

function show(v: unknown): string {
  if (v === undefined || v === null || v === '') return '(none)';
  if (typeof v === 'string') return truncate(v, 40);
  return truncate(JSON.stringify(v), 40);
}

/** What an entry touched: the model, one version, or an alias. */
export function auditTarget(e: AuditEntry): string {
  if (e.entityType === 'registered_model_alias') {
    const alias = obj(e.after)?.alias ?? obj(e.before)?.alias;
    return alias ? `@${String(alias)}` : 'alias';
  }
  if (e.entityVersion !== null) return `v${e.entityVersion}`;
  return e.entityType === 'registered_model' ? 'model' : e.entityType;
}

/** `field: before → after` for each top-level field that changed (one level into objects such as tags). */
function diff(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])]) {
    const b = before[key];
    const a = after[key];
    if (JSON.stringify(b) === JSON.stringify(a)) continue;
    const bo = obj(b);
    const ao = obj(a);
    if (bo && ao) out.push(...diff(bo, ao).map((d) => `${key}.${d}`));
    else out.push(`${key}: ${show(b)} → ${show(a)}`);
  }
  return out;
}

/** The change an entry records, as one short line: `@champion: v1 → v2`, `stage: None → Production`, `created from runs:/…`. */
export function summarizeChange(e: AuditEntry): string {
  const before = obj(e.before);
  const after = obj(e.after);
  const either = after ?? before ?? {};
  if ('alias' in either) {
    const v = (o: Record<string, unknown> | null) => (o && o.version !== undefined && o.version !== null ? `v${String(o.version)}` : '(none)');
    return `@${String(either.alias)}: ${v(before)} → ${v(after)}`;
  }
  if ('key' in either && 'value' in either) return `tag ${String(either.key)}: ${show(before?.value)} → ${show(after?.value)}`;
  if (!before && after) return `created${typeof after.source === 'string' ? ` from ${after.source}` : ''}`;
  if (before && !after) return 'deleted';
  if (!before || !after) return '';
  return diff(before, after).join('; ') || '(no change)';
}

/** Every entry matching, following page tokens, then the last `limit` of them. */
async function fetchAudit(opts: Record<string, unknown>): Promise<AuditEntry[]> {
  const registry = ferryFrom(opts).registry;
  const all: AuditEntry[] = [];
  let pageToken: string | undefined;
  do {
    const page = await registry.audit({ model: opts.model as string | undefined, version: opts.modelVersion as number | undefined, maxResults: 1000, pageToken });
    all.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  const limit = opts.limit as number | undefined;
  return limit === undefined ? all : all.slice(-limit);
}

export function registerAuditCommand(program: Command): void {
  withRemoteOptions(
    program
      .command('audit')
      .description("Show the model registry's audit history: who changed what, when, before → after (oldest first)."),
  )
    .option('--model <name>', "one registered model's history (followed through renames); default: the whole registry")
    .option('--model-version <n>', 'only changes to this version of --model', positiveInt('--model-version'))
    .option('--limit <n>', 'only the most recent N changes', positiveInt('--limit'))
    .option('--json', 'print the entries as JSON, with full before and after states')
    .addHelpText(
      'after',
      `
The log is append-only: no API edits or deletes it.

Examples:
  $ ferry audit --model fraud
  $ ferry audit --model fraud --model-version 3 --limit 5
  $ ferry audit --model fraud --json | jq '.[] | select(.action == "set_alias")'`,
    )
    .action(async (opts: Record<string, unknown>) => {
      const entries = await fetchAudit(opts);
      if (opts.json) return printJson(entries);
      if (entries.length === 0) {
        process.stdout.write(opts.model ? `No audit entries for model '${String(opts.model)}'.\n` : 'No audit entries.\n');
        return;
      }
      printTable(
        ['WHEN', 'WHO', 'MODEL', 'TARGET', 'ACTION', 'CHANGE'],
        entries.map((e) => [formatTime(e.at), e.actor, e.entityName, auditTarget(e), e.action, summarizeChange(e)]),
        { maxCellWidth: 80 },
      );
    });
}
