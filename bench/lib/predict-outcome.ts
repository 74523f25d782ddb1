import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What `predictBench({ rows })` of bench/predict-bench.ts answers. */
export interface PredictResult {
  rawRowsPerSecond: number;
  predictRowsPerSecond: number;
  peakRssBytes: number;
}

export type PredictOutcome = { ran: true; result: PredictResult } | { ran: false; reason: string };

/**
 * Runs `predictBench({ rows })` from the module at `moduleUrl` if it is there,
 * and says why not otherwise (missing, failing, or answering another shape),
 * so the benches that include it still finish.
 */
export async function runPredictBench(moduleUrl: URL, rows: number): Promise<PredictOutcome> {
  const path = fileURLToPath(moduleUrl);
  const file = relative(process.cwd(), path) || path;
  if (!existsSync(path)) return { ran: false, reason: `${file} does not exist` };
  let mod: { predictBench?: unknown };
  try {
    // A computed specifier: the module may not exist when this file is type-checked.
    mod = (await import(moduleUrl.href)) as { predictBench?: unknown };
  } catch (err) {
    return { ran: false, reason: `${file} failed to load: ${(err as Error).message}` };
  }
  if (typeof mod.predictBench !== 'function') return { ran: false, reason: `${file} exports no predictBench function` };
  let result: unknown;
  try {
    result = await (mod.predictBench as (o: { rows: number }) => Promise<unknown>)({ rows });
  } catch (err) {
    return { ran: false, reason: `predictBench failed: ${(err as Error).message}` };
  }
  const r = result as Partial<PredictResult> | null;
  const ok = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;
  if (!r || typeof r !== 'object' || !ok(r.rawRowsPerSecond) || !ok(r.predictRowsPerSecond) || !ok(r.peakRssBytes)) {
    return { ran: false, reason: `predictBench answered an unexpected shape: ${String(JSON.stringify(result)).slice(0, 200)}` };
  }
  return { ran: true, result: { rawRowsPerSecond: r.rawRowsPerSecond!, predictRowsPerSecond: r.predictRowsPerSecond!, peakRssBytes: r.peakRssBytes! } };
}
