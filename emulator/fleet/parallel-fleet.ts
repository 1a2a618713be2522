import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { FleetOptions } from './fleet-options.ts';
import { runFleetShard, type FleetResult } from './fleet-runner.ts';

/**
 * Runs a fleet on several cores: premises are split into contiguous shards,
 * one worker thread each. Premises never interact and each draws from its own
 * stream of the seed, so the result is the same as one thread's, premises for
 * premises; only the wall time changes.
 *
 * `raw` is the options object as the user gave it (it crosses to the workers
 * and is parsed there again); `options` is its parsed form.
 */
export async function runFleet(
  options: FleetOptions,
  raw: unknown,
  workers = Math.min(availableParallelism(), 8),
  onDay?: (day: number) => void,
): Promise<FleetResult> {
  const shards = Math.max(1, Math.min(workers, Math.floor(options.premises / 500) || 1));
  if (shards === 1) return runFleetShard(options, 0, options.premises, onDay);
  const size = Math.ceil(options.premises / shards);
  const progress = new Array<number>(shards).fill(0);
  const jobs = Array.from({ length: shards }, (_, i) => {
    const first = i * size;
    const count = Math.min(size, options.premises - first);
    return new Promise<FleetResult>((resolve, reject) => {
      const w = new Worker(new URL('./fleet-worker-entry.mjs', import.meta.url), { workerData: { options: raw, first, count } });
      w.on('message', (m: { kind: 'day'; day: number } | { kind: 'result'; result: FleetResult }) => {
        if (m.kind === 'result') resolve(m.result);
        else {
          progress[i] = m.day;
          onDay?.(Math.min(...progress));
        }
      });
      w.on('error', reject);
      w.on('exit', (code) => {
        if (code !== 0) reject(new Error(`fleet shard ${i} stopped with exit code ${code}`));
      });
    });
  });
  return merge(await Promise.all(jobs));
}

/** Joins shard results in premises order. */
export function merge(parts: readonly FleetResult[]): FleetResult {
  const [head] = parts;
  if (head === undefined) throw new RangeError('merge of no fleet results');
  const alerts: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.alerts)) alerts[k] = (alerts[k] ?? 0) + v;
  const sorted = Object.fromEntries(Object.entries(alerts).sort(([a], [b]) => parseInt(a, 16) - parseInt(b, 16)));
  return {
    ...head,
    consumers: parts.flatMap((p) => p.consumers),
    machineEvents: parts.reduce((s, p) => s + p.machineEvents, 0),
    meterDays: parts.reduce((s, p) => s + p.meterDays, 0),
    alerts: sorted,
    topUps: parts.reduce((s, p) => s + p.topUps, 0),
    topUpsRejected: parts.reduce((s, p) => s + p.topUpsRejected, 0),
  };
}
