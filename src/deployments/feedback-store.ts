import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDbEngine } from '../data/table/duckdb-engine.js';
import { InvalidArgumentError } from '../errors.js';
import { predictionGlob, type PredictionLog } from './prediction-log.js';

/** One ground-truth label for a logged prediction. */
export interface FeedbackItem {
  requestId: string;
  /** The true class (number, string; booleans become 1 and 0) or value. */
  label: number | string;
}

export interface FeedbackResult {
  /** Labels stored (their request id was logged). */
  accepted: number;
  /** Labels whose request id no logged prediction has (not logged, not sampled, or mistyped): counted, not stored. */
  unknown: number;
  /** The first 100 unknown request ids. */
  unknownRequestIds: string[];
}

/** A logged prediction with its latest label. */
export interface LabelledPrediction {
  requestId: string;
  variant: string;
  role: string;
  model: string;
  version: number;
  at: number;
  /** The logged OIP outputs, as JSON text. */
  outputs: string;
  /** The label, as JSON text. */
  label: string;
}

/** A logged prediction as `ferry deployments predictions` lists it. */
export interface LoggedPrediction {
  requestId: string;
  at: number;
  variant: string;
  role: string;
  model: string;
  version: number;
  latencyMs: number;
  status: string;
  error: string | null;
  inputs: string;
  outputs: string | null;
}

/** Most labels one request may carry. */
export const MAX_FEEDBACK_ITEMS = 100_000;

const HIVE = 'hive_partitioning = true, hive_types_autocast = false';

/**
 * Reads a feedback body: one `{request_id, label}` or `{feedback: [{request_id, label}, …]}`.
 * @throws InvalidArgumentError naming the item and field to fix.
 */
export function parseFeedback(body: unknown): FeedbackItem[] {
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(body)) throw new InvalidArgumentError('The body must be a JSON object: {"request_id": "…", "label": 1} or {"feedback": [{"request_id": "…", "label": 1}, …]}.');
  const many = body.feedback !== undefined;
  const raw = many ? body.feedback : [body];
  if (!Array.isArray(raw) || raw.length === 0 || raw.length > MAX_FEEDBACK_ITEMS) {
    throw new InvalidArgumentError(`feedback must be a list of 1 to ${MAX_FEEDBACK_ITEMS} items {request_id, label}.`);
  }
  return raw.map((item, i) => {
    const where = many ? `feedback[${i}]` : 'body';
    if (!isObj(item)) throw new InvalidArgumentError(`${where} must be an object {request_id, label}.`);
    const id = item.request_id;
    if (typeof id !== 'string' || id === '' || id.length > 200) throw new InvalidArgumentError(`${where}.request_id must be the request id of a logged prediction (1 to 200 characters), got ${JSON.stringify(id) ?? 'nothing'}.`);
    let label = item.label;
    if (typeof label === 'boolean') label = label ? 1 : 0;
    if (!((typeof label === 'number' && Number.isFinite(label)) || (typeof label === 'string' && label !== '' && label.length <= 1000))) {
      throw new InvalidArgumentError(`${where}.label must be the true class or value: a finite number, a boolean or a non-empty string, got ${JSON.stringify(label) ?? 'nothing'}.`);
    }
    return { requestId: id, label };
  });
}

/**
 * Ground-truth labels, stored as Parquet beside the prediction log
 * (`DIR/deployment=NAME/part-….parquet`) so DuckDB joins the two on request
 * id. A label is stored only for a logged request id; a later label for the same id wins.
 */
export class FeedbackStore {
  private engine?: Promise<DuckDbEngine>;
  private queue: Promise<unknown> = Promise.resolve();
  private seq = 0;

  constructor(
    private readonly dir: string,
    private readonly predictions: PredictionLog,
  ) {}

  private folder(deployment: string): string {
    return join(this.dir, `deployment=${deployment}`);
  }

  /** One query at a time on the one connection. */
  private exclusive<T>(fn: (engine: DuckDbEngine) => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => fn(await (this.engine ??= DuckDbEngine.open({ threads: 2, memoryLimit: '512MB' }))));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Stores the labels of logged requests of `deployment`; first writes out its queued predictions, so fresh ones are known. */
  async record(deployment: string, items: FeedbackItem[]): Promise<FeedbackResult> {
    await this.predictions.flush(deployment);
    if (!(await this.predictions.hasParts(deployment))) {
      return { accepted: 0, unknown: items.length, unknownRequestIds: items.slice(0, 100).map((i) => i.requestId) };
    }
    const folder = this.folder(deployment);
    await mkdir(folder, { recursive: true });
    const base = `part-${Date.now()}-${process.pid}-${this.seq++}`;
    const ndjson = join(folder, `.${base}.ndjson`);
    const tmp = join(folder, `.${base}.parquet.tmp`);
    const now = Date.now();
    try {
      await writeFile(ndjson, items.map((it, i) => JSON.stringify({ request_id: it.requestId, label: it.label, received_ms: now, seq: i })).join('\n') + '\n');
      return await this.exclusive(async (engine) => {
        const source = "read_json($1, format = 'newline_delimited', columns = {request_id: 'VARCHAR', label: 'JSON', received_ms: 'BIGINT', seq: 'INTEGER'})";
        const known = `(SELECT DISTINCT request_id FROM read_parquet($2, ${HIVE}))`;
        const unknown = await engine.rows(`SELECT DISTINCT request_id FROM ${source} WHERE request_id NOT IN ${known} ORDER BY request_id`, [ndjson, predictionGlob(this.predictions.dir, deployment)]);
        const unknownIds = new Set(unknown.map((r) => String(r.request_id)));
        const accepted = items.filter((i) => !unknownIds.has(i.requestId)).length;
        if (accepted > 0) {
          await engine.run(
            `COPY (SELECT request_id, CAST(label AS VARCHAR) AS label, make_timestamp(received_ms * 1000) AS received_at, seq FROM ${source} WHERE request_id IN ${known}) TO $3 (FORMAT parquet)`,
            [ndjson, predictionGlob(this.predictions.dir, deployment), tmp],
          );
          await rename(tmp, join(folder, `${base}.parquet`));
        }
        const unknownCount = items.length - accepted;
        return { accepted, unknown: unknownCount, unknownRequestIds: [...unknownIds].slice(0, 100) };
      });
    } finally {
      await rm(ndjson, { force: true });
      await rm(tmp, { force: true });
    }
  }

  /** Logged, answered predictions of `deployment` since `sinceMs` joined with their latest label. */
  async labelled(deployment: string, sinceMs = 0): Promise<LabelledPrediction[]> {
    await this.predictions.flush(deployment);
    if (!(await this.predictions.hasParts(deployment)) || !(await hasFiles(this.folder(deployment)))) return [];
    const rows = await this.exclusive((engine) =>
      engine.rows(
        `SELECT p.request_id, p.variant, p.role, p.model, p.version, epoch_ms(p.ts) AS at_ms, p.outputs, f.label
         FROM read_parquet($1, ${HIVE}) p
         JOIN (SELECT request_id, label FROM read_parquet($2) QUALIFY row_number() OVER (PARTITION BY request_id ORDER BY received_at DESC, seq DESC) = 1) f USING (request_id)
         WHERE p.status = 'ok' AND epoch_ms(p.ts) >= $3
         ORDER BY p.ts`,
        [predictionGlob(this.predictions.dir, deployment), join(this.folder(deployment), '*.parquet'), sinceMs],
      ),
    );
    return rows.map((r) => ({
      requestId: String(r.request_id),
      variant: String(r.variant),
      role: String(r.role),
      model: String(r.model),
      version: Number(r.version),
      at: Number(r.at_ms),
      outputs: String(r.outputs),
      label: String(r.label),
    }));
  }

  /** Logged predictions of `deployment` per variant and version since `sinceMs`: how many, and how many failed. */
  async traffic(deployment: string, sinceMs = 0): Promise<Array<{ variant: string; role: string; version: number; logged: number; errors: number }>> {
    await this.predictions.flush(deployment);
    if (!(await this.predictions.hasParts(deployment))) return [];
    const rows = await this.exclusive((engine) =>
      engine.rows(
        `SELECT variant, role, version, count(*) AS logged, count(*) FILTER (WHERE status <> 'ok') AS errors
         FROM read_parquet($1, ${HIVE}) WHERE epoch_ms(ts) >= $2 GROUP BY ALL ORDER BY variant, version`,
        [predictionGlob(this.predictions.dir, deployment), sinceMs],
      ),
    );
    return rows.map((r) => ({ variant: String(r.variant), role: String(r.role), version: Number(r.version), logged: Number(r.logged), errors: Number(r.errors) }));
  }

  /** The latest logged predictions of `deployment` since `sinceMs`, newest first. */
  async recent(deployment: string, options: { sinceMs?: number; limit?: number } = {}): Promise<LoggedPrediction[]> {
    await this.predictions.flush(deployment);
    if (!(await this.predictions.hasParts(deployment))) return [];
    const rows = await this.exclusive((engine) =>
      engine.rows(
        `SELECT request_id, epoch_ms(ts) AS at_ms, variant, role, model, version, latency_ms, status, error, inputs, outputs
         FROM read_parquet($1, ${HIVE}) WHERE epoch_ms(ts) >= $2 ORDER BY ts DESC, request_id LIMIT $3`,
        [predictionGlob(this.predictions.dir, deployment), options.sinceMs ?? 0, options.limit ?? 100],
      ),
    );
    return rows.map((r) => ({
      requestId: String(r.request_id),
      at: Number(r.at_ms),
      variant: String(r.variant),
      role: String(r.role),
      model: String(r.model),
      version: Number(r.version),
      latencyMs: Number(r.latency_ms),
      status: String(r.status),
      error: r.error === null ? null : String(r.error),
      inputs: String(r.inputs),
      outputs: r.outputs === null ? null : String(r.outputs),
    }));
  }

  async close(): Promise<void> {
    await this.queue;
    const engine = this.engine;
    this.engine = undefined;
    if (engine) (await engine).close();
  }
}

async function hasFiles(folder: string): Promise<boolean> {
  try {
    return (await readdir(folder)).some((f) => f.endsWith('.parquet'));
  } catch {
    return false;
  }
}
