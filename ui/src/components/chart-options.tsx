import { useNavigate, useRouterState } from '@tanstack/react-router';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { SeriesOptions } from '../api';

/** Chart view state, kept in the URL (`x`, `smooth`, `amount`, `log`) beside each page's own params. */
export interface ChartOptions extends SeriesOptions {
  log: boolean;
}

const X_AXES = ['step', 'time', 'relative'] as const;
const SMOOTHINGS = ['ema', 'running', 'gaussian'] as const;
const DEFAULT_AMOUNT = { ema: 0.6, running: 10, gaussian: 5 } as const;

/** Parses chart options from raw search params; anything malformed falls back to the default. */
export function parseChartOptions(s: Record<string, unknown>): ChartOptions {
  const x = X_AXES.find((a) => a === s.x) ?? 'step';
  const smoothing = SMOOTHINGS.find((m) => m === s.smooth);
  let amount: number | undefined;
  if (smoothing) {
    const n = Number(s.amount);
    const ok = smoothing === 'ema' ? Number.isFinite(n) && n >= 0 && n < 1 : Number.isInteger(n) && n >= 1 && n <= 10_000;
    amount = s.amount !== undefined && ok ? n : DEFAULT_AMOUNT[smoothing];
  }
  return { x, smoothing, amount, log: s.log === '1' || s.log === 1 || s.log === true };
}

/**
 * The page's chart options and a setter that rewrites them in the URL. It
 * reads the raw search (not the route's validated one) so these params
 * survive beside whatever the route itself declares.
 */
export function useChartOptions(): [ChartOptions, (patch: Partial<ChartOptions>) => void, (patch: Record<string, unknown>) => void] {
  const raw = useRouterState({ select: (s) => s.location.search as Record<string, unknown> });
  const navigate = useNavigate();
  const setRaw = (patch: Record<string, unknown>) => {
    const next: Record<string, unknown> = { ...raw, ...patch };
    for (const k of Object.keys(next)) if (next[k] === undefined) delete next[k];
    void navigate({ to: '.', search: next as never, replace: true });
  };
  const set = (patch: Partial<ChartOptions>) => {
    const cur = parseChartOptions(raw);
    const o = { ...cur, ...patch };
    const p: Record<string, unknown> = {
      x: o.x === 'step' ? undefined : o.x,
      smooth: o.smoothing,
      amount: o.smoothing ? String(o.amount ?? DEFAULT_AMOUNT[o.smoothing]) : undefined,
      log: o.log ? '1' : undefined,
    };
    // A zoomed range is in the old axis's units.
    if (patch.x !== undefined && patch.x !== cur.x) p.range = undefined;
    setRaw(p);
  };
  return [parseChartOptions(raw), set, setRaw];
}

/** X-axis, log scale and smoothing controls for every chart of a page. */
export function ChartControls({ options, onChange }: { options: ChartOptions; onChange(patch: Partial<ChartOptions>): void }) {
  const [amount, setAmount] = useState(String(options.amount ?? ''));
  useEffect(() => setAmount(String(options.amount ?? '')), [options.amount]);
  return (
    <div className="chart-controls" role="group" aria-label="Chart options">
      <label>
        X-axis{' '}
        <select value={options.x ?? 'step'} onChange={(e) => onChange({ x: e.target.value as ChartOptions['x'] })}>
          <option value="step">Step</option>
          <option value="time">Wall time</option>
          <option value="relative">Relative time</option>
        </select>
      </label>
      <label>
        <input type="checkbox" checked={options.log} onChange={(e) => onChange({ log: e.target.checked })} /> Log scale
      </label>
      <label>
        Smoothing{' '}
        <select
          value={options.smoothing ?? 'none'}
          onChange={(e) => {
            const v = e.target.value;
            onChange(v === 'none' ? { smoothing: undefined, amount: undefined } : { smoothing: v as ChartOptions['smoothing'], amount: DEFAULT_AMOUNT[v as keyof typeof DEFAULT_AMOUNT] });
          }}
        >
          <option value="none">None</option>
          <option value="ema">Exponential (TensorBoard)</option>
          <option value="running">Running average</option>
          <option value="gaussian">Gaussian</option>
        </select>
      </label>
      {options.smoothing && (
        <label>
          {options.smoothing === 'ema' ? 'Weight' : 'Window'}{' '}
          <input
            type="number"
            className="amount"
            min={options.smoothing === 'ema' ? 0 : 1}
            max={options.smoothing === 'ema' ? 0.999 : 10000}
            step={options.smoothing === 'ema' ? 0.05 : 1}
            value={amount}
            onChange={(e) => setAmount(e.target.value)}
            onBlur={() => {
              const o = parseChartOptions({ smooth: options.smoothing, amount });
              onChange({ amount: o.amount });
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
            }}
          />
        </label>
      )}
    </div>
  );
}

/** Metric keys grouped by the prefix before their first `/` (`val/loss` → `val`); unprefixed keys first, under `general`. */
export function sectionsByPrefix(keys: string[]): Array<{ name: string; keys: string[] }> {
  const groups = new Map<string, string[]>();
  for (const k of keys) {
    const slash = k.indexOf('/');
    const name = slash > 0 ? k.slice(0, slash) : '';
    let g = groups.get(name);
    if (!g) groups.set(name, (g = []));
    g.push(k);
  }
  return [...groups.entries()].sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))).map(([name, keys]) => ({ name: name || 'general', keys }));
}

/**
 * Mounts its child only while within a screen of the viewport, and unmounts it
 * again when scrolled far away: 10,000 charts cost 10,000 empty boxes, not
 * 10,000 plots and fetches.
 */
// One observer for every LazyMount of the page: 2,000 observers cost more than the boxes they watch.
const watchers = new Map<Element, (near: boolean) => void>();
let shared: IntersectionObserver | undefined;
function nearObserver(): IntersectionObserver {
  shared ??= new IntersectionObserver(
    (entries) => {
      for (const e of entries) watchers.get(e.target)?.(e.isIntersecting);
    },
    { rootMargin: '100% 0px 100% 0px' },
  );
  return shared;
}

export function LazyMount({ height, children, eager = false }: { height: number; children: ReactNode; eager?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  // The first charts of a page are on screen anyway: mount them without waiting a frame for the observer.
  const [near, setNear] = useState(eager);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const io = nearObserver();
    watchers.set(el, setNear);
    io.observe(el);
    return () => {
      io.unobserve(el);
      watchers.delete(el);
    };
  }, []);
  return (
    <div ref={ref} className="lazy-chart" style={{ minHeight: height }} data-mounted={near ? 'true' : 'false'}>
      {near ? children : null}
    </div>
  );
}
