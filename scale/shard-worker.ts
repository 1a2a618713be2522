import { parentPort, workerData } from 'node:worker_threads';
import { runShardJob, type ShardJob } from './jobs.ts';

/** One shard as a worker thread (`startWorkerShard`): runs its job, reports progress, exits 0 or 1. */
const job = workerData as ShardJob;
try {
  const outcome = await runShardJob(job, (event) => parentPort?.postMessage({ kind: 'event', event }));
  parentPort?.postMessage({ kind: 'outcome', outcome });
} catch (error) {
  parentPort?.postMessage({ kind: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exitCode = 1;
}
