import { formatValue } from '../../format';
import type { HistogramBin } from './data-api';

export interface HistogramSeries {
  label: string;
  bins: HistogramBin[];
  /** A CSS colour; overlaid series are drawn half transparent. */
  color: string;
}

const W = 360;
const H = 120;
const PAD = 4;

/**
 * Equal-width bins as bars, one or two series overlaid on a shared x range;
 * heights are shares of each series' total so tables of different sizes compare.
 * A table of the same numbers follows the picture.
 */
export function Histogram({ title, series }: { title: string; series: HistogramSeries[] }) {
  const all = series.flatMap((s) => s.bins);
  if (all.length === 0) return <p className="muted">No values to draw.</p>;
  const lo = Math.min(...all.map((b) => b.lower));
  const hi = Math.max(...all.map((b) => b.upper));
  const span = hi > lo ? hi - lo : 1;
  const shares = series.map((s) => {
    const total = s.bins.reduce((n, b) => n + b.count, 0) || 1;
    return s.bins.map((b) => b.count / total);
  });
  const top = Math.max(...shares.flat(), 1e-9);
  const x = (v: number) => PAD + ((v - lo) / span) * (W - 2 * PAD);
  const label = `${title}: ${series.map((s) => `${s.label} ${s.bins.length} bins`).join(', ')} from ${formatValue(lo)} to ${formatValue(hi)}`;
  return (
    <figure className="histogram">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} preserveAspectRatio="none">
        {series.map((s, si) =>
          s.bins.map((b, i) => {
            const h = (shares[si]![i]! / top) * (H - 2 * PAD);
            const x0 = x(b.lower);
            const w = Math.max(1, x(b.upper) - x0 - (hi > lo ? 1 : 0));
            return <rect key={`${si}-${i}`} x={x0} y={H - PAD - h} width={hi > lo ? w : W - 2 * PAD} height={h} style={{ fill: s.color, fillOpacity: series.length > 1 ? 0.55 : 0.9 }} />;
          }),
        )}
        <line x1={PAD} x2={W - PAD} y1={H - PAD} y2={H - PAD} stroke="currentColor" strokeWidth={1} />
      </svg>
      <figcaption className="hist-axis">
        <span className="mono">{formatValue(lo)}</span>
        {series.length > 1 && (
          <span className="hist-legend">
            {series.map((s) => (
              <span key={s.label}>
                <span className="swatch-box" style={{ background: s.color }} aria-hidden="true" /> {s.label}
              </span>
            ))}
          </span>
        )}
        <span className="mono">{formatValue(hi)}</span>
      </figcaption>
      <details>
        <summary>{title} as a table</summary>
        <table className="grid-table compact">
          <caption className="sr-only">{title}</caption>
          <thead>
            <tr>
              <th scope="col">Series</th>
              <th scope="col">From</th>
              <th scope="col">To</th>
              <th scope="col">Count</th>
            </tr>
          </thead>
          <tbody>
            {series.flatMap((s) =>
              s.bins.map((b, i) => (
                <tr key={`${s.label}-${i}`}>
                  <td>{s.label}</td>
                  <td className="mono">{formatValue(b.lower)}</td>
                  <td className="mono">{formatValue(b.upper)}</td>
                  <td className="mono">{b.count}</td>
                </tr>
              )),
            )}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

/** Most frequent values as a table whose last column is a bar of each value's share. */
export function TopValues({ title, values, rows }: { title: string; values: Array<{ value: string | number | boolean; count: number }>; rows: number }) {
  const top = Math.max(...values.map((v) => v.count), 1);
  return (
    <table className="grid-table compact top-values">
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col">Value</th>
          <th scope="col">Count</th>
          <th scope="col">Share</th>
        </tr>
      </thead>
      <tbody>
        {values.map((v) => (
          <tr key={String(v.value)}>
            <td className="mono">{String(v.value)}</td>
            <td className="mono">{v.count}</td>
            <td>
              <span className="share-bar" style={{ width: `${(v.count / top) * 80}px` }} aria-hidden="true" /> {rows ? `${((v.count / rows) * 100).toFixed(1)} %` : '—'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
