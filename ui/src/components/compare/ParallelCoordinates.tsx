import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Run } from '../../api';
import { runLabel } from '../../format';
import { onThemeChange } from '../../theme';
import { makeAxis, valueOf } from './axis';
import { DataTable } from './DataTable';
import { cssVar, rampColor, rampGradient, readRamp } from './ramp';

const HEIGHT = 360;
const PAD = { top: 36, bottom: 28, left: 60, right: 80 };
/** Lines are drawn one path per colour band: 1,000 runs cost ~33 strokes, not 1,000. */
const BANDS = 32;

/**
 * One vertical axis per chosen param plus the chosen metric, one line per run
 * coloured by that metric. Lines go on a canvas in one pass; only the axes
 * (a few nodes each) are SVG, so 1,000 runs add no DOM. When drawn, the
 * canvas carries `data-drawn` = the runs drawn.
 */
export function ParallelCoordinates({ runs, params, metric }: { runs: Run[]; params: string[]; metric: string }) {
  // Keyed by content: the page hands a new params array on each of its renders.
  const paramsKey = params.join('\n');
  const fields = useMemo(() => [...params.map((p) => `p:${p}`), `m:${metric}`], [paramsKey, metric]); // eslint-disable-line react-hooks/exhaustive-deps
  // Positions on each axis, computed once per run and field: the draw and the table reuse them.
  const values = useMemo(() => runs.map((r) => fields.map((f) => valueOf(r, f))), [runs, fields]);
  const axes = useMemo(() => fields.map((_, i) => makeAxis(values.map((v) => v[i]))), [fields, values]);
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  const [themeTick, setThemeTick] = useState(0);
  useEffect(() => onThemeChange(() => setThemeTick((t) => t + 1)), []);
  const ramp = useMemo(() => readRamp(), [themeTick]); // eslint-disable-line react-hooks/exhaustive-deps
  // Measured before the first paint, so the lines are drawn once at the right width.
  useLayoutEffect(() => {
    const el = wrap.current;
    if (!el) return;
    const measure = () => setWidth(Math.max(320, Math.floor(el.clientWidth)));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const last = fields.length - 1;
  const missing = useMemo(() => values.filter((v) => v[last] === undefined).length, [values, last]);
  const plotW = width - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const xOf = (i: number) => PAD.left + (fields.length === 1 ? plotW / 2 : (plotW * i) / (fields.length - 1));
  const yOf = (p: number) => PAD.top + plotH * (1 - p);

  useEffect(() => {
    const c = canvas.current;
    if (!c || width === 0) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = width * dpr;
    c.height = HEIGHT * dpr;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, HEIGHT);
    ctx.lineWidth = 1.25;
    ctx.lineJoin = 'round';
    ctx.globalAlpha = runs.length > 200 ? 0.7 : 0.9;
    const m = fields.length - 1;
    // Band BANDS holds runs without the metric; each band is one path, so one stroke.
    const paths = Array.from({ length: BANDS + 1 }, () => new Path2D());
    const xs = fields.map((_, i) => xOf(i));
    for (const v of values) {
      const t = axes[m]!.pos(v[m]);
      const path = paths[t === undefined ? BANDS : Math.min(BANDS - 1, Math.floor(t * BANDS))]!;
      let pen = false;
      for (let i = 0; i < fields.length; i++) {
        const p = axes[i]!.pos(v[i]);
        if (p === undefined) {
          pen = false;
          continue;
        }
        if (pen) path.lineTo(xs[i]!, yOf(p));
        else path.moveTo(xs[i]!, yOf(p));
        pen = true;
      }
    }
    paths.forEach((path, b) => {
      ctx.strokeStyle = b === BANDS ? cssVar('--text-muted', '#888') : rampColor(ramp, (b + 0.5) / BANDS);
      ctx.stroke(path);
    });
    c.dataset.drawn = String(values.length);
    // xOf/yOf only read width and fields, both listed.
  }, [values, fields, axes, width, ramp]); // eslint-disable-line react-hooks/exhaustive-deps

  return (
    <div className="pc" ref={wrap}>
      <p className="pc-legend">
        low <span className="ramp" aria-hidden="true" style={{ background: rampGradient(ramp) }} /> high {metric}
        {missing > 0 && (
          <span className="muted">
            · {missing} run{missing === 1 ? '' : 's'} without {metric}, in grey
          </span>
        )}
      </p>
      <div className="pc-plot" style={{ height: HEIGHT }} role="img" aria-label={`Parallel coordinates of ${runs.length} runs: ${params.join(', ')} against ${metric}`}>
        <canvas ref={canvas} style={{ width, height: HEIGHT }} aria-hidden="true" />
        {width > 0 && (
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
        )}
      </div>
      <DataTable
        caption="Parallel coordinates data"
        columns={['Run', ...fields.map((f) => f.slice(2))]}
        rows={runs.map((r, i) => ({ r, v: values[i]! }))}
        rowKey={({ r }) => r.info.run_id}
        cells={({ r, v }) => (
          <>
            <th scope="row">{runLabel(r.info)}</th>
            {fields.map((f, i) => (
              <td className="mono" key={f}>
                {v[i] ?? '—'}
              </td>
            ))}
          </>
        )}
      />
    </div>
  );
}
