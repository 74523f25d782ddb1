import { escapeHtml, formatStat } from './html-format.js';
import type { ColumnProfile, HistogramBin, TopValue } from './profile-types.js';

const WIDTH = 480;

/** The charts of one column: a histogram for numeric columns, a bar chart of top values otherwise; '' when it has neither. */
export function profileCharts(c: ColumnProfile): string {
  if (c.histogram && c.histogram.length > 0) return histogramSvg(c.name, c.histogram);
  if (c.top_values && c.top_values.length > 0) return topValuesSvg(c.name, c.top_values, c.count);
  return '';
}

function histogramSvg(name: string, bins: HistogramBin[]): string {
  const height = 170;
  const left = 44;
  const bottom = 22;
  const plotW = WIDTH - left - 8;
  const plotH = height - bottom - 10;
  const peak = Math.max(1, ...bins.map((b) => b.count));
  const barW = plotW / bins.length;
  const label = `Histogram of ${name}: ${bins.length} equal-width bins from ${formatStat(bins[0]!.lower)} to ${formatStat(bins.at(-1)!.upper)}; the fullest holds ${formatStat(peak)} values.`;
  const bars = bins
    .map((b, i) => {
      const h = (b.count / peak) * plotH;
      const range = `[${formatStat(b.lower)}, ${formatStat(b.upper)}${i === bins.length - 1 ? ']' : ')'}`;
      return `<rect class="bar" x="${(left + i * barW + 0.5).toFixed(1)}" y="${(10 + plotH - h).toFixed(1)}" width="${Math.max(barW - 1, 0.5).toFixed(1)}" height="${h.toFixed(1)}"><title>${escapeHtml(`${range}: ${formatStat(b.count)}`)}</title></rect>`;
    })
    .join('');
  const axis = `<line class="axis" x1="${left}" y1="${10 + plotH}" x2="${WIDTH - 8}" y2="${10 + plotH}"/>`;
  const ticks =
    `<text x="${left}" y="${height - 6}">${escapeHtml(formatStat(bins[0]!.lower))}</text>` +
    `<text x="${WIDTH - 8}" y="${height - 6}" text-anchor="end">${escapeHtml(formatStat(bins.at(-1)!.upper))}</text>` +
    `<text x="${left - 4}" y="18" text-anchor="end">${escapeHtml(formatStat(peak))}</text>` +
    `<text x="${left - 4}" y="${10 + plotH}" text-anchor="end">0</text>`;
  const table = dataTable(
    `Histogram of ${name}`,
    ['Bin', 'Count'],
    bins.map((b, i) => [`[${formatStat(b.lower)}, ${formatStat(b.upper)}${i === bins.length - 1 ? ']' : ')'}`, formatStat(b.count)]),
  );
  return `<svg role="img" aria-label="${escapeHtml(label)}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}"><title>${escapeHtml(label)}</title>${axis}${bars}${ticks}</svg>\n${table}`;
}

function topValuesSvg(name: string, top: TopValue[], count: number): string {
  const row = 20;
  const labelW = 150;
  const countW = 90;
  const height = top.length * row + 8;
  const plotW = WIDTH - labelW - countW;
  const peak = Math.max(1, ...top.map((t) => t.count));
  const label = `Most frequent values of ${name}: ${top.map((t) => `${String(t.value)} (${formatStat(t.count)})`).join(', ')}.`;
  const bars = top
    .map((t, i) => {
      const y = 4 + i * row;
      const w = Math.max((t.count / peak) * plotW, 1);
      const share = count > 0 ? ` ${((t.count / count) * 100).toFixed(1)}%` : '';
      return (
        `<text x="${labelW - 6}" y="${y + 13}" text-anchor="end">${escapeHtml(shorten(String(t.value), 22))}</text>` +
        `<rect class="bar2" x="${labelW}" y="${y + 2}" width="${w.toFixed(1)}" height="${row - 5}"><title>${escapeHtml(`${String(t.value)}: ${formatStat(t.count)}`)}</title></rect>` +
        `<text x="${(labelW + w + 4).toFixed(1)}" y="${y + 13}">${escapeHtml(formatStat(t.count) + share)}</text>`
      );
    })
    .join('');
  const table = dataTable(`Most frequent values of ${name}`, ['Value', 'Count'], top.map((t) => [String(t.value), formatStat(t.count)]));
  return `<svg role="img" aria-label="${escapeHtml(label)}" viewBox="0 0 ${WIDTH} ${height}" width="${WIDTH}" height="${height}"><title>${escapeHtml(label)}</title>${bars}</svg>\n${table}`;
}

/** The chart's numbers as a table, folded away under the chart. */
function dataTable(caption: string, head: [string, string], rows: string[][]): string {
  return `<details><summary>${escapeHtml(caption)} as a table</summary><table><caption>${escapeHtml(caption)}</caption><thead><tr><th scope="col">${head[0]}</th><th scope="col">${head[1]}</th></tr></thead><tbody>${rows
    .map(([a, b]) => `<tr><th scope="row" class="text">${escapeHtml(a!)}</th><td>${escapeHtml(b!)}</td></tr>`)
    .join('')}</tbody></table></details>`;
}

function shorten(s: string, max: number): string {
  const chars = [...s.replace(/\s+/g, ' ')];
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}
