import { useEffect, useMemo, useRef, useState } from 'react';
import type { Run } from '../../api';
import { runLabel } from '../../format';
import { makeAxis, valueOf, viridis } from './axis';

const HEIGHT = 360;
const PAD = { top: 36, bottom: 28, left: 60, right: 80 };

/**
 * One vertical axis per chosen param plus the chosen metric, one line per run
 * coloured by that metric (viridis). Lines go on a canvas: 1,000 runs are
 * 1,000 paths, which SVG nodes would make slow to lay out.
 */
export function ParallelCoordinates({ runs, params, metric }: { runs: Run[]; params: string[]; metric: string }) {
  const fields = useMemo(() => [...params.map((p) => `p:${p}`), `m:${metric}`], [params, metric]);
  const axes = useMemo(() => fields.map((f) => makeAxis(runs.map((r) => valueOf(r, f)))), [fields, runs]);
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(800);
  const [showTable, setShowTable] = useState(false);
  useEffect(() => {
    const el = wrap.current;
    if (!el) return;
    setWidth(Math.max(320, Math.floor(el.clientWidth)));
    const ro = new ResizeObserver(() => setWidth(Math.max(320, Math.floor(el.clientWidth))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const plotW = width - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const xOf = (i: number) => PAD.left + (fields.length === 1 ? plotW / 2 : (plotW * i) / (fields.length - 1));
  const yOf = (p: number) => PAD.top + plotH * (1 - p);

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = width * dpr;
    c.height = HEIGHT * dpr;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, HEIGHT);
    ctx.lineWidth = 1.25;
    ctx.globalAlpha = runs.length > 200 ? 0.5 : 0.85;
    const metricAxis = axes[axes.length - 1]!;
    for (const r of runs) {
      const m = metricAxis.pos(valueOf(r, fields[fields.length - 1]!));
      ctx.strokeStyle = m === undefined ? '#888' : viridis(m);
      ctx.beginPath();
      let pen = false;
      fields.forEach((f, i) => {
        const p = axes[i]!.pos(valueOf(r, f));
        if (p === undefined) return void (pen = false);
        if (pen) ctx.lineTo(xOf(i), yOf(p));
        else ctx.moveTo(xOf(i), yOf(p));
        pen = true;
      });
      ctx.stroke();
    }
    // xOf/yOf only read width and fields, both listed.
  }, [runs, fields, axes, width]);

  return (
    <div className="pc" ref={wrap}>
      <div className="pc-plot" style={{ height: HEIGHT }} role="img" aria-label={`Parallel coordinates of ${runs.length} runs: ${params.join(', ')} against ${metric}`}>
        <canvas ref={canvas} style={{ width, height: HEIGHT }} aria-hidden="true" />
        <svg width={width} height={HEIGHT} aria-hidden="true" className="pc-axes">
          {fields.map((f, i) => (
            <g key={f} className="pc-axis" data-field={f}>
              <line x1={xOf(i)} x2={xOf(i)} y1={PAD.top} y2={PAD.top + plotH} />
              <text className="pc-axis-label" x={xOf(i)} y={PAD.top - 14} textAnchor="middle">
                {f.slice(2)}
              </text>
              {axes[i]!.ticks.slice(0, 12).map((t) => (
                <text key={t.label} className="pc-tick" x={xOf(i) - 5} y={yOf(t.pos) + 4} textAnchor="end">
                  {t.label}
                </text>
              ))}
            </g>
          ))}
        </svg>
      </div>
      <details onToggle={(e) => setShowTable((e.target as HTMLDetailsElement).open)}>
        <summary>Data table</summary>
        {showTable && (
          <div className="table-wrap" tabIndex={0} role="region" aria-label="Data table">
            <table className="grid-table">
              <caption className="sr-only">Parallel coordinates data</caption>
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  {fields.map((f) => (
                    <th scope="col" key={f}>
                      {f.slice(2)}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => (
                  <tr key={r.info.run_id}>
                    <th scope="row">{runLabel(r.info)}</th>
                    {fields.map((f) => (
                      <td className="mono" key={f}>
                        {valueOf(r, f) ?? '—'}
                      </td>
                    ))}
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
