import { Rng } from '../../core/rng.ts';
import { eui64FromIndex, eui64ToBytes } from '../../core/ids.ts';
import { pounds, type Money } from '../../core/money.ts';
import type { Instant } from '../../core/time/duration.ts';
import { DAY_MS } from '../../core/time/duration.ts';
import { VirtualClock } from '../../core/time/virtual-clock.ts';
import { MachineStepper } from '../devices/common/machine-stepper.ts';
import { esmeMachine, ESME_VARIANT } from '../devices/esme/machine.ts';
import { gsmeMachine, GSME_VARIANT } from '../devices/gsme/machine.ts';
import { ppmidMachine } from '../devices/ppmid/machine.ts';
import { settle } from '../devices/common/meter-logic.ts';
import type { Fuel } from '../devices/common/meter-config.ts';
import type { PaymentMode } from '../devices/common/meter-types.ts';
import { createHousehold } from '../consumer/household.ts';
import { fleetKeys } from './fleet-keys.ts';
import { Premises, type FleetWorld, type MeterSlot } from './premises.ts';
import { SupplyTimeline, type OffCause, type OffInterval } from './supply-timeline.ts';
import type { FleetOptions } from './fleet-options.ts';

/** What happened to one meter over the run. */
export interface MeterOutcome {
  readonly fuel: Fuel;
  readonly id: string;
  readonly mode: PaymentMode;
  readonly minutesOff: Readonly<Record<OffCause, number>>;
  readonly offIntervals: readonly OffInterval[];
  readonly topUps: number;
  readonly finalBalance: Money;
}

/** What happened to one household over the run. */
export interface ConsumerOutcome {
  readonly premises: number;
  readonly fuels: 'electricity' | 'dual';
  readonly vulnerable: boolean;
  readonly selfDisconnecting: boolean;
  readonly meters: readonly MeterOutcome[];
}

/** The result of a device-only fleet run (or of one shard of it). */
export interface FleetResult {
  readonly seed: string;
  readonly start: Instant;
  readonly end: Instant;
  readonly days: number;
  readonly consumers: readonly ConsumerOutcome[];
  /** Events stepped through XState machines (meters and PPMIDs). */
  readonly machineEvents: number;
  /** Meter count × days. */
  readonly meterDays: number;
  /** Alert code → count. */
  readonly alerts: Readonly<Record<string, number>>;
  readonly topUps: number;
  readonly topUpsRejected: number;
}

/** Ids of fleet devices: one prefix per device type. */
export const METER_PREFIX = 0x00db1200;
const PPMID_PREFIX = 0x00db1300;
const SUPPLIER_EUI = '90-B3-D5-1F-30-01-00-00';

/**
 * Runs premises `first .. first+count-1` of a fleet for `o.days` days on one
 * virtual clock. Each premises draws from its own stream of the run's seed and
 * premises never interact, so a premises' outcome is the same whether the
 * fleet runs in one piece or in shards.
 */
export function runFleetShard(
  o: FleetOptions,
  first = 0,
  count = o.premises,
  onDay?: (day: number) => void,
  hooks?: { readonly afterBuild?: () => void },
): FleetResult {
  const shard = new FleetShard(o, first, count);
  hooks?.afterBuild?.();
  for (let day = 1; day <= o.days; day++) {
    shard.runUntil(Math.min(shard.end, o.start + day * DAY_MS));
    onDay?.(day);
  }
  return shard.result();
}

/**
 * Premises `first .. first+count-1` of a fleet on a clock of their own, built
 * and begun, for a caller that steps time itself (`runFleetShard` day by day,
 * a sharded run window by window).
 */
export class FleetShard {
  readonly clock: VirtualClock;
  readonly end: Instant;
  private readonly o: FleetOptions;
  private readonly world: FleetWorld;
  private readonly homes: Premises[] = [];

  constructor(o: FleetOptions, first: number, count: number) {
    this.o = o;
    this.clock = new VirtualClock(o.start);
    this.end = o.start + o.days * DAY_MS;
    this.world = {
      clock: this.clock,
      esme: new MachineStepper(esmeMachine),
      gsme: new MachineStepper(gsmeMachine),
      ppmid: new MachineStepper(ppmidMachine),
      supplier: eui64ToBytes(SUPPLIER_EUI as Parameters<typeof eui64ToBytes>[0]),
      stats: { alerts: new Map(), topUps: 0, topUpsRejected: 0 },
    };
    const keys = fleetKeys(o.seed, 2 * first, 2 * count);
    const root = Rng.fromSeed(o.seed);
    for (let k = 0; k < count; k++) {
      this.homes.push(buildPremises(o, this.world, root, first + k, keys.secrets[2 * k], keys.secrets[2 * k + 1]));
    }
    for (const p of this.homes) p.begin(o.start);
  }

  /** Runs every event due at or before `t` (never past the end). */
  runUntil(t: Instant): void {
    this.clock.runUntil(Math.min(t, this.end));
  }

  /** Closes every timeline at the end and gathers the outcomes. */
  result(): FleetResult {
    const { o, world, end } = this;
    let meters = 0;
    const consumers = this.homes.map((p) => {
      p.finish(end);
      meters += p.meters.length;
      return outcome(p, end);
    });
    const alerts: Record<string, number> = {};
    for (const [code, n] of [...world.stats.alerts].sort((a, b) => a[0] - b[0])) alerts[`0x${code.toString(16).toUpperCase()}`] = n;
    return {
      seed: o.seed,
      start: o.start,
      end,
      days: o.days,
      consumers,
      machineEvents: world.esme.steps + world.gsme.steps + world.ppmid.steps,
      meterDays: meters * o.days,
      alerts,
      topUps: world.stats.topUps,
      topUpsRejected: world.stats.topUpsRejected,
    };
  }
}

/**
 * What a premises is, without building it: its fuels and payment mode, drawn
 * exactly as `buildPremises` draws them (the first draw of the household's
 * stream and of the meters' stream). A sharded SoLR world's DSP registers
 * every meter of the estate, and its SRP lists the prepayment ones, from
 * these alone, while other shards build the meters. // docs/scale-out.md
 */
export function premisesFacts(o: FleetOptions, root: Rng, index: number): { readonly dual: boolean; readonly mode: PaymentMode } {
  const rng = root.fork(index);
  return {
    dual: rng.fork('household').chance(o.household.dualFuelShare),
    mode: rng.fork('meters').chance(o.prepaymentShare) ? 'Prepayment' : 'Credit',
  };
}

/** Builds premises `index` of a fleet: its household, meters and PPMID, each from its own stream of the seed. */
export function buildPremises(
  o: FleetOptions,
  world: FleetWorld,
  root: Rng,
  index: number,
  elecSecret?: Uint8Array,
  gasSecret?: Uint8Array,
): Premises {
  const rng = root.fork(index);
  const household = createHousehold(rng.fork('household'), o.household);
  const setup = rng.fork('meters');
  const mode: PaymentMode = setup.chance(o.prepaymentShare) ? 'Prepayment' : 'Credit';
  const elecEui = eui64FromIndex(METER_PREFIX, 2 * index);
  const gasEui = eui64FromIndex(METER_PREFIX, 2 * index + 1);
  // Both meters' identities in one small block (a buffer each would cost more than the bytes).
  const euis = new Uint8Array(16);
  euis.set(eui64ToBytes(elecEui), 0);
  euis.set(eui64ToBytes(gasEui), 8);
  const elecBytes = euis.subarray(0, 8);
  const gasBytes = euis.subarray(8, 16);
  if (elecSecret === undefined || gasSecret === undefined) throw new RangeError(`no key material for premises ${index}`);
  const dual = household.fuels === 'dual';
  const meters: MeterSlot[] = [];
  const slot = (
    fuel: Fuel,
    id: string,
    eui: Uint8Array,
    secret: Uint8Array,
    sibling: { eui: Uint8Array; secret: Uint8Array } | null,
  ): MeterSlot => {
    const stepper = fuel === 'electricity' ? world.esme : world.gsme;
    const profile = fuel === 'electricity' ? household.elecProfile : household.gasProfile;
    if (profile === null) throw new RangeError(`premises ${index} has no ${fuel} profile`);
    const { snapshot } = stepper.start({
      id,
      variant: fuel === 'electricity' ? ESME_VARIANT : GSME_VARIANT,
      config: fuel === 'electricity' ? o.electricityMeter : o.gasMeter,
      profile,
      credentials: { ownEui: eui, supplier: world.supplier, secret, siblings: sibling ? [sibling] : [] },
      at: o.start,
      mode,
      meterBalance: pounds(setup.int(o.startBalancePounds.min, o.startBalancePounds.max)),
      wakePhaseMs: setup.int(0, 30 * 60_000 - 1),
    });
    return {
      fuel,
      eui,
      secret,
      snapshot,
      due: null,
      dueAt: Infinity,
      counter: 0,
      timeline: new SupplyTimeline(),
      topUpPlanned: false,
      expectingArm: false,
      topUps: 0,
    };
  };
  meters.push(slot('electricity', elecEui, elecBytes, elecSecret, dual ? { eui: gasBytes, secret: gasSecret } : null));
  if (dual) meters.push(slot('gas', gasEui, gasBytes, gasSecret, { eui: elecBytes, secret: elecSecret }));
  let { snapshot: ppmid } = world.ppmid.start({ id: eui64FromIndex(PPMID_PREFIX, index) });
  for (const m of meters)
    ppmid = world.ppmid.step(ppmid, { type: 'han.join', now: o.start, fuel: m.fuel, meterId: m.snapshot.context.id }).snapshot;
  return new Premises(index, household, rng.fork('decisions'), world, meters, ppmid);
}

/** What happened to one premises' household and meters by `end`. */
export function outcome(p: Premises, end: Instant): ConsumerOutcome {
  return {
    premises: p.index,
    fuels: p.household.fuels,
    vulnerable: p.household.vulnerable,
    selfDisconnecting: p.household.selfDisconnecting,
    meters: p.meters.map((m) => {
      const c = m.snapshot.context;
      const settled = settle(c, end).patch.ledger ?? c.ledger;
      return {
        fuel: m.fuel,
        id: c.id,
        mode: c.mode,
        minutesOff: m.timeline.minutesOff(),
        offIntervals: m.timeline.intervals,
        topUps: m.topUps,
        finalBalance: settled.meterBalance + settled.ecBalance,
      };
    }),
  };
}
