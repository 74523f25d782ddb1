import type { QueryClient } from '@tanstack/react-query';
import { request, type Run } from '../../api';

/** The most runs one compare page holds: parallel coordinates and scatter still read at that count. */
export const MAX_COMPARE_RUNS = 1000;
/** Matching runs compared when the URL names no `max`. */
export const DEFAULT_COMPARE_MAX = 100;
/** Run ids per runs/search call for an explicit choice: a filter of ~7 KB, so several go out side by side. */
export const ID_CHUNK = 200;
/** runs/search's own page limit. */
const PAGE = 1000;
/** Per-run GETs in flight at once, for runs that a batched search could not find. */
const GET_CONCURRENCY = 6;
/** The server's run-id shape (tracking-limits.ts): such an id can be quoted in a filter as is. */
const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;

/** Runs named one by one (`?runs=`), or the first `max` runs of a search (`?experiments=&filter=&order=&max=`). */
export type CompareSelection =
  | { kind: 'ids'; runIds: string[]; experimentIds: string[] }
  | { kind: 'query'; experimentIds: string[]; filter?: string; order?: string; max: number };

/** The compare route's own params (router.tsx, CompareSearch). */
export interface CompareParams {
  runs?: string;
  experiments?: string;
  filter?: string;
  order?: string;
  max?: string;
}

const list = (s: string | undefined): string[] => [...new Set((s ?? '').split(',').map((x) => x.trim()).filter(Boolean))];

/**
 * Reads the selection from the URL: undefined when it names no runs and no
 * experiment, an error (a sentence naming what to fix) when it is malformed.
 */
export function parseSelection(p: CompareParams): { selection?: CompareSelection; error?: string } {
  const experimentIds = list(p.experiments);
  if (p.runs !== undefined) {
    const runIds = list(p.runs);
    if (runIds.length > MAX_COMPARE_RUNS) return { error: `A comparison holds at most ${MAX_COMPARE_RUNS} runs; the link names ${runIds.length}. Compare a search instead (experiments=, filter=, max=).` };
    return runIds.length === 0 ? {} : { selection: { kind: 'ids', runIds, experimentIds } };
  }
  if (experimentIds.length === 0) return {};
  const max = p.max === undefined ? DEFAULT_COMPARE_MAX : Number(p.max);
  if (!Number.isInteger(max) || max < 1 || max > MAX_COMPARE_RUNS) return { error: `max must be a whole number from 1 to ${MAX_COMPARE_RUNS}; the link has max=${p.max}.` };
  return { selection: { kind: 'query', experimentIds, filter: p.filter, order: p.order, max } };
}

interface SearchAnswer {
  runs?: Run[];
  next_page_token?: string;
}

const searchRuns = (body: { experiment_ids: string[]; filter?: string; order_by?: string[]; max_results: number; page_token?: string; run_view_type?: string }) =>
  request<SearchAnswer>('POST', '/api/2.0/mlflow/runs/search', body);
const getRun = (id: string) => request<{ run: Run }>('GET', `/api/2.0/mlflow/runs/get?run_id=${encodeURIComponent(id)}`).then((a) => a.run);

function chunks<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}

async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

/**
 * Runs named by id, in the URL's order. They come from runs/search in chunks
 * of `ID_CHUNK` (`attributes.run_id IN (…)` within the URL's experiments);
 * a link without experiments (older ones) learns one from its first run.
 * Whatever the searches miss (another experiment, a malformed id) is fetched
 * on its own, so a missing run fails with the server's own message.
 */
async function runsByIds(runIds: string[], experimentIds: string[]): Promise<Run[]> {
  const found = new Map<string, Run>();
  const quotable = runIds.filter((id) => RUN_ID.test(id));
  let experiments = experimentIds;
  if (experiments.length === 0 && quotable.length > 1) {
    const first = await getRun(quotable[0]!);
    found.set(first.info.run_id, first);
    experiments = [first.info.experiment_id];
  }
  const rest = quotable.filter((id) => !found.has(id));
  if (experiments.length > 0 && rest.length > 0) {
    const pages = await Promise.all(
      chunks(rest, ID_CHUNK).map((ids) =>
        // ALL: a run named explicitly shows even when deleted, as its own page does.
        searchRuns({ experiment_ids: experiments, filter: `attributes.run_id IN (${ids.map((id) => `'${id}'`).join(',')})`, max_results: ids.length, run_view_type: 'ALL' }),
      ),
    );
    for (const page of pages) for (const r of page.runs ?? []) found.set(r.info.run_id, r);
  }
  await pool(
    runIds.filter((id) => !found.has(id)),
    GET_CONCURRENCY,
    async (id) => void found.set(id, await getRun(id)),
  );
  return runIds.map((id) => found.get(id)!);
}

/** The first `max` runs of a search, in its order; `more` when further runs match. */
async function runsByQuery(q: Extract<CompareSelection, { kind: 'query' }>): Promise<{ runs: Run[]; more: boolean }> {
  const runs: Run[] = [];
  let token: string | undefined;
  do {
    const page = await searchRuns({
      experiment_ids: q.experimentIds,
      filter: q.filter,
      order_by: q.order ? [q.order] : undefined,
      max_results: Math.min(PAGE, q.max - runs.length),
      page_token: token,
    });
    runs.push(...(page.runs ?? []));
    token = page.next_page_token;
  } while (token && runs.length < q.max);
  return { runs, more: token !== undefined };
}

/** The selection's runs, fetched in batches; `more` is true when a search had further matches past `max`. */
export async function fetchCompareRuns(selection: CompareSelection): Promise<{ runs: Run[]; more: boolean }> {
  if (selection.kind === 'query') return runsByQuery(selection);
  return { runs: await runsByIds(selection.runIds, selection.experimentIds), more: false };
}

export const compareQueryKey = (selection: CompareSelection) => ['compare-runs', selection] as const;

/** The compare page's selection named by an address, if it is a compare page's. */
function selectionAt(location: { pathname: string; search: string }): CompareSelection | undefined {
  if (location.pathname !== '/compare') return undefined;
  const q = new URLSearchParams(location.search);
  const get = (k: string) => q.get(k) || undefined;
  return parseSelection({ runs: get('runs'), experiments: get('experiments'), filter: get('filter'), order: get('order'), max: get('max') }).selection;
}

let early: { key: string; runs: Promise<{ runs: Run[]; more: boolean }> } | undefined;

/**
 * Starts fetching a compare page's runs straight from the address. main.tsx
 * calls this before the rest of the app's code has even been evaluated (React,
 * the router, the pages: ~100 ms on a slow machine), so the answer is usually
 * there by the app's first render; the charts wait on these runs.
 */
export function startCompareRuns(location: { pathname: string; search: string }): void {
  const selection = selectionAt(location);
  if (!selection) return;
  const runs = fetchCompareRuns(selection);
  // Rejections are reported by the query that adopts this promise.
  runs.catch(() => undefined);
  early = { key: JSON.stringify(compareQueryKey(selection)), runs };
}

/** Hands the runs started by `startCompareRuns` to the query cache (or starts them now). */
export function prefetchCompareRuns(queryClient: QueryClient, location: { pathname: string; search: string }): void {
  const selection = selectionAt(location);
  if (!selection) return;
  const queryKey = compareQueryKey(selection);
  let started = early?.key === JSON.stringify(queryKey) ? early.runs : undefined;
  early = undefined;
  // The early answer is used once: a retry asks again.
  const take = () => {
    const runs = started;
    started = undefined;
    return runs;
  };
  void queryClient.prefetchQuery({ queryKey, queryFn: () => take() ?? fetchCompareRuns(selection) });
}
