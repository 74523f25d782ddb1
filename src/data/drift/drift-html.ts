/**
 * The drift report as one self-contained HTML page: no scripts, fonts or
 * links to fetch, inline SVG charts, light and dark by `prefers-color-scheme`.
 */
import { driftHistogram, type CategoricalHistogram, type DriftHistogram, type NumericalHistogram } from './drift-histogram.js';
import type { ColumnDrift, ComputedColumnDrift, DriftColumnValues, DriftFrame, DriftReport } from './drift-types.js';
import type { DriftInput } from './file-drift.js';

/** A report, with its inputs where it came from files. */
export type HtmlDriftReport = DriftReport & { reference?: DriftInput; current?: DriftInput };

export interface DriftHtmlOptions {
  title?: string;
  /** Shown in the footer; default now. */
  generatedAt?: Date;
}

const W = 560;
const H = 200;
const M = { top: 12, right: 12, bottom: 40, left: 48 };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Scores span p-values near 0 and distances near 1: keep four significant digits either way. */
export function formatScore(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  return Math.abs(x) < 1e-4 ? x.toExponential(3) : String(Number(x.toPrecision(4)));
}

function percent(share: number): string {
  return `${Number((share * 100).toPrecision(3))}%`;
}

function shortLabel(text: string, max = 12): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function get(frame: DriftFrame, column: string): DriftColumnValues | undefined {
  return frame instanceof Map ? frame.get(column) : (frame as Readonly<Record<string, DriftColumnValues>>)[column];
}

function axes(maxShare: number): string {
  const plotH = H - M.top - M.bottom;
  const ticks = [0, 0.5, 1].map((f) => {
    const y = M.top + plotH * (1 - f);
    return `<line class="grid" x1="${M.left}" x2="${W - M.right}" y1="${y}" y2="${y}"/><text class="tick" x="${M.left - 6}" y="${y + 4}" text-anchor="end">${percent(maxShare * f)}</text>`;
  });
  return ticks.join('');
}

function numericalBars(h: NumericalHistogram, maxShare: number): string {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const bins = h.reference.length;
  const bw = plotW / bins;
  const out: string[] = [];
  for (let i = 0; i < bins; i++) {
    const range = `[${formatScore(h.edges[i]!)}, ${formatScore(h.edges[i + 1]!)}${i === bins - 1 ? ']' : ')'}`;
    for (const [cls, share] of [
      ['ref', h.reference[i]!],
      ['cur', h.current[i]!],
    ] as const) {
      const bh = (share / maxShare) * plotH;
      out.push(
        `<rect class="${cls}" x="${(M.left + i * bw).toFixed(2)}" y="${(M.top + plotH - bh).toFixed(2)}" width="${Math.max(bw - 1, 0.5).toFixed(2)}" height="${bh.toFixed(2)}"><title>${range}: ${cls === 'ref' ? 'reference' : 'current'} ${percent(share)}</title></rect>`,
      );
    }
  }
  const base = H - M.bottom;
  for (const [x, value, anchor] of [
    [M.left, h.edges[0]!, 'start'],
    [M.left + plotW / 2, (h.edges[0]! + h.edges[bins]!) / 2, 'middle'],
    [W - M.right, h.edges[bins]!, 'end'],
  ] as const) {
    out.push(`<text class="tick" x="${x}" y="${base + 16}" text-anchor="${anchor}">${escapeHtml(formatScore(value))}</text>`);
  }
  return out.join('');
}

function categoricalBars(h: CategoricalHistogram, maxShare: number): string {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const slot = plotW / h.labels.length;
  const bw = Math.max((slot - 6) / 2, 1);
  const out: string[] = [];
  h.labels.forEach((label, i) => {
    const x0 = M.left + i * slot + 3;
    for (const [k, cls, share] of [
      [0, 'ref', h.reference[i]!],
      [1, 'cur', h.current[i]!],
    ] as const) {
      const bh = (share / maxShare) * plotH;
      out.push(
        `<rect class="${cls}" x="${(x0 + k * bw).toFixed(2)}" y="${(M.top + plotH - bh).toFixed(2)}" width="${bw.toFixed(2)}" height="${bh.toFixed(2)}"><title>${escapeHtml(label)}: ${cls === 'ref' ? 'reference' : 'current'} ${percent(share)}</title></rect>`,
      );
    }
    out.push(`<text class="tick" x="${(x0 + bw).toFixed(2)}" y="${H - M.bottom + 16}" text-anchor="middle">${escapeHtml(shortLabel(label))}</text>`);
  });
  return out.join('');
}

function chartLabel(column: string, h: DriftHistogram): string {
  if (h.type === 'numerical') {
    return `Histogram of ${column}: shares of reference and current values in ${h.reference.length} shared bins from ${formatScore(h.edges[0]!)} to ${formatScore(h.edges[h.edges.length - 1]!)}`;
  }
  const top = h.labels
    .slice(0, 3)
    .map((l, i) => `${l} ${percent(h.reference[i]!)} vs ${percent(h.current[i]!)}`)
    .join('; ');
  return `Bar chart of ${column}: shares of ${h.labels.length} values in reference and current; ${top}`;
}

function chart(column: string, h: DriftHistogram): string {
  const maxShare = Math.max(...h.reference, ...h.current, 1e-12);
  const bars = h.type === 'numerical' ? numericalBars(h, maxShare) : categoricalBars(h, maxShare);
  const label = escapeHtml(chartLabel(column, h));
  return `<svg role="img" aria-label="${label}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">${axes(maxShare)}${bars}<line class="axis" x1="${M.left}" x2="${W - M.right}" y1="${H - M.bottom}" y2="${H - M.bottom}"/></svg>`;
}

function verdict(c: ComputedColumnDrift): string {
  return c.drifted ? '<span class="bad">Drift detected</span>' : '<span class="ok">No drift</span>';
}

function tableRow(c: ColumnDrift): string {
  const name = `<th scope="row">${escapeHtml(c.column)}</th>`;
  if (!c.computed) return `<tr>${name}<td>${c.type ?? '—'}</td><td colspan="5" class="muted">${escapeHtml(c.reason)}</td></tr>`;
  const kind = c.score_kind === 'p_value' ? 'p-value' : 'distance';
  return `<tr>${name}<td>${c.type}</td><td>${escapeHtml(c.stattest_name)} <code>${c.method}</code></td><td class="num">${formatScore(c.statistic)}</td><td>${kind}</td><td class="num">${formatScore(c.threshold)}</td><td>${verdict(c)}</td></tr>`;
}

function section(c: ComputedColumnDrift, reference: DriftFrame, current: DriftFrame): string {
  const ref = get(reference, c.column);
  const cur = get(current, c.column);
  const h = ref && cur ? driftHistogram(c.type, ref, cur) : null;
  const kind = c.score_kind === 'p_value' ? 'p-value' : 'distance';
  const head = `<h3>${escapeHtml(c.column)}</h3><p>${escapeHtml(c.stattest_name)}: ${kind} ${formatScore(c.statistic)}, threshold ${formatScore(c.threshold)} — ${verdict(c)}. ${c.reference_rows.toLocaleString('en-US')} reference and ${c.current_rows.toLocaleString('en-US')} current values.</p>`;
  const pooled = h?.type === 'categorical' && h.pooled > 0 ? `<p class="muted">The ${h.pooled} least common values are pooled as “other”.</p>` : '';
  return `<section class="column">${head}${h ? chart(c.column, h) : '<p class="muted">No values to chart.</p>'}${pooled}</section>`;
}

const STYLE = `
:root{color-scheme:light dark;--bg:#ffffff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--ref:#0969da;--cur:#d1580b;--bad:#cf222e;--ok:#1a7f37}
@media (prefers-color-scheme: dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--ref:#4493f8;--cur:#f0883e;--bad:#f85149;--ok:#3fb950}}
body{background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:64rem;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.25rem}h2{font-size:1.2rem;margin-top:2rem}h3{font-size:1.05rem;margin:1.5rem 0 .25rem}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th[scope=row]{font-weight:600}.num{text-align:right;font-variant-numeric:tabular-nums}.muted{color:var(--muted)}
.bad{color:var(--bad);font-weight:600}.ok{color:var(--ok)}code{font-size:.85em}
.verdict{font-size:1.1rem;border-left:4px solid var(--line);padding:.5rem 1rem}.verdict.drift{border-color:var(--bad)}.verdict.stable{border-color:var(--ok)}
.legend span{display:inline-block;margin-right:1.25rem}.swatch{display:inline-block;width:.8rem;height:.8rem;margin-right:.35rem;vertical-align:-1px}
.swatch.ref,svg .ref{background:var(--ref);fill:var(--ref);fill-opacity:.55}.swatch.cur,svg .cur{background:var(--cur);fill:var(--cur);fill-opacity:.55}
svg{max-width:100%;height:auto}svg .grid{stroke:var(--line);stroke-width:1}svg .axis{stroke:var(--muted);stroke-width:1}svg .tick{fill:var(--muted);font-size:11px}
`;

/**
 * Renders `report` with histograms of the columns in `reference` and
 * `current` (the frames the report was computed from).
 *
 * @example
 * const { report, frames } = await detectFileDrift(engine, ref, cur);
 * await writeFile('drift.html', renderDriftHtml(report, frames.reference, frames.current));
 */
export function renderDriftHtml(report: HtmlDriftReport, reference: DriftFrame, current: DriftFrame, options: DriftHtmlOptions = {}): string {
  const d = report.dataset;
  const title = options.title ?? (report.reference && report.current ? `Data drift: ${report.reference.source} → ${report.current.source}` : 'Data drift');
  const inputs =
    report.reference && report.current
      ? `<p class="muted">Reference: ${escapeHtml(report.reference.source)} (${report.reference.rows.toLocaleString('en-US')} rows). Current: ${escapeHtml(report.current.source)} (${report.current.rows.toLocaleString('en-US')} rows).</p>`
      : '';
  const summary = `<p class="verdict ${d.dataset_drift ? 'drift' : 'stable'}"><strong>${d.dataset_drift ? 'Dataset drift detected' : 'No dataset drift'}</strong>: ${d.drifted_columns} of ${d.computed_columns} compared columns drifted (share ${percent(d.share)}; dataset drift at ${percent(d.drift_share)} or more).${d.number_of_columns > d.computed_columns ? ` ${d.number_of_columns - d.computed_columns} columns could not be compared.` : ''}</p>`;
  const rows = report.columns.map(tableRow).join('\n');
  const table = `<table><caption class="muted">Per-column tests. A p-value drifts when below its threshold; a distance when at or above it.</caption><thead><tr><th scope="col">Column</th><th scope="col">Type</th><th scope="col">Method</th><th scope="col">Score</th><th scope="col">Score kind</th><th scope="col">Threshold</th><th scope="col">Drift</th></tr></thead><tbody>\n${rows}\n</tbody></table>`;
  const computed = report.columns.filter((c): c is ComputedColumnDrift => c.computed);
  const legend = `<p class="legend"><span><i class="swatch ref"></i>reference</span><span><i class="swatch cur"></i>current</span></p>`;
  const sections = computed.map((c) => section(c, reference, current)).join('\n');
  const when = (options.generatedAt ?? new Date()).toISOString().replace('T', ' ').slice(0, 19);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${inputs}
${summary}
<h2>Columns</h2>
${table}
<h2>Distributions</h2>
${computed.length > 0 ? legend : '<p class="muted">No column could be compared.</p>'}
${sections}
</main>
<footer class="muted"><p>Generated by Ferry on ${when} UTC. Tests and defaults follow Evidently's data drift.</p></footer>
</body>
</html>
`;
}
