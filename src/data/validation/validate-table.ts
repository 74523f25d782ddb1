import { FerryError, InvalidArgumentError } from '../../errors.js';
import type { DuckDbEngine, TableFile } from '../table/duckdb-engine.js';
import { ExpectationError, type ExpectationOutcome, type PlanContext } from './expectations/expectation-definition.js';
import { round15 } from './expectations/sql-types.js';
import { parseResultFormat, resolveSuite, type ResolvedExpectation } from './suite-parser.js';
import { DEFAULT_RESULT_FORMAT, type ExpectationSuite, type ExpectationValidationResult, type ResultFormat, type ResultFormatName, type ValidationResult } from './suite-types.js';
import { pass, repetitiveColumns, VALUE, type Planned } from './validation-pass.js';
import { loadTable, type LoadedTable } from './validation-table.js';

export interface ValidateTableOptions {
  /** GE's result format for every expectation that does not set its own (default SUMMARY). */
  resultFormat?: ResultFormatName | ResultFormat;
  /** How the result names the data (default: the file's path); the API passes the reference so no server path shows. */
  label?: string;
  /** Called about ten times a second while DuckDB works, with the share done (0–1) of its current query: reading the file, then the checks. */
  onProgress?: (done: number) => void;
}

/**
 * Validates a table file against a suite with Great Expectations' semantics
 * and result shape (`ExpectationSuiteValidationResult`). The suite is checked
 * first, so a bad expectation fails before the file is read. Only the columns
 * the suite names are read (CSV and JSON lines parsed once into a temporary
 * table, Parquet scanned in place), and every column-map, aggregate and
 * multi-column expectation is evaluated in one aggregate query over them
 * (counts with `FILTER`, the first unexpected values with a bounded
 * `arg_min`), so the cost barely grows with the suite.
 *
 * An expectation that cannot be evaluated on this table (a missing column, a
 * regex or strftime expectation on a non-text column) fails alone with GE's
 * `exception_info`, as GE does; the others still run.
 *
 * @throws InvalidArgumentError for a bad suite (naming the expectation and
 * argument) or an unreadable file; NotFoundError is the caller's, from `engine.tableFile`.
 *
 * @example
 * const engine = await DuckDbEngine.open();
 * const suite = parseSuiteText(await readFile('orders.suite.yaml', 'utf8'));
 * const result = await validateTable(engine, await engine.tableFile('orders.parquet'), suite);
 * result.success; // false when any expectation failed
 */
export async function validateTable(engine: DuckDbEngine, file: TableFile, suite: ExpectationSuite, options: ValidateTableOptions = {}): Promise<ValidationResult> {
  const started = Date.now();
  const resolved = resolveSuite(suite);
  const baseFormat = options.resultFormat === undefined ? DEFAULT_RESULT_FORMAT : typeof options.resultFormat === 'string' ? parseResultFormat(options.resultFormat) : options.resultFormat;
  await checkRegexes(engine, resolved);
  const needed = new Set(resolved.flatMap((r) => r.definition.columns(r.kwargs)));
  const stopProgress = await watchProgress(engine, options.onProgress);
  let table: LoadedTable | undefined;
  try {
    table = await loadTable(engine, file, needed);
    const outcomes = await evaluate(engine, table, resolved, baseFormat);
    const results = resolved.map((r, i) => toResult(r, outcomes[i]!, r.resultFormat ?? baseFormat));
    const successful = results.filter((r) => r.success).length;
    return {
      success: successful === results.length,
      statistics: {
        evaluated_expectations: results.length,
        successful_expectations: successful,
        unsuccessful_expectations: results.length - successful,
        success_percent: results.length === 0 ? null : round15((successful / results.length) * 100),
      },
      results,
      suite_name: suite.name,
      meta: {
        source: options.label ?? file.path,
        format: file.format,
        row_count: table.rowCount,
        validation_time: new Date(started).toISOString(),
        duration_ms: Date.now() - started,
      },
    };
  } finally {
    stopProgress();
    await table?.drop();
  }
}

/** Runs each regex once against an empty string so RE2's refusals (lookarounds, backreferences) surface before the data is read. */
async function checkRegexes(engine: DuckDbEngine, resolved: ResolvedExpectation[]): Promise<void> {
  for (const [i, r] of resolved.entries()) {
    for (const regex of r.definition.regexes?.(r.kwargs) ?? []) {
      try {
        await engine.connection.run('SELECT regexp_matches(\'\', $1)', [regex]);
      } catch (err) {
        throw new InvalidArgumentError(
          `expectations[${i}] ${r.config.type}: the regex ${JSON.stringify(regex)} is not supported by DuckDB's RE2 engine (${(err as Error).message.replace(/^[^:]*Error: /, '')}); rewrite it without lookarounds or backreferences.`,
        );
      }
    }
  }
}

type Outcome = ExpectationOutcome | { error: string };

/** Plans every expectation, runs the shared pass, and concludes each; per-expectation queries isolate one that makes the pass fail. */
async function evaluate(engine: DuckDbEngine, table: LoadedTable, resolved: ResolvedExpectation[], baseFormat: ResultFormat): Promise<Outcome[]> {
  let paramCounter = 0;
  const byName = new Map(table.columns.map((c) => [c.name, c]));
  const planned: (Planned | { error: string })[] = resolved.map((r, i) => {
    const part: Omit<Planned, 'plan'> = { aggregates: [], lookups: [], duplicates: [], params: {} };
    const ctx: PlanContext = {
      columns: table.columns,
      resultFormat: r.resultFormat ?? baseFormat,
      column(name) {
        const column = byName.get(name);
        if (!column) throw new ExpectationError(`Error: The column "${name}" in BatchData does not exist.`);
        return column;
      },
      param(value) {
        const name = `p${++paramCounter}`;
        part.params[name] = value;
        return `$${name}`;
      },
      lookup(column, predicate) {
        const alias = `"__ferry_l${i}_${part.lookups.length}"`;
        part.lookups.push({ alias, column, sql: predicate({ ...column, sql: VALUE }) });
        return alias;
      },
      duplicates(columns, considered) {
        const alias = `"__ferry_d${i}_${part.duplicates.length}"`;
        part.duplicates.push({ alias, columns, considered });
        return alias;
      },
      aggregate(sql) {
        const key = `e${i}_${part.aggregates.length}`;
        part.aggregates.push([key, sql]);
        return key;
      },
    };
    try {
      return { ...part, plan: r.definition.plan(r.kwargs, ctx) };
    } catch (err) {
      if (err instanceof ExpectationError) return { error: err.message };
      throw err;
    }
  });
  const runnable = planned.filter((p): p is Planned => !('error' in p) && p.aggregates.length > 0);
  const values: Record<string, unknown> = {};
  const failed = new Map<Planned, string>();
  if (runnable.length > 0) {
    const viaJoin = await repetitiveColumns(engine, table, runnable);
    try {
      Object.assign(values, await pass(engine, table, runnable, viaJoin));
    } catch (err) {
      if (!(err instanceof FerryError)) throw err;
      // One expectation's SQL failed (e.g. a cast DuckDB refuses); find it, keep the rest.
      for (const p of runnable) {
        try {
          Object.assign(values, await pass(engine, table, [p], viaJoin));
        } catch (single) {
          if (!(single instanceof FerryError)) throw single;
          failed.set(p, single.message);
        }
      }
    }
  }
  return planned.map((p) => {
    if ('error' in p) return p;
    const error = failed.get(p);
    if (error !== undefined) return { error };
    try {
      return p.plan.finish(values, table.rowCount);
    } catch (err) {
      if (err instanceof ExpectationError) return { error: err.message };
      throw err;
    }
  });
}

/** GE's `ExpectationValidationResult` JSON for one outcome. */
function toResult(r: ResolvedExpectation, outcome: Outcome, format: ResultFormat): ExpectationValidationResult {
  const { config } = r;
  const expectationConfig = { type: config.type, kwargs: config.kwargs, meta: config.meta ?? {}, ...(config.id ? { id: config.id } : {}) };
  if ('error' in outcome) {
    return {
      success: false,
      expectation_config: expectationConfig,
      result: {},
      meta: {},
      exception_info: { raised_exception: true, exception_traceback: null, exception_message: outcome.error },
    };
  }
  return {
    success: outcome.success,
    expectation_config: expectationConfig,
    result: format.result_format === 'BOOLEAN_ONLY' ? {} : (roundFloats(outcome.result) as ExpectationValidationResult['result']),
    meta: {},
    exception_info: { raised_exception: false, exception_traceback: null, exception_message: null },
  };
}

/** GE's serialiser rounds every float in a result to 15 decimals. */
function roundFloats(value: unknown): unknown {
  if (typeof value === 'number') return round15(value);
  if (Array.isArray(value)) return value.map(roundFloats);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, roundFloats(v)]));
  return value;
}

/** Polls DuckDB's query progress while work runs; returns the function that stops it. */
async function watchProgress(engine: DuckDbEngine, onProgress: ((done: number) => void) | undefined): Promise<() => void> {
  if (!onProgress) return () => {};
  // Progress is only tracked with the progress bar on; DuckDB must not print it itself.
  await engine.connection.run('SET enable_progress_bar = true');
  await engine.connection.run('SET enable_progress_bar_print = false');
  const timer = setInterval(() => {
    const percentage = engine.connection.progress.percentage;
    if (percentage >= 0) onProgress(Math.min(1, percentage / 100));
  }, 100);
  return () => clearInterval(timer);
}
