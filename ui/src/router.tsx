import { createRoute, createRouter } from '@tanstack/react-router';
import { dataRoutes } from './areas/data/routes';
import { deploymentsRoutes } from './areas/deployments/routes';
import { modelsRoutes } from './areas/models/routes';
import { ComparePage } from './pages/ComparePage';
import { ExperimentsPage } from './pages/ExperimentsPage';
import { RunPage } from './pages/RunPage';
import { RunsPage } from './pages/RunsPage';
import { rootRoute } from './root-route';

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

/** Runs table state, all of it in the URL so a link or a reload shows the same view. */
export interface RunsSearch {
  /** MLflow filter grammar, sent as runs/search `filter`. */
  filter?: string;
  /** One MLflow order_by clause, e.g. `metrics.loss DESC`. */
  order?: string;
  /**
   * Chosen columns, comma-separated `metrics.KEY`, `params.KEY`, `tags.KEY`, `attributes.NAME`; absent means the
   * default keys. A metric id may end in `@min`, `@max`, `@step=N` or `@last`, read from its last '@' (run-columns.ts).
   */
  cols?: string;
  /** Selected run ids, comma-separated. */
  sel?: string;
  /**
   * '1': top-level runs with their child runs under them; '0': every run a row. Absent: grouped when the
   * experiment has child runs, as MLflow's UI shows them.
   */
  nest?: string;
}

/** Chart settings shared by the run and compare pages, kept in the URL. */
export interface ChartSearch {
  /** A zoomed range `lo-hi` on the x-axis. */
  range?: string;
  /** x-axis: step, time or relative. */
  x?: string;
  /** Smoothing: ema, running or gaussian. */
  smooth?: string;
  /** The smoothing weight or window. */
  amount?: string;
  /** Log scale on the y-axis when '1'. */
  log?: string;
}

const chartSearch = (s: Record<string, unknown>): Omit<ChartSearch, 'range'> => ({ x: str(s.x), smooth: str(s.smooth), amount: str(s.amount), log: str(s.log) });

/**
 * Which runs the compare page shows: `runs` names them (comma-separated ids),
 * or, without `runs`, the first `max` runs of `experiments` matching `filter`
 * in `order` (the runs table's own search). `experiments` also lets explicit
 * ids be fetched in batches.
 */
export interface CompareSearch extends ChartSearch {
  runs?: string;
  /** Experiment ids, comma-separated. */
  experiments?: string;
  /** MLflow filter grammar, as on the runs table. */
  filter?: string;
  /** One MLflow order_by clause. */
  order?: string;
  /** How many matching runs, 1 to 1000; 100 when absent. */
  max?: string;
}

function nestOf(v: unknown): '1' | '0' | undefined {
  if (v === '1' || v === 1) return '1';
  if (v === '0' || v === 0) return '0';
  return undefined;
}

const experimentsRoute = createRoute({ getParentRoute: () => rootRoute, path: '/', component: ExperimentsPage });

const runsRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/experiments/$experimentId',
  validateSearch: (s: Record<string, unknown>): RunsSearch => ({ filter: str(s.filter), order: str(s.order), cols: str(s.cols), sel: str(s.sel), nest: nestOf(s.nest) }),
  component: RunsPage,
});

const runRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/runs/$runId',
  validateSearch: (s: Record<string, unknown>): ChartSearch & { artifact?: string } => ({ range: str(s.range), ...chartSearch(s), artifact: str(s.artifact) }),
  component: RunPage,
});

const compareRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/compare',
  validateSearch: (s: Record<string, unknown>): CompareSearch => ({
    runs: str(s.runs),
    experiments: str(s.experiments),
    filter: str(s.filter),
    order: str(s.order),
    max: str(s.max),
    range: str(s.range),
    ...chartSearch(s),
  }),
  component: ComparePage,
});

const routeTree = rootRoute.addChildren([experimentsRoute, runsRoute, runRoute, compareRoute, ...modelsRoutes, ...deploymentsRoutes, ...dataRoutes]);

/**
 * Every URL value is a plain string (`?experiments=2&amount=0.9`): the router's
 * default writes strings that look like numbers in JSON quotes (`%222%22`),
 * which makes shared links hard to read and to write by hand.
 */
function parsePlainSearch(search: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(search.startsWith('?') ? search.slice(1) : search));
}

function stringifyPlainSearch(search: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(search)) {
    if (v === undefined || v === null || v === '') continue;
    params.set(k, typeof v === 'object' ? JSON.stringify(v) : String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : '';
}

export const router = createRouter({ routeTree, defaultPreload: false, parseSearch: parsePlainSearch, stringifySearch: stringifyPlainSearch });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}

/** Parses `lo-hi` from the URL; undefined when absent or malformed. */
export function parseRange(range?: string): [number, number] | undefined {
  const m = /^(-?\d+)-(-?\d+)$/.exec(range ?? '');
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  return lo < hi ? [lo, hi] : undefined;
}
