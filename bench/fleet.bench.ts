/**
 * Device-fleet benchmark. Prints, for this machine:
 *  1. a baseline measured in the same run: the same meter machines stepped every
 *     half hour (ticking), against the same meters stepped only at their credit
 *     events (planned) — the ratio is what analytic credit buys;
 *  2. heap per device for a fleet held in one thread;
 *  3. the full fleet (default 100 000 premises × 28 days; ESME + GSME for dual-fuel
 *     homes, a PPMID each) on worker threads: meter-days per wall second and
 *     machine events per meter-day.
 *
 * Usage: npm run bench [-- --premises N --days D --workers W]
 */
import { parseArgs } from 'node:util';
import { availableParallelism, cpus } from 'node:os';
import { pounds } from '../core/money.ts';
import { HALF_HOUR_MS, DAY_MS } from '../core/time/duration.ts';
import { MachineStepper } from '../emulator/devices/common/machine-stepper.ts';
import { esmeMachine, ESME_VARIANT } from '../emulator/devices/esme/machine.ts';
import { defaultMeterConfig } from '../emulator/devices/common/meter-config.ts';
import { planDue } from '../emulator/devices/common/meter-logic.ts';
import { householdProfile } from '../emulator/consumer/household-profile.ts';
import { DEFAULT_FLEET_OPTIONS, parseFleetOptions } from '../emulator/fleet/fleet-options.ts';
import { runFleetShard } from '../emulator/fleet/fleet-runner.ts';
import { runFleet } from '../emulator/fleet/parallel-fleet.ts';

const { values } = parseArgs({ options: { premises: { type: 'string' }, days: { type: 'string' }, workers: { type: 'string' } } });
const premises = Number(values.premises ?? 100_000);
const days = Number(values.days ?? 28);
const workers = Number(values.workers ?? availableParallelism());
const gc = (globalThis as { gc?: () => void }).gc;

console.log(`smets-twin fleet benchmark — ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}, node ${process.version}`);

// 1. Ticking vs planned, same meters, same machine, one thread.
const sample = 400;
const sampleDays = 14;
function meters() {
  const stepper = new MachineStepper(esmeMachine);
  const start = DEFAULT_FLEET_OPTIONS.start;
  return {
    stepper,
    start,
    snapshots: Array.from({ length: sample }, (_, i) => {
      const profile = householdProfile('electricity', 7.5, 0.6 + (i % 10) / 10, i);
      return stepper.start({
        id: `bench-${i}`,
        variant: ESME_VARIANT,
        config: defaultMeterConfig('electricity'),
        profile,
        credentials: { ownEui: new Uint8Array(8), supplier: new Uint8Array(8), secret: new Uint8Array(32), siblings: [] },
        at: start,
        mode: 'Prepayment',
        meterBalance: pounds(5 + (i % 40)),
      }).snapshot;
    }),
  };
}
const ticked = (() => {
  const { stepper, start, snapshots } = meters();
  const t0 = performance.now();
  for (let i = 0; i < snapshots.length; i++) {
    let s = snapshots[i]!;
    for (let t = start + HALF_HOUR_MS; t <= start + sampleDays * DAY_MS; t += HALF_HOUR_MS)
      s = stepper.step(s, { type: 'clock.due', now: t }).snapshot;
    snapshots[i] = s;
  }
  return { perSec: (sample * sampleDays) / ((performance.now() - t0) / 1000), events: stepper.steps, snapshots };
})();
const planned = (() => {
  const { stepper, start, snapshots } = meters();
  const end = start + sampleDays * DAY_MS;
  const t0 = performance.now();
  for (let i = 0; i < snapshots.length; i++) {
    let s = snapshots[i]!;
    for (let due = planDue(s.context); due <= end; due = planDue(s.context)) s = stepper.step(s, { type: 'clock.due', now: due }).snapshot;
    s = stepper.step(s, { type: 'clock.due', now: end }).snapshot;
    snapshots[i] = s;
  }
  return { perSec: (sample * sampleDays) / ((performance.now() - t0) / 1000), events: stepper.steps, snapshots };
})();
// Ticking sees a crossing only at the next half hour, so it disables up to 30 minutes late; states still agree.
const agree = ticked.snapshots.filter((s, i) => s.value === planned.snapshots[i]!.value).length;
console.log(`\n1. Same ${sample} ESMEs × ${sampleDays} days, one thread, no top-ups (supply state agrees for ${agree} of ${sample})`);
console.log(
  `   ticked every half hour: ${fmt(ticked.perSec)} meter-days/s, ${(ticked.events / (sample * sampleDays)).toFixed(1)} events/meter-day`,
);
console.log(
  `   planned credit events:  ${fmt(planned.perSec)} meter-days/s, ${(planned.events / (sample * sampleDays)).toFixed(2)} events/meter-day`,
);
console.log(`   ratio planned / ticked: ${(planned.perSec / ticked.perSec).toFixed(1)}×`);

// 2. Heap per device, one thread.
const heapPremises = Math.min(premises, 20_000);
const heapOptions = { ...DEFAULT_FLEET_OPTIONS, premises: heapPremises, days };
gc?.();
const before = process.memoryUsage().heapUsed;
let built = 0;
let devices = 0;
const t1 = performance.now();
const one = runFleetShard(heapOptions, 0, heapPremises, undefined, {
  afterBuild: () => {
    gc?.();
    built = process.memoryUsage().heapUsed - before;
  },
});
const oneSecs = (performance.now() - t1) / 1000;
for (const c of one.consumers) devices += c.meters.length + 1;
console.log(`\n2. ${fmt(heapPremises)} premises in one thread (${fmt(devices)} devices: meters + PPMIDs)`);
console.log(`   heap per device when built: ${fmt(built / devices)} bytes${gc ? '' : ' (run with --expose-gc for exact figures)'}`);
console.log(
  `   one thread: ${fmt(one.meterDays / oneSecs)} meter-days/s, ${(one.machineEvents / one.meterDays).toFixed(2)} machine events/meter-day`,
);

// 3. The full fleet on worker threads.
const raw = { premises, days };
const options = parseFleetOptions(raw);
if (!options.ok) throw new Error(JSON.stringify(options.error));
const t2 = performance.now();
const all = await runFleet(options.value, raw, workers);
const secs = (performance.now() - t2) / 1000;
console.log(`\n3. ${fmt(premises)} premises × ${days} days on ${workers} worker threads`);
console.log(`   ${fmt(all.meterDays)} meter-days in ${secs.toFixed(1)} s = ${fmt(all.meterDays / secs)} meter-days/s`);
console.log(`   ${(all.machineEvents / all.meterDays).toFixed(2)} machine events per meter-day; ${fmt(all.topUps)} top-ups`);
console.log(`   vs ticked baseline: ${(all.meterDays / secs / ticked.perSec).toFixed(0)}×`);

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-GB');
}
