import { availableParallelism } from 'node:os';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { newHashMemo, runHashJob, type HashJob, type HashMemo, type HashResult } from './hash-job.js';
import type { HashBatchMessage, HashWorkerReply } from './hash-worker.js';

/** A job with the size it is expected to have, for scheduling and progress. */
export interface SizedHashJob extends HashJob {
  size: number;
}

export interface HashPoolOptions {
  /** Worker threads at most (default: the core count, at most 8). */
  threads?: number;
  /** Jobs totalling fewer bytes run on the calling thread: starting workers costs more (default 32 MiB). */
  inlineBelowBytes?: number;
}

/** Small files travel in batches of at most this many files or bytes, so per-message costs stay small. */
const BATCH_FILES = 64;
const BATCH_BYTES = 8 << 20;

interface PoolWorker {
  /** Set once the thread has started. */
  worker?: Worker;
  ready: Promise<void>;
  busy: number;
  failed?: boolean;
}

interface Batch {
  id: number;
  indexes: number[];
  bytes: number;
}

/**
 * Hashes (and copies) files on worker threads, one file per thread at a time,
 * with synchronous reads in 1 MiB chunks. SHA-256 runs in OpenSSL (with the
 * CPU's SHA extensions where present), so one thread roughly matches
 * `openssl dgst`; several files hash in parallel across cores. Workers start
 * on first use and stay until `close()`.
 */
export class HashPool {
  private readonly threads: number;
  private readonly inlineBelow: number;
  private readonly workers: PoolWorker[] = [];
  private readonly memo: HashMemo = newHashMemo();
  /** Batches run on worker threads so far (the rest ran on the calling thread). */
  workerBatches = 0;

  constructor(options: HashPoolOptions = {}) {
    this.threads = Math.max(1, options.threads ?? Math.min(availableParallelism(), 8));
    this.inlineBelow = options.inlineBelowBytes ?? 32 << 20;
  }

  /**
   * Runs every job; results come back in the jobs' order. Never rejects for a
   * file's own failure (that is a `{ ok: false }` result), only when a worker
   * thread dies.
   */
  async run(jobs: SizedHashJob[], onBytes?: (bytes: number) => void): Promise<HashResult[]> {
    const total = jobs.reduce((sum, j) => sum + j.size, 0);
    if (jobs.length === 0) return [];
    if (total < this.inlineBelow || this.threads === 1) return this.runInline(jobs, onBytes);
    const batches = makeBatches(jobs);
    const results: HashResult[] = new Array(jobs.length);
    const wanted = Math.min(this.threads, batches.length);
    while (this.workers.length < wanted) this.workers.push(startPoolWorker());
    const active = this.workers.slice(0, wanted);
    let next = 0;
    let done = 0;
    const byId = new Map<number, Batch>();
    const cleanups: (() => void)[] = [];
    let settled = false;
    let resolveRun!: () => void;
    let rejectRun!: (err: Error) => void;
    const finished = new Promise<void>((resolve, reject) => {
      resolveRun = resolve;
      rejectRun = reject;
    });
    const finish = (err?: Error) => {
      if (settled) return;
      settled = true;
      for (const c of cleanups) c();
      for (const w of active) w.worker?.unref();
      if (err) rejectRun(err);
      else resolveRun();
    };
    const feed = (w: PoolWorker) => {
      // Two batches in flight per thread hide the message round trip.
      while (w.worker && w.busy < 2 && next < batches.length) {
        const batch = batches[next++]!;
        byId.set(batch.id, batch);
        w.busy++;
        w.worker.postMessage({ id: batch.id, jobs: batch.indexes.map((i) => stripSize(jobs[i]!)) } satisfies HashBatchMessage);
      }
    };
    const attach = (w: PoolWorker) => {
      const worker = w.worker!;
      worker.ref();
      const onMessage = (reply: HashWorkerReply) => {
        if ('progress' in reply) return void onBytes?.(reply.progress);
        const batch = byId.get(reply.id);
        if (!batch) return;
        byId.delete(reply.id);
        w.busy--;
        reply.results.forEach((r, k) => (results[batch.indexes[k]!] = r));
        this.workerBatches++;
        if (++done === batches.length) finish();
        else feed(w);
      };
      const onError = (err: Error) => finish(new Error(`A hashing thread failed: ${err.message}`, { cause: err }));
      const onExit = (code: number) => finish(new Error(`A hashing thread exited with code ${code}`));
      worker.on('message', onMessage).on('error', onError).on('exit', onExit);
      cleanups.push(() => worker.off('message', onMessage).off('error', onError).off('exit', onExit));
      feed(w);
    };
    for (const w of active) {
      if (w.worker) attach(w);
      // A thread that cannot start leaves its share to the others, or to this one.
      else void w.ready.then(() => !settled && attach(w), () => undefined);
    }
    // Threads take a moment to start (long under tsx): hash on this one meanwhile.
    while (!settled && next < batches.length && !active.some((w) => w.worker && !w.failed)) {
      const batch = batches[next++]!;
      batch.indexes.forEach((i) => (results[i] = runHashJob(stripSize(jobs[i]!), this.memo, onBytes)));
      if (++done === batches.length) finish();
      await yieldToLoop();
    }
    await finished;
    return results;
  }

  /** Starts the worker threads ahead of a run (otherwise the first large run starts them). */
  async start(): Promise<void> {
    while (this.workers.length < this.threads) this.workers.push(startPoolWorker());
    await Promise.all(this.workers.map((w) => w.ready));
  }

  /** Stops the worker threads. */
  async close(): Promise<void> {
    const workers = this.workers.splice(0);
    await Promise.all(workers.map((w) => w.ready.then(() => w.worker?.terminate(), () => undefined)));
  }

  private async runInline(jobs: SizedHashJob[], onBytes?: (bytes: number) => void): Promise<HashResult[]> {
    const results: HashResult[] = [];
    let sinceYield = 0;
    for (const job of jobs) {
      results.push(runHashJob(stripSize(job), this.memo, onBytes));
      sinceYield += job.size + 4096;
      // Let a progress bar redraw now and then.
      if (sinceYield > 4 << 20) {
        sinceYield = 0;
        await yieldToLoop();
      }
    }
    return results;
  }
}

function stripSize(job: SizedHashJob): HashJob {
  const { size: _size, ...rest } = job;
  return rest;
}

/** Largest files first (so no thread is left with a big file at the end), small ones grouped. */
function makeBatches(jobs: SizedHashJob[]): Batch[] {
  const order = jobs.map((_, i) => i).sort((a, b) => jobs[b]!.size - jobs[a]!.size);
  const batches: Batch[] = [];
  let current: Batch | undefined;
  let id = 0;
  for (const i of order) {
    const size = jobs[i]!.size;
    if (!current || current.indexes.length >= BATCH_FILES || current.bytes + size > BATCH_BYTES) {
      current = { id: id++, indexes: [], bytes: 0 };
      batches.push(current);
    }
    current.indexes.push(i);
    current.bytes += size;
  }
  return batches;
}

function startPoolWorker(): PoolWorker {
  const w: PoolWorker = { busy: 0, ready: Promise.resolve() };
  w.ready = startWorker().then(
    (worker) => {
      w.worker = worker;
    },
    () => {
      w.failed = true;
    },
  );
  return w;
}

/**
 * Starts a worker on hash-worker. Run from TypeScript sources (tests, tsx),
 * the worker registers tsx itself: tsx's `--import` hook covers the main
 * thread only.
 */
async function startWorker(): Promise<Worker> {
  const fromSource = import.meta.url.endsWith('.ts');
  const entry = new URL(`./hash-worker.${fromSource ? 'ts' : 'js'}`, import.meta.url).href;
  const load = fromSource
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); })`
    : `import(${JSON.stringify(entry)})`;
  const worker = new Worker(`${load}.then(() => require('node:worker_threads').parentPort.postMessage('ready'));`, { eval: true });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  worker.unref();
  return worker;
}
