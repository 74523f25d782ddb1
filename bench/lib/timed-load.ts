import http from 'node:http';
import type { RequestSpec } from './http-load.js';

export interface TimedLoadResult {
  /** Requests answered (any status) plus those that failed at the socket. */
  requests: number;
  /** Answers with status ≥ 300, plus socket errors. */
  errors: number;
  seconds: number;
  requestsPerSecond: number;
  latenciesMs: number[];
  /** The first error seen, for the report ('' when none). */
  firstError: string;
}

/**
 * Closed-loop load for a fixed time rather than a fixed count: `concurrency`
 * workers over keep-alive sockets, each sending its next request as soon as
 * the previous one answers, until `seconds` have passed. Unlike `runLoad`, a
 * socket error is counted rather than ending the run, since "zero errors" is
 * itself a measure here.
 */
export async function runTimedLoad(baseUrl: string, concurrency: number, seconds: number, next: (i: number) => RequestSpec): Promise<TimedLoadResult> {
  const url = new URL(baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  let firstError = '';
  const fail = (why: string) => {
    errors++;
    if (!firstError) firstError = why;
  };
  const one = (spec: RequestSpec) =>
    new Promise<void>((resolve) => {
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
          const status = res.statusCode ?? 0;
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            if (status >= 300 && text.length < 300) text += d;
          });
          res.on('end', () => {
            latencies.push(performance.now() - t0);
            if (status >= 300) fail(`${status} ${text.slice(0, 300)}`);
            resolve();
          });
        },
      );
      req.on('error', (err) => {
        fail(err.message);
        resolve();
      });
      if (spec.body) req.write(spec.body);
      req.end();
    });
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) await one(next(issued++));
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  agent.destroy();
  return { requests: issued, errors, seconds: elapsed, requestsPerSecond: issued / elapsed, latenciesMs: latencies, firstError };
}
