/**
 * The twin's devices on the sharded runtime: the `fleet` engine (scale/fleet-engine.ts) — meters, PPMIDs and
 * households of a fleet, each shard a block of premises — with 1 and 2 shards as worker threads over the embedded
 * broker. Prints meter-days per second (the coordinator's wall time, from the first window to the last result),
 * devices, scaling efficiency (2 shards ÷ 1 shard) and this process's peak RSS (worker threads share it).
 *
 * The flagship SoLR scenario is not yet an engine kind (its DSP talks to every meter); this measures what the
 * runtime does with real device work.
 *
 * Usage: npm run bench:scale [-- --premises N --days D]
 */
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { FleetResult } from '../emulator/fleet/fleet-runner.ts';
import { runLocal } from '../scale/launch.ts';

const { values } = parseArgs({ options: { premises: { type: 'string' }, days: { type: 'string' } } });
const premises = Number(values.premises ?? 100_000);
const days = Number(values.days ?? 28);
const config = { premises, days, seed: 'bench-scale' };

console.log(`fleet engine: ${premises.toLocaleString('en-GB')} premises × ${days} days, worker threads, embedded broker`);
console.log(`${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}, Node ${process.version}`);

const rates: number[] = [];
let first: Uint8Array | null = null;
for (const shards of [1, 2]) {
  const run = await runLocal({ mode: 'workers', shards, engine: 'fleet', config, doneTimeoutMs: 30 * 60_000, setupTimeoutMs: 30 * 60_000 });
  if (!run.ok) throw run.error;
  const result = JSON.parse(new TextDecoder().decode(run.outcome.result)) as FleetResult;
  const devices = result.consumers.reduce((n, c) => n + c.meters.length + 1, 0);
  const rate = result.meterDays / (run.outcome.wallMs / 1000);
  rates.push(rate);
  if (first === null) first = run.outcome.result;
  const same = Buffer.from(first).equals(Buffer.from(run.outcome.result));
  console.log(
    `${shards} shard${shards > 1 ? 's' : ' '}: ${devices.toLocaleString('en-GB')} devices, ${result.meterDays.toLocaleString('en-GB')} meter-days in ${(run.outcome.wallMs / 1000).toFixed(1)} s = ${Math.round(rate).toLocaleString('en-GB')} meter-days/s${same ? '' : '  (RESULT DIFFERS FROM 1 SHARD)'}`,
  );
}
const [one, two] = rates as [number, number];
console.log(`scaling, 2 shards ÷ 1 shard: ${(two / one).toFixed(2)}×`);
console.log(
  `peak RSS of the process (coordinator, broker and worker shards): ${(process.resourceUsage().maxRSS / 1024 / 1024).toFixed(2)} GiB`,
);
