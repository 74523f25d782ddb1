/**
 * Worker-thread entry of `HashPool`: runs batches of hash jobs with
 * synchronous I/O, which keeps each chunk hot in this core's cache from read
 * to hash to write (a thread-pool read lands in another core's cache first).
 */
import { parentPort } from 'node:worker_threads';
import { newHashMemo, runHashJob, type HashJob } from './hash-job.js';

/** A batch sent to a worker. */
export interface HashBatchMessage {
  id: number;
  jobs: HashJob[];
}

/** What a worker sends back: progress while a batch runs, results once it is done. */
export type HashWorkerReply = { id: number; progress: number } | { id: number; results: ReturnType<typeof runHashJob>[] };

/** Reports progress at most every this many bytes, so messages stay rare. */
const PROGRESS_STEP = 32 << 20;

const port = parentPort;
if (port) {
  const memo = newHashMemo();
  port.on('message', (batch: HashBatchMessage) => {
    let pending = 0;
    const onBytes = (n: number) => {
      pending += n;
      if (pending >= PROGRESS_STEP) {
        port.postMessage({ id: batch.id, progress: pending } satisfies HashWorkerReply);
        pending = 0;
      }
    };
    const results = batch.jobs.map((job) => runHashJob(job, memo, onBytes));
    if (pending > 0) port.postMessage({ id: batch.id, progress: pending } satisfies HashWorkerReply);
    port.postMessage({ id: batch.id, results } satisfies HashWorkerReply);
  });
}
