import type { SnapshotFrom } from 'xstate';
import type { Rng } from '../../core/rng.ts';
import type { Money } from '../../core/money.ts';
import type { Instant } from '../../core/time/duration.ts';
import type { VirtualClock, TimerHandle } from '../../core/time/virtual-clock.ts';
import type { MachineStepper, Effect } from '../devices/common/machine-stepper.ts';
import type { MeterMachine } from '../devices/common/meter-machine.ts';
import type { MeterEvent, MeterInput, MeterResponse } from '../devices/common/meter-types.ts';
import type { Fuel } from '../devices/common/meter-config.ts';
import type { PpmidMachine, PpmidEvent, PpmidInput, ForwardParams } from '../devices/ppmid/machine.ts';
import { planDue, isAwake, nextWake } from '../devices/common/meter-logic.ts';
import { ALERT } from '../devices/common/alerts.ts';
import { mintUtrn } from '../devices/common/utrn/mint-utrn.ts';
import {
  topUpAfterLowCredit,
  topUpAfterOffSupply,
  nextRegularTopUp,
  takesEmergencyCredit,
  enableDelayAfterOwnTopUp,
  enableDelayAfterExternalArm,
  type Household,
  type TopUpChannel,
} from '../consumer/household.ts';
import type { SupplyTimeline } from './supply-timeline.ts';
import type { CommandAuthority } from '../devices/common/command-authority.ts';
import { fromHanCommand } from '../../proto/han-mapping.ts';
import type { HanCommand } from '../../proto/types.ts';
import type { MeterFailure } from '../devices/common/meter-types.ts';

export type MeterSnapshot = SnapshotFrom<MeterMachine>;
export type MeterStepper = MachineStepper<MeterSnapshot, MeterEvent, MeterInput>;
export type PpmidStepper = MachineStepper<SnapshotFrom<PpmidMachine>, PpmidEvent, PpmidInput>;

/** What every premises of a fleet shares: one clock, one stepper per device type, the counters. */
export interface FleetWorld {
  readonly clock: VirtualClock;
  readonly esme: MeterStepper;
  readonly gsme: MeterStepper;
  readonly ppmid: PpmidStepper;
  /** The supplier's EUI-64 bytes: the originator of every UTRN. */
  readonly supplier: Uint8Array;
  readonly stats: FleetStats;
  /**
   * Whether a household can buy a top-up now: false while nobody sells UTRNs
   * for its meter (its failed supplier stopped vending, the new one has not
   * started). Absent: always. // DOMAIN §7.2; SEED0 §2
   */
  readonly vendingOpen?: (premises: number, slot: MeterSlot, now: Instant) => boolean;
  /** Hears every alert a meter raises (the comms hub carries it up the WAN). */
  readonly onAlert?: (premises: Premises, slot: MeterSlot, code: number, now: Instant) => void;
  /** Hears each meter's answer to a remote command (one that carried a `ref`). */
  readonly onRemoteResponse?: (premises: Premises, slot: MeterSlot, response: MeterResponse, now: Instant) => void;
}

/** How long a household that could not buy a top-up waits before it tries again. UNVERIFIED (OPEN-QUESTIONS G1). */
export const VENDING_RETRY_MS = 6 * 60 * 60 * 1000;

export interface FleetStats {
  readonly alerts: Map<number, number>;
  topUps: number;
  topUpsRejected: number;
  /** Top-ups a household wanted and could not buy: no vending for its meter. */
  topUpsUnavailable?: number;
}

/** A meter in a premises, and what the household knows and intends about it. */
export interface MeterSlot {
  readonly fuel: Fuel;
  readonly eui: Uint8Array;
  readonly secret: Uint8Array;
  snapshot: MeterSnapshot;
  due: TimerHandle | null;
  dueAt: Instant;
  /** The supplier's top-up counter for this meter (upper half of the UTRN counter). // DOMAIN §2.2 */
  counter: number;
  readonly timeline: SupplyTimeline;
  /** Its check of critical remote commands, when it holds trust anchors. // DOMAIN §5.2 */
  authority?: CommandAuthority;
  /** A top-up is already planned: low-credit and off-supply alerts do not plan another. */
  topUpPlanned: boolean;
  /** The household acted on a disabled meter: the next arming is its own doing. */
  expectingArm: boolean;
  topUps: number;
}

/**
 * One home: its meters, its PPMID and its household, reacting to what the
 * meters say. Every reaction is scheduled on the shared virtual clock; nothing
 * runs re-entrantly inside a meter step.
 */
export class Premises {
  readonly index: number;
  readonly household: Household;
  readonly meters: readonly MeterSlot[];
  ppmid: SnapshotFrom<PpmidMachine>;
  private readonly rng: Rng;
  private readonly world: FleetWorld;
  /** Refs of remote commands waiting for the meter's answer. */
  private readonly remoteRefs = new Set<string>();

  constructor(
    index: number,
    household: Household,
    rng: Rng,
    world: FleetWorld,
    meters: readonly MeterSlot[],
    ppmid: SnapshotFrom<PpmidMachine>,
  ) {
    this.index = index;
    this.household = household;
    this.rng = rng;
    this.world = world;
    this.meters = meters;
    this.ppmid = ppmid;
  }

  /** Starts the household's habits and each meter's first credit event. */
  begin(now: Instant): void {
    for (const slot of this.meters) {
      slot.timeline.record(now, slot.snapshot.context.supply, slot.snapshot.context.cause);
      this.replan(slot);
      if (this.household.trigger === 'regular') this.planRegularTopUp(slot, now);
    }
  }

  /** Steps one meter and reacts: alerts, supply changes, the next credit event. */
  send(slot: MeterSlot, event: MeterEvent): void {
    const stepper = slot.fuel === 'electricity' ? this.world.esme : this.world.gsme;
    const before = slot.snapshot.context;
    const r = stepper.step(slot.snapshot, event);
    slot.snapshot = r.snapshot;
    const after = r.snapshot.context;
    if (after.supply !== before.supply || after.cause !== before.cause) slot.timeline.record(event.now, after.supply, after.cause);
    this.react(slot, event, r.effects);
    if (after.supply !== before.supply) this.onSupplyChange(slot, event.now);
    this.replan(slot);
  }

  private react(slot: MeterSlot, event: MeterEvent, effects: readonly Effect[]): void {
    const stats = this.world.stats;
    for (const e of effects) {
      if (e.type === 'alert') {
        const code = (e.params as { code: number }).code;
        stats.alerts.set(code, (stats.alerts.get(code) ?? 0) + 1);
        this.world.onAlert?.(this, slot, code, event.now);
        if (code === ALERT.lowCredit) this.onLowCredit(slot, event.now);
        else if (code === ALERT.ecAvailable) this.onEmergencyCreditOffered(slot, event.now);
      } else if (e.type === 'respond') {
        const r = e.params as MeterResponse;
        if (r.ref !== null && event.type !== 'clock.due' && this.world.onRemoteResponse !== undefined && this.remoteRefs.delete(r.ref)) {
          this.world.onRemoteResponse(this, slot, r, event.now);
          continue;
        }
        if (r.outcome === 'failure' && r.reason === 'asleep') this.deliverWhenAwake(slot, event);
        else if (event.type === 'credit.utrn' && r.outcome === 'failure') stats.topUpsRejected++;
        else if (event.type === 'credit.utrn') this.afterTopUp(slot, event.now);
      }
    }
  }

  /** Schedules the meter's next credit event. // ARCHITECTURE "Time": credit is planned, not ticked */
  private replan(slot: MeterSlot): void {
    const clock = this.world.clock;
    const due = Math.max(planDue(slot.snapshot.context), clock.now());
    if (due === slot.dueAt) return;
    if (slot.due !== null) clock.cancel(slot.due);
    slot.dueAt = due;
    slot.due = Number.isFinite(due)
      ? clock.schedule(due, () => {
          slot.due = null;
          slot.dueAt = Infinity;
          this.send(slot, { type: 'clock.due', now: due });
        })
      : null;
  }

  private onLowCredit(slot: MeterSlot, now: Instant): void {
    if (slot.topUpPlanned) return;
    const d = topUpAfterLowCredit(this.household, this.rng, now, slot.fuel);
    if (d) this.planTopUp(slot, d.at, d.amount, d.channel);
  }

  private onEmergencyCreditOffered(slot: MeterSlot, now: Instant): void {
    if (!takesEmergencyCredit(this.household, this.rng)) return;
    const via = this.buttonsAt(slot);
    this.world.clock.schedule(now, () => this.act(slot, via, { type: 'ec.activate', now: this.world.clock.now(), via }));
  }

  private onSupplyChange(slot: MeterSlot, now: Instant): void {
    const c = slot.snapshot.context;
    if (c.supply === 'Disabled' && c.cause === 'credit' && !slot.topUpPlanned) {
      const d = topUpAfterOffSupply(this.household, this.rng, now, slot.fuel);
      this.planTopUp(slot, d.at, d.amount, d.channel);
    } else if (c.supply === 'Armed') {
      // DOMAIN §1.5, §1.6: armed is not on; the consumer must act, soon after their own top-up, later (or never) otherwise.
      const delay = slot.expectingArm
        ? enableDelayAfterOwnTopUp(this.household, this.rng)
        : enableDelayAfterExternalArm(this.household, this.rng);
      slot.expectingArm = false;
      if (delay === null) return;
      const via = this.buttonsAt(slot);
      this.world.clock.schedule(now + delay, () => {
        if (slot.snapshot.context.supply !== 'Armed') return;
        this.act(slot, via, { type: 'supply.enableLocal', now: this.world.clock.now(), via: via === 'ppmid' ? 'ppmid' : 'meter' });
      });
    }
  }

  /** A top-up too small to clear what is owed leaves the meter off: the household tops up again. */
  private afterTopUp(slot: MeterSlot, now: Instant): void {
    const c = slot.snapshot.context;
    if (c.supply !== 'Disabled' || c.cause !== 'credit' || slot.topUpPlanned) return;
    const d = topUpAfterOffSupply(this.household, this.rng, now, slot.fuel);
    this.planTopUp(slot, d.at, d.amount, d.channel);
  }

  private planTopUp(slot: MeterSlot, at: Instant, amount: Money, channel: TopUpChannel): void {
    slot.topUpPlanned = true;
    this.world.clock.schedule(Math.max(at, this.world.clock.now()), () => this.topUp(slot, amount, channel, false));
  }

  private planRegularTopUp(slot: MeterSlot, now: Instant): void {
    const d = nextRegularTopUp(this.household, this.rng, now, slot.fuel);
    if (d) this.world.clock.schedule(Math.max(d.at, now), () => this.topUp(slot, d.amount, d.channel, true));
  }

  /** The household buys a UTRN from its supplier and enters it (or has it sent). // DOMAIN §2.3 */
  private topUp(slot: MeterSlot, amount: Money, channel: TopUpChannel, regular: boolean): void {
    const now = this.world.clock.now();
    if (this.world.vendingOpen !== undefined && !this.world.vendingOpen(this.index, slot, now)) {
      // Nobody sells a UTRN for this meter now: the household tries again later, the meter runs on.
      this.world.stats.topUpsUnavailable = (this.world.stats.topUpsUnavailable ?? 0) + 1;
      this.world.clock.schedule(now + VENDING_RETRY_MS, () => this.topUp(slot, amount, channel, regular));
      return;
    }
    if (!regular) slot.topUpPlanned = false;
    const c = slot.snapshot.context;
    if (c.supply === 'Disabled' && c.cause === 'credit') slot.expectingArm = true;
    slot.counter += 1;
    const counter = BigInt(slot.counter) << 32n;
    const utrn = mintUtrn({ secret: slot.secret, originator: this.world.supplier, target: slot.eui, counter, credit: amount });
    this.world.stats.topUps++;
    slot.topUps++;
    if (utrn.ok) {
      const via = this.channelFor(slot, channel);
      this.act(slot, via, { type: 'credit.utrn', now, utrn: utrn.value, via, ...(via === 'remote' ? { counter } : {}) });
    } else {
      this.world.stats.topUpsRejected++;
    }
    if (regular) this.planRegularTopUp(slot, now);
  }

  /** Buttons (emergency credit, enable) are pressed on the PPMID by PPMID users, for electricity; otherwise at the meter. */
  private buttonsAt(slot: MeterSlot): 'meter' | 'ppmid' {
    return slot.fuel === 'electricity' && this.household.channel === 'ppmid' ? 'ppmid' : 'meter';
  }

  /** Electricity can be handled on the PPMID; gas buttons are pressed at the gas meter, which wakes it. */
  private channelFor(slot: MeterSlot, channel: TopUpChannel): TopUpChannel {
    return slot.fuel === 'gas' && channel === 'ppmid' ? 'meter' : channel;
  }

  /** A consumer action at the meter, on the PPMID, or a remote command. */
  private act(slot: MeterSlot, via: TopUpChannel, event: MeterEvent): void {
    if (via !== 'ppmid') {
      if (via === 'remote') this.deliverWhenAwake(slot, event);
      else this.send(slot, event);
      return;
    }
    const ppmidEvent = toPpmidEvent(slot.fuel, event);
    if (ppmidEvent === null) return this.send(slot, event);
    const r = this.world.ppmid.step(this.ppmid, ppmidEvent);
    this.ppmid = r.snapshot;
    for (const e of r.effects) if (e.type === 'forward') this.deliverWhenAwake(slot, (e.params as ForwardParams).event);
  }

  /** HAN and WAN traffic reaches a sleepy meter when it next listens. // DOMAIN §3.4 */
  private deliverWhenAwake(slot: MeterSlot, event: MeterEvent): void {
    const c = slot.snapshot.context;
    const now = this.world.clock.now();
    if (isAwake(c, now)) return this.send(slot, { ...event, now });
    const at = nextWake(c, now);
    this.world.clock.schedule(at, () => this.send(slot, { ...event, now: at }));
  }

  /**
   * A command from the DSP through the comms hub: checked against the
   * meter's trust anchors when it holds them, then delivered when the meter
   * listens (at once for the ESME; at its next wake for the GSME, the GPF
   * holding it). The answer goes to `FleetWorld.onRemoteResponse`. Meter
   * commands only: a credential update is the device security layer's, and
   * its caller's (`CommandAuthority`). // DOMAIN §3.4, §5.2
   */
  remote(slot: MeterSlot, command: HanCommand): void {
    const now = this.world.clock.now();
    const ref = command.ref ?? '';
    let c: HanCommand = command;
    if (slot.authority !== undefined) {
      const verdict = slot.authority.admit({ ...command, now });
      if (!verdict.ok) return this.world.onRemoteResponse?.(this, slot, refusal(ref, command, 'not-authorised'), now);
      c = verdict.command;
    }
    const event = fromHanCommand({ ...c, now });
    if (!event.ok) return this.world.onRemoteResponse?.(this, slot, refusal(ref, c, 'not-supported'), now);
    this.remoteRefs.add(ref);
    this.deliverWhenAwake(slot, { ...event.value, ref });
  }

  /** A consumer's own action at the meter or on the PPMID (a scenario's timeline says when). */
  consumer(slot: MeterSlot, event: MeterEvent & { readonly via: 'meter' | 'ppmid' | 'remote' }): void {
    this.act(slot, event.via === 'remote' ? 'remote' : event.via, event);
  }

  /** The household buys a top-up now, through `channel` (if anyone sells one). */
  buyTopUp(slot: MeterSlot, amount: Money, channel: TopUpChannel): void {
    this.topUp(slot, amount, channel, false);
  }

  /** Closes timelines at the end of a run. */
  finish(end: Instant): void {
    for (const slot of this.meters) slot.timeline.close(end);
  }
}

function toPpmidEvent(fuel: Fuel, e: MeterEvent): PpmidEvent | null {
  switch (e.type) {
    case 'credit.utrn':
      return { type: 'consumer.utrn', now: e.now, fuel, utrn: e.utrn };
    case 'ec.activate':
      return { type: 'consumer.emergencyCredit', now: e.now, fuel };
    case 'supply.enableLocal':
      return { type: 'consumer.enable', now: e.now, fuel };
    default:
      return null;
  }
}

/** A failed answer to a remote meter command the meter never saw (for a command that is no meter event: `clock.due`, never sent remotely). */
function refusal(ref: string, c: HanCommand, reason: MeterFailure): MeterResponse {
  const event = fromHanCommand({ ...c, now: 0 });
  return { ref, command: event.ok ? event.value.type : 'clock.due', outcome: 'failure', reason };
}
