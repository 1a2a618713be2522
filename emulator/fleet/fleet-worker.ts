import { parentPort, workerData } from 'node:worker_threads';
import { runFleetShard } from './fleet-runner.ts';
import { parseFleetOptions } from './fleet-options.ts';

/** One shard of a parallel fleet run: premises `first .. first+count-1`. */
interface ShardJob {
  readonly options: unknown;
  readonly first: number;
  readonly count: number;
}

const job = workerData as ShardJob;
const options = parseFleetOptions(job.options);
if (!options.ok) throw new TypeError(`fleet worker got invalid options: ${JSON.stringify(options.error)}`);
const result = runFleetShard(options.value, job.first, job.count, (day) => parentPort?.postMessage({ kind: 'day', day }));
parentPort?.postMessage({ kind: 'result', result });
