import { escapeHtml, formatStat } from './html-format.js';
import { profileCharts } from './profile-charts.js';
import type { ColumnProfile, TableProfile } from './profile-types.js';

const STYLE = `
:root { color-scheme: light dark; --bg: #ffffff; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa; --bar: #2f6fb3; --bar2: #b35a2f; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9da7b3; --line: #30363d; --panel: #161b22; --bar: #6ca8e8; --bar2: #e59a6c; }
}
* { box-sizing: border-box; }
body { margin: 0; padding: 1.5rem; background: var(--bg); color: var(--fg); font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.2rem; margin: 2rem 0 .75rem; } h3 { font-size: 1.05rem; margin: 0 0 .5rem; }
.meta { color: var(--muted); margin: 0; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: .3rem .6rem; border-bottom: 1px solid var(--line); text-align: right; white-space: nowrap; }
th:first-child, td:first-child, th.text, td.text { text-align: left; }
thead th { color: var(--muted); font-weight: 600; }
caption { text-align: left; color: var(--muted); padding-bottom: .4rem; }
.scroll { overflow-x: auto; }
.columns { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 34rem), 1fr)); gap: 1rem; }
.column { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 1rem; }
.kind { font-size: .8rem; font-weight: 500; color: var(--muted); border: 1px solid var(--line); border-radius: 999px; padding: 0 .5rem; margin-left: .4rem; }
dl.stats { display: grid; grid-template-columns: repeat(auto-fill, minmax(9rem, 1fr)); gap: .15rem 1rem; margin: 0 0 .75rem; }
dl.stats div { display: flex; justify-content: space-between; gap: .5rem; border-bottom: 1px dotted var(--line); }
dt { color: var(--muted); } dd { margin: 0; font-variant-numeric: tabular-nums; overflow: hidden; text-overflow: ellipsis; }
svg { display: block; max-width: 100%; height: auto; }
svg .bar { fill: var(--bar); } svg .bar2 { fill: var(--bar2); }
svg text { fill: var(--muted); font: 11px system-ui, sans-serif; } svg .axis { stroke: var(--line); }
details { margin-top: .5rem; } summary { cursor: pointer; color: var(--muted); }
dl.methods dt { font-weight: 600; color: var(--fg); margin-top: .5rem; } dl.methods dd { color: var(--muted); }
`;

/**
 * A self-contained HTML report of a profile: inline CSS and inline SVG charts,
 * no scripts and no external resources, readable in light and dark schemes.
 * Every chart is an `svg role="img"` with a label and a `<title>`, followed by
 * the same numbers as a table.
 */
export function renderProfileHtml(profile: TableProfile): string {
  const e = escapeHtml;
  const title = `Data profile: ${profile.source}`;
  const dup = `${formatStat(profile.duplicate_rows)} duplicate row${profile.duplicate_rows === 1 ? '' : 's'}${profile.duplicate_method === 'hashed' ? ' (by row hash)' : ''}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${e(title)}</h1>
<p class="meta">${e(profile.format)} · ${formatStat(profile.rows)} rows · ${profile.columns.length} columns · ${e(dup)} · profiled in ${formatStat(profile.duration_ms)} ms</p>
</header>
<main>
<section aria-labelledby="summary-heading">
<h2 id="summary-heading">Summary</h2>
${summaryTable(profile)}
</section>
<section aria-labelledby="columns-heading">
<h2 id="columns-heading">Columns</h2>
<div class="columns">
${profile.columns.map((c, i) => columnSection(c, i)).join('\n')}
</div>
</section>
<section aria-labelledby="methods-heading">
<h2 id="methods-heading">Methods</h2>
<dl class="methods">
${Object.entries(profile.methods).map(([k, v]) => `<dt>${e(k)}</dt><dd>${e(v)}</dd>`).join('\n')}
</dl>
</section>
</main>
</body>
</html>
`;
}

function summaryTable(profile: TableProfile): string {
  const head = ['Column', 'Type', 'Kind', 'Count', 'Nulls', 'Distinct', 'Mean', 'Std', 'Min', 'Median', 'Max'];
  const textCols = new Set([0, 1, 2]);
  const rows = profile.columns.map((c, i) => {
    const cells = [
      c.type,
      c.kind,
      formatStat(c.count),
      formatStat(c.nulls),
      `${c.distinct_method === 'approximate' ? '≈' : ''}${formatStat(c.distinct)}`,
      formatStat(c.mean),
      formatStat(c.stddev),
      formatStat(c.min),
      formatStat(c.quantiles?.p50),
      formatStat(c.max),
    ];
    return `<tr><th scope="row"><a href="#column-${i}">${escapeHtml(c.name)}</a></th>${cells
      .map((v, j) => `<td${textCols.has(j + 1) ? ' class="text"' : ''}>${escapeHtml(v)}</td>`)
      .join('')}</tr>`;
  });
  return `<div class="scroll"><table>
<caption>One row per column; ≈ marks an approximate distinct count.</caption>
<thead><tr>${head.map((h, j) => `<th scope="col"${textCols.has(j) ? ' class="text"' : ''}>${h}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table></div>`;
}

function columnSection(c: ColumnProfile, i: number): string {
  const stats: [string, string][] = [
    ['type', c.type],
    ['count', formatStat(c.count)],
    ['nulls', `${formatStat(c.nulls)} (${(c.null_fraction * 100).toFixed(1)}%)`],
    ['distinct', `${c.distinct_method === 'approximate' ? '≈' : ''}${formatStat(c.distinct)}`],
  ];
  if (c.nan) stats.push(['NaN', formatStat(c.nan)]);
  if (c.infinite) stats.push(['±Infinity', formatStat(c.infinite)]);
  if (c.min !== undefined) stats.push(['min', formatStat(c.min)]);
  if (c.max !== undefined) stats.push(['max', formatStat(c.max)]);
  if (c.mean !== undefined) stats.push(['mean', formatStat(c.mean)]);
  if (c.stddev !== undefined) stats.push(['std', formatStat(c.stddev)]);
  for (const [k, v] of Object.entries(c.quantiles ?? {})) stats.push([k, formatStat(v)]);
  if (c.length) stats.push(['length', `${c.length.min}–${c.length.max} (mean ${formatStat(c.length.mean)})`]);
  return `<section class="column" id="column-${i}" aria-labelledby="column-${i}-heading">
<h3 id="column-${i}-heading">${escapeHtml(c.name)}<span class="kind">${c.kind}</span></h3>
<dl class="stats">${stats.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>
${profileCharts(c)}
</section>`;
}
