import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ferry-process.js';
import { getJson, percentile, postJson, runLoad } from './http-load.js';

const API = '/api/2.0/mlflow';

export interface ReferenceResult {
  version: string;
  pointsPerSecond: number;
  historyMs: number;
  logMetricRps: number;
}

/**
 * The same measures against a real MLflow tracking server, started by `command DATA_DIR PORT`
 * (e.g. a wrapper around `mlflow server --backend-store-uri sqlite:///…`). Smaller
 * volumes than Ferry's runs, since MLflow is far slower; rates are comparable.
 */
export async function benchMlflowReference(command: string): Promise<ReferenceResult> {
  const dir = mkdtempSync(join(tmpdir(), 'mlflow-ref-'));
  const port = await freePort();
  const proc = spawn(command, [dir, String(port)], { stdio: ['ignore', 'ignore', 'ignore'], detached: true });
  const url = `http://127.0.0.1:${port}`;
  try {
    let up = false;
    for (let i = 0; i < 600 && !up; i++) {
      try {
        up = (await fetch(`${url}/health`)).ok;
      } catch {
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    if (!up) throw new Error(`MLflow reference server did not start: ${command}`);
    const version = await (await fetch(`${url}/version`)).text();
    const run = (await postJson(url + API, '/runs/create', { experiment_id: '0' })).run.info.run_id as string;
    let step = 0;
    const batches = 20;
    const bodies = Array.from({ length: batches }, () =>
      JSON.stringify({ run_id: run, metrics: Array.from({ length: 1000 }, (_, j) => ({ key: `m${j % 20}`, value: Math.random(), timestamp: 1_700_000_000_000 + step, step: step++ })) }),
    );
    const ingest = await runLoad(url, 4, batches, (i) => ({ method: 'POST', path: `${API}/runs/log-batch`, body: bodies[i]! }));
    const histRun = (await postJson(url + API, '/runs/create', { experiment_id: '0' })).run.info.run_id as string;
    // 20,000 points: the history read rate is what's compared (MLflow's read time grows linearly).
    for (let b = 0; b < 20; b++) {
      await postJson(url + API, '/runs/log-batch', {
        run_id: histRun,
        metrics: Array.from({ length: 1000 }, (_, j) => ({ key: 'loss', value: Math.random(), timestamp: 1_700_000_000_000 + b * 1000 + j, step: b * 1000 + j })),
      });
    }
    // MLflow answers a get-history without max_results with no points and a token; its client pages by 25,000.
    const readAll = async () => {
      const t0 = performance.now();
      let points = 0;
      let token = '';
      do {
        const page = await getJson(url + API, `/metrics/get-history?run_id=${histRun}&metric_key=loss&max_results=25000${token ? `&page_token=${encodeURIComponent(token)}` : ''}`);
        points += page.body.metrics?.length ?? 0;
        token = page.body.next_page_token ?? '';
      } while (token);
      if (points !== 20_000) throw new Error(`MLflow returned ${points} of 20,000 history points`);
      return performance.now() - t0;
    };
    const hist: number[] = [];
    for (let i = 0; i < 3; i++) hist.push(await readAll());
    const lm = await runLoad(url, 8, 1000, (i) => ({
      method: 'POST',
      path: `${API}/runs/log-metric`,
      body: JSON.stringify({ run_id: run, key: 'x', value: i, timestamp: 1_700_000_000_000 + i, step: i }),
    }));
    return {
      version,
      pointsPerSecond: (batches * 1000) / ingest.seconds,
      historyMs: percentile(hist, 50) * 5, // scaled to 100,000 points
      logMetricRps: lm.requests / lm.seconds,
    };
  } finally {
    try {
      process.kill(-proc.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
