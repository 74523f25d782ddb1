import http from 'node:http';

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  latenciesMs: number[];
}

export interface RequestSpec {
  method: string;
  path: string;
  body?: string;
}

/**
 * Closed-loop load: `concurrency` workers each send their next request as soon
 * as the previous one answers, over keep-alive sockets (fetch costs too much
 * per request to drive a fast server from one core).
 */
export async function runLoad(baseUrl: string, concurrency: number, total: number, next: (i: number) => RequestSpec): Promise<LoadResult> {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const one = (spec: RequestSpec) =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          method: spec.method,
          path: spec.path,
          agent,
          headers: spec.body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(spec.body) } : {},
        },
        (res) => {
          res.on('data', () => undefined);
          res.on('end', () => {
            latencies.push(performance.now() - t0);
            resolve(res.statusCode ?? 0);
          });
        },
      );
      req.on('error', reject);
      if (spec.body) req.write(spec.body);
      req.end();
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < total) {
        const status = await one(next(issued++));
        if (status >= 300) errors++;
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  return { requests: total, errors, seconds, latenciesMs: latencies };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export async function getJson(baseUrl: string, path: string): Promise<{ ms: number; body: any }> {
  const t0 = performance.now();
  const res = await fetch(baseUrl + path);
  const body = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return { ms: performance.now() - t0, body };
}

export async function postJson(baseUrl: string, path: string, payload: unknown): Promise<any> {
  const res = await fetch(baseUrl + path, { method: 'POST', body: JSON.stringify(payload), headers: { 'content-type': 'application/json' } });
  const body = await res.json();
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}
