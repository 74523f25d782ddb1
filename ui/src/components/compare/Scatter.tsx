import { useMemo, useState, type PointerEvent } from 'react';
import type { Run } from '../../api';
import { runLabel } from '../../format';
import { fieldLabel, makeAxis, valueOf } from './axis';
import { DataTable } from './DataTable';

const W = 720;
const H = 420;
const PAD = { top: 16, right: 24, bottom: 52, left: 72 };
const R = 5;
/** How near (in chart units) the pointer must come to a point to name its run. */
const HIT = 14;

interface Point {
  r: Run;
  vx: string | number | undefined;
  vy: string | number | undefined;
  cx: number;
  cy: number;
}

/**
 * One point per run at (x, y), each a metric's latest value or a param;
 * categorical values sit on ordered ticks. All points are one SVG path, so
 * 1,000 runs are one node; the point under the pointer is named below the
 * chart, and the data table lists every run.
 */
export function Scatter({ runs, x, y }: { runs: Run[]; x: string; y: string }) {
  const [hover, setHover] = useState<Point | undefined>();
  const { ax, ay, all, points } = useMemo(() => {
    const vals = runs.map((r) => ({ r, vx: valueOf(r, x), vy: valueOf(r, y) }));
    const ax = makeAxis(vals.map((v) => v.vx));
    const ay = makeAxis(vals.map((v) => v.vy));
    const all = vals.map((v) => {
      const a = ax.pos(v.vx);
      const b = ay.pos(v.vy);
      return { ...v, cx: a === undefined ? NaN : px(ax.kind, a), cy: b === undefined ? NaN : py(ay.kind, b) };
    });
    return { ax, ay, all, points: all.filter((p) => Number.isFinite(p.cx) && Number.isFinite(p.cy)) };
  }, [runs, x, y]);
  const d = useMemo(() => points.map((p) => `M${(p.cx - R).toFixed(1)} ${p.cy.toFixed(1)}a${R} ${R} 0 1 0 ${2 * R} 0a${R} ${R} 0 1 0 ${-2 * R} 0`).join(''), [points]);
  const pw = W - PAD.left - PAD.right;
  const ph = H - PAD.top - PAD.bottom;

  const onMove = (e: PointerEvent<SVGSVGElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    // The viewBox keeps its aspect ratio and fills the width: one scale for both axes.
    const k = W / box.width;
    const mx = (e.clientX - box.left) * k;
    const my = (e.clientY - box.top) * k;
    let best: Point | undefined;
    let bestD = HIT * HIT;
    for (const p of points) {
      const dd = (p.cx - mx) ** 2 + (p.cy - my) ** 2;
      if (dd <= bestD) [best, bestD] = [p, dd];
    }
    if (best !== hover) setHover(best);
  };

  return (
    <div className="scatter">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        className="scatter-plot"
        role="img"
        aria-label={`Scatter of ${points.length} runs: ${fieldLabel(y)} against ${fieldLabel(x)}`}
        onPointerMove={onMove}
        onPointerLeave={() => setHover(undefined)}
      >
        <line className="scatter-axis" x1={PAD.left} x2={PAD.left + pw} y1={PAD.top + ph} y2={PAD.top + ph} />
        <line className="scatter-axis" x1={PAD.left} x2={PAD.left} y1={PAD.top} y2={PAD.top + ph} />
        {ax.ticks.slice(0, 15).map((t) => (
          <text key={`x${t.label}`} className="scatter-tick" x={px(ax.kind, t.pos)} y={PAD.top + ph + 16} textAnchor="middle">
            {t.label}
          </text>
        ))}
        {ay.ticks.slice(0, 15).map((t) => (
          <text key={`y${t.label}`} className="scatter-tick" x={PAD.left - 6} y={py(ay.kind, t.pos) + 4} textAnchor="end">
            {t.label}
          </text>
        ))}
        <text className="scatter-label" x={PAD.left + pw / 2} y={H - 8} textAnchor="middle">
          {fieldLabel(x)}
        </text>
        <text className="scatter-label" transform={`translate(14 ${PAD.top + ph / 2}) rotate(-90)`} textAnchor="middle">
          {fieldLabel(y)}
        </text>
        <path className="scatter-points" d={d} data-points={points.length} />
        {hover && <circle className="scatter-hover" cx={hover.cx} cy={hover.cy} r={R + 2} />}
      </svg>
      <p className="hint scatter-readout" aria-live="polite">
        {hover ? `${runLabel(hover.r.info)}: ${fieldLabel(x)} ${hover.vx}, ${fieldLabel(y)} ${hover.vy}` : 'Point at a dot to name its run.'}
      </p>
      <DataTable
        caption="Scatter data"
        columns={['Run', fieldLabel(x), fieldLabel(y)]}
        rows={all}
        rowKey={(p) => p.r.info.run_id}
        cells={(p) => (
          <>
            <th scope="row">{runLabel(p.r.info)}</th>
            <td className="mono">{p.vx ?? '—'}</td>
            <td className="mono">{p.vy ?? '—'}</td>
          </>
        )}
      />
    </div>
  );
}

function px(kind: string, p: number): number {
  return PAD.left + (W - PAD.left - PAD.right) * (kind === 'categorical' ? 0.05 + p * 0.9 : p);
}

function py(kind: string, p: number): number {
  return PAD.top + (H - PAD.top - PAD.bottom) * (1 - (kind === 'categorical' ? 0.05 + p * 0.9 : p));
}
