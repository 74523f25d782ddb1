import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import { onThemeChange } from '../../theme';

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export interface SparklineProps {
  /** Epoch seconds. */
  x: number[];
  y: Array<number | null>;
  /** What the line is, for screen readers: "stable requests per second". */
  label: string;
  format(v: number): string;
}

/** A small uPlot line without axes; its label says the latest value and the range, and the page's table has the numbers. */
export function Sparkline({ x, y, label, format }: SparklineProps) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const [themeTick, setThemeTick] = useState(0);
  useEffect(() => onThemeChange(() => setThemeTick((t) => t + 1)), []);
  useEffect(() => {
    if (!el.current) return;
    const opts: uPlot.Options = {
      width: 160,
      height: 36,
      legend: { show: false },
      cursor: { show: false },
      axes: [{ show: false }, { show: false }],
      scales: { x: { time: false }, y: { range: (_u, lo, hi) => [Math.min(0, lo), hi > lo ? hi : lo + 1] } },
      series: [{}, { stroke: cssVar('--link'), width: 1.5, points: { show: true, size: 3 } }],
    };
    plot.current = new uPlot(opts, [x, y] as uPlot.AlignedData, el.current);
    return () => {
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt only on a theme change; new points go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [themeTick]);
  useEffect(() => {
    plot.current?.setData([x, y] as uPlot.AlignedData);
  }, [x, y]);
  const values = y.filter((v): v is number => v !== null);
  const summary = values.length
    ? `${label}: latest ${format(values[values.length - 1]!)}, lowest ${format(Math.min(...values))}, highest ${format(Math.max(...values))} over the last ${values.length} samples`
    : `${label}: no samples yet`;
  return <div ref={el} className="sparkline" role="img" aria-label={summary} />;
}
