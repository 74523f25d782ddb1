import { useState } from 'react';
import type { Run } from '../../api';
import { runLabel } from '../../format';
import { fieldLabel, makeAxis, valueOf } from './axis';

const W = 720;
const H = 420;
const PAD = { top: 16, right: 24, bottom: 52, left: 72 };

/** One point per run at (x, y), each a metric's latest value or a param; categorical values sit on ordered ticks. */
export function Scatter({ runs, x, y }: { runs: Run[]; x: string; y: string }) {
  const [showTable, setShowTable] = useState(false);
  const ax = makeAxis(runs.map((r) => valueOf(r, x)));
  const ay = makeAxis(runs.map((r) => valueOf(r, y)));
  const pw = W - PAD.left - PAD.right;
  const ph = H - PAD.top - PAD.bottom;
  const px = (p: number) => PAD.left + pw * (ax.kind === 'categorical' ? 0.05 + p * 0.9 : p);
  const py = (p: number) => PAD.top + ph * (1 - (ay.kind === 'categorical' ? 0.05 + p * 0.9 : p));
  const points = runs.flatMap((r) => {
    const a = ax.pos(valueOf(r, x));
    const b = ay.pos(valueOf(r, y));
    return a === undefined || b === undefined ? [] : [{ r, cx: px(a), cy: py(b) }];
  });
  return (
    <div className="scatter">
      <svg viewBox={`0 0 ${W} ${H}`} className="scatter-plot" role="img" aria-label={`Scatter of ${points.length} runs: ${fieldLabel(y)} against ${fieldLabel(x)}`}>
        <line className="scatter-axis" x1={PAD.left} x2={PAD.left + pw} y1={PAD.top + ph} y2={PAD.top + ph} />
        <line className="scatter-axis" x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={PAD.top + ph} />
        {ax.ticks.slice(0, 15).map((t) => (
          <text key={`x${t.label}`} className="scatter-tick" x={px(t.pos)} y={PAD.top + ph + 16} textAnchor="middle">
            {t.label}
          </text>
        ))}
        {ay.ticks.slice(0, 15).map((t) => (
          <text key={`y${t.label}`} className="scatter-tick" x={PAD.left - 6} y={py(t.pos) + 4} textAnchor="end">
            {t.label}
          </text>
        ))}
        <text className="scatter-label" x={PAD.left + pw / 2} y={H - 8} textAnchor="middle">
          {fieldLabel(x)}
        </text>
        <text className="scatter-label" transform={`translate(14 ${PAD.top + ph / 2}) rotate(-90)`} textAnchor="middle">
          {fieldLabel(y)}
        </text>
        <g className="scatter-points">
          {points.map(({ r, cx, cy }) => (
            <circle key={r.info.run_id} cx={cx} cy={cy} r={5}>
              <title>{`${runLabel(r.info)}: ${fieldLabel(x)} ${valueOf(r, x)}, ${fieldLabel(y)} ${valueOf(r, y)}`}</title>
            </circle>
          ))}
        </g>
      </svg>
      <details onToggle={(e) => setShowTable((e.target as HTMLDetailsElement).open)}>
        <summary>Data table</summary>
        {showTable && (
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Data table">
            <table className="grid-table">
              <caption className="sr-only">Scatter data</caption>
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">{fieldLabel(x)}</th>
                  <th scope="col">{fieldLabel(y)}</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => (
                  <tr key={r.info.run_id}>
                    <th scope="row">{runLabel(r.info)}</th>
                    <td className="mono">{valueOf(r, x) ?? '—'}</td>
                    <td className="mono">{valueOf(r, y) ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </details>
    </div>
  );
}
