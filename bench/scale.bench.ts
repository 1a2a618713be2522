/**
 * A sharded run with 1 and 2 shards as worker threads over the embedded broker (or `--broker URL`).
 *
 * - `--engine solr` (default): the flagship SoLR world (scale/solr-engine.ts): the DSP and the Users on shard 0,
 *   blocks of premises on every shard, every command, answer and alert a WAN hop apart. Default 370 000 premises:
 *   about 1 000 000 devices (meters and PPMIDs) over 28 days.
 * - `--engine fleet`: the device fleet alone (scale/fleet-engine.ts), no DSP, no message between shards.
 *
 * Prints meter-days per second (the coordinator's wall time, from building the engines to the merged result),
 * devices, windows, scaling efficiency (2 shards ÷ 1 shard), whether the results are identical, and the peak RSS
 * of this process (the coordinator, the broker and the worker shards share it).
 *
 * Usage: npm run bench:scale [-- --engine solr|fleet --premises N --days D --shards 1,2 --broker URL]
 */
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import type { FleetResult } from '../emulator/fleet/fleet-runner.ts';
import type { Report } from '../scenarios/report/report-model.ts';
import { runLocal } from '../scale/launch.ts';

const { values } = parseArgs({
  options: {
    engine: { type: 'string' },
    premises: { type: 'string' },
    days: { type: 'string' },
    shards: { type: 'string' },
    broker: { type: 'string' },
  },
});
const engine = values.engine ?? 'solr';
if (engine !== 'solr' && engine !== 'fleet') throw new RangeError(`--engine: solr or fleet, got ${engine}`);
const premises = Number(values.premises ?? (engine === 'solr' ? 370_000 : 100_000));
const days = Number(values.days ?? 28);
const counts = (values.shards ?? '1,2').split(',').map(Number);
const config = engine === 'solr' ? { premises, days, seed: 'solr-2027' } : { premises, days, seed: 'bench-scale' };

console.log(
  `${engine} engine: ${premises.toLocaleString('en-GB')} premises × ${days} days, worker threads, ${values.broker ?? 'embedded broker'}`,
);
console.log(`${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}, Node ${process.version}`);

/** Devices and meter-days of a merged result. */
function measure(result: Uint8Array): { devices: number; meterDays: number; failed: string[] } {
  const text = new TextDecoder().decode(result);
  if (engine === 'fleet') {
    const r = JSON.parse(text) as FleetResult;
    return { devices: r.consumers.reduce((n, c) => n + c.meters.length + 1, 0), meterDays: r.meterDays, failed: [] };
  }
  const r = JSON.parse(text) as Report;
  const all = r.policies[0]?.outcomes.all;
  if (all === undefined) throw new Error('no outcome in the report');
  // Each premises has its meters and a PPMID.
  return {
    devices: all.meters + all.consumers,
    meterDays: all.meters * days,
    failed: r.assertions.filter((a) => !a.passed).map((a) => a.name),
  };
}

const rates = new Map<number, number>();
let first: Uint8Array | null = null;
for (const shards of counts) {
  const run = await runLocal({
    mode: 'workers',
    shards,
    engine,
    config,
    ...(values.broker === undefined ? {} : { brokerUrl: values.broker }),
    doneTimeoutMs: 30 * 60_000,
    setupTimeoutMs: 30 * 60_000,
  });
  if (!run.ok) throw run.error;
  const m = measure(run.outcome.result);
  const rate = m.meterDays / (run.outcome.wallMs / 1000);
  rates.set(shards, rate);
  first ??= run.outcome.result;
  const same = Buffer.from(first).equals(Buffer.from(run.outcome.result));
  console.log(
    `${shards} shard${shards > 1 ? 's' : ' '}: ${m.devices.toLocaleString('en-GB')} devices, ${m.meterDays.toLocaleString('en-GB')} meter-days, ${run.outcome.windows.toLocaleString('en-GB')} windows, ${run.outcome.messages.toLocaleString('en-GB')} messages in ${(run.outcome.wallMs / 1000).toFixed(1)} s = ${Math.round(rate).toLocaleString('en-GB')} meter-days/s${same ? '' : '  (RESULT DIFFERS FROM THE FIRST RUN)'}`,
  );
  if (m.failed.length > 0) console.log(`  assertions failed: ${m.failed.join('; ')}`);
}
const one = rates.get(1);
const two = rates.get(2);
if (one !== undefined && two !== undefined) console.log(`scaling, 2 shards ÷ 1 shard: ${(two / one).toFixed(2)}×`);
console.log(
  `peak RSS of the process (coordinator, broker and worker shards): ${(process.resourceUsage().maxRSS / 1024 / 1024).toFixed(2)} GiB`,
);
