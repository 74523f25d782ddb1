import { isTensorSpec, type SchemaEntry } from '../model-package/index.js';
import type { ModelCard } from './model-card-service.js';

/** A table cell: pipes escaped, line breaks flattened, so user text cannot break the table. */
const cell = (v: unknown): string => String(v ?? '').replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\s*[\r\n]+\s*/g, ' ');
const time = (ms: number | null): string => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '');

function table(headers: string[], rows: unknown[][]): string {
  return [`| ${headers.join(' | ')} |`, `| ${headers.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

function schemaRows(entries: SchemaEntry[] | undefined): unknown[][] {
  return (entries ?? []).map((e, i) =>
    isTensorSpec(e) ? [e.name ?? `#${i}`, `tensor ${e.dtype}`, `[${e.shape.join(', ')}]`, ''] : [e.name ?? `#${i}`, e.type, '', e.required === false ? 'optional' : 'required'],
  );
}

const owner = (text: string | null, what: string): string =>
  text && text.trim() !== '' ? text : `_Not provided yet. The owner sets ${what} with \`PUT /api/ferry/v1/models/{name}/versions/{version}/card\`._`;

/** The card as Markdown: generated sections, then the owner's intended use and limitations. */
export function renderModelCard(card: ModelCard): string {
  const out: string[] = [`# ${card.model} — version ${card.version}`, ''];
  const facts: unknown[][] = [
    ['Registered', time(card.createdAt)],
    ['Registered by', card.userId ?? ''],
    ['Source', card.source ?? ''],
    ['Aliases', card.aliases.join(', ')],
    ['Stage', card.stage],
  ];
  out.push(table(['Field', 'Value'], facts), '');
  out.push('## Description', '', card.description?.trim() || card.modelDescription?.trim() || '_No description._', '');
  out.push('## Intended use', '', owner(card.intendedUse, 'the intended use'), '');
  out.push('## Limitations', '', owner(card.limitations, 'the limitations'), '');

  out.push('## Signature', '');
  if ('problem' in card.signature) out.push(`_Unknown: ${card.signature.problem}._`, '');
  else {
    out.push('### Inputs', '', table(['Name', 'Type', 'Shape', 'Required'], schemaRows(card.signature.signature.inputs)), '');
    if (card.signature.signature.outputs?.length) out.push('### Outputs', '', table(['Name', 'Type', 'Shape', 'Required'], schemaRows(card.signature.signature.outputs)), '');
  }

  const lineage = card.lineage;
  out.push('## Metrics', '');
  out.push(lineage.metrics.length > 0 ? table(['Metric', 'Value', 'Step'], lineage.metrics.map((m) => [m.key, m.value, m.step])) : '_None recorded._', '');
  out.push('## Parameters', '');
  out.push(lineage.params.length > 0 ? table(['Parameter', 'Value'], lineage.params.map((p) => [p.key, p.value])) : '_None recorded._', '');

  out.push('## Lineage', '');
  if (!lineage.runId) out.push('_No source run: the version was registered from a location outside any run._', '');
  else {
    const rows: unknown[][] = [
      ['Source run', `${lineage.runId}${lineage.runName ? ` (${lineage.runName})` : ''}`],
      ['Experiment', lineage.experimentId ?? ''],
      ['Git commit', lineage.git.commit ?? 'unknown'],
    ];
    if (lineage.git.branch) rows.push(['Git branch', lineage.git.branch]);
    if (lineage.git.repoUrl) rows.push(['Git repository', lineage.git.repoUrl]);
    if (lineage.git.dirty !== null) rows.push(['Uncommitted changes', lineage.git.dirty ? 'yes' : 'no']);
    if (lineage.problem) rows.push(['Note', lineage.problem]);
    out.push(table(['Field', 'Value'], rows), '');
    out.push('### Datasets', '');
    out.push(
      lineage.datasets.length > 0 ? table(['Name', 'Digest', 'Context', 'Source'], lineage.datasets.map((d) => [d.name, d.digest, d.context ?? '', `${d.sourceType}: ${d.source}`])) : '_None logged._',
      '',
    );
  }

  out.push('## Promotion history', '');
  out.push(
    card.promotions.length > 0
      ? table(
          ['Request', 'Alias', 'Status', 'Requested', 'Decided', 'Comment'],
          card.promotions.map((p) => [
            `#${p.id}`,
            p.alias,
            p.status,
            `${p.requestedBy}, ${time(p.requestedAt)}`,
            p.decidedBy ? `${p.decidedBy}, ${time(p.decidedAt)}` : '',
            p.comment ?? p.checks.filter((c) => !c.passed).map((c) => c.message).join('; '),
          ]),
        )
      : '_Never promoted._',
    '',
  );
  return out.join('\n');
}
