/**
 * Drives one ESME or GSME machine through the snapshot stepper, the way a
 * fleet or a comms hub would, and keeps what it said: alerts, responses and
 * every supply-state change. Top-ups are real UTRNs minted for the device with
 * a real ECDH secret. // DOMAIN §1, §2
 */
import type { SnapshotFrom } from 'xstate';
import { pounds, type Money } from '../../core/money.ts';
import { unwrap } from '../../core/result.ts';
import type { Instant } from '../../core/time/duration.ts';
import { MachineStepper, type Effect } from '../../emulator/devices/common/machine-stepper.ts';
import { defaultMeterConfig, type Fuel, type MeterConfig } from '../../emulator/devices/common/meter-config.ts';
import { isAwake, nextWake, planDue } from '../../emulator/devices/common/meter-logic.ts';
import type { MeterMachine } from '../../emulator/devices/common/meter-machine.ts';
import type {
  DisableCause,
  MeterContext,
  MeterEvent,
  MeterInput,
  MeterResponse,
  PaymentMode,
  SupplyState,
  Via,
} from '../../emulator/devices/common/meter-types.ts';
import { compileCalendar, NO_NON_DISABLEMENT } from '../../emulator/devices/common/non-disablement.ts';
import type { PrepayConfig } from '../../emulator/devices/common/prepay-config.ts';
import { constantProfile, type ConsumptionProfile } from '../../emulator/devices/common/profile.ts';
import { ecdhP256Shared, kaKeyPairFromSeed, mintUtrn } from '../../emulator/devices/common/utrn/index.ts';
import { ESME_VARIANT, esmeMachine } from '../../emulator/devices/esme/machine.ts';
import { GSME_VARIANT, gsmeMachine } from '../../emulator/devices/gsme/machine.ts';

export type MeterKind = 'esme' | 'gsme';
export type MeterSnapshot = SnapshotFrom<MeterMachine>;

/** Tuesday 2026-06-02 12:00 BST: a weekday outside the default friendly hours (18:00–10:00). */
export const WEEKDAY_NOON: Instant = Date.UTC(2026, 5, 2, 11);

const FUEL: Record<MeterKind, Fuel> = { esme: 'electricity', gsme: 'gas' };
const steppers = { esme: new MachineStepper(esmeMachine), gsme: new MachineStepper(gsmeMachine) };

/** One Supplier and the two meters of one premises, with deterministic keys. */
export interface Premises {
  readonly supplierEui: Uint8Array;
  readonly esme: { readonly eui: Uint8Array; readonly secret: Uint8Array };
  readonly gsme: { readonly eui: Uint8Array; readonly secret: Uint8Array };
}

const premisesCache = new Map<string, Premises>();

export function premises(tag = 'harness'): Premises {
  let p = premisesCache.get(tag);
  if (p === undefined) {
    const seed = (s: string): Uint8Array => new TextEncoder().encode(`${tag}/${s}`);
    const supplier = kaKeyPairFromSeed(seed('supplier-pp-ka'));
    const device = (name: string, eui: string) => ({
      eui: Uint8Array.from(Buffer.from(eui, 'hex')),
      secret: unwrap(ecdhP256Shared(supplier.privateKey, kaKeyPairFromSeed(seed(name)).publicKey)),
    });
    p = {
      supplierEui: Uint8Array.from(Buffer.from('90B3D51F30010000', 'hex')),
      esme: device('esme', '00DB123456780001'),
      gsme: device('gsme', '00DB123456780002'),
    };
    premisesCache.set(tag, p);
  }
  return p;
}

export interface HarnessOptions {
  readonly kind?: MeterKind;
  readonly config?: MeterConfig;
  /** A profile, or a constant draw in Wh per half hour (default 500 Wh, i.e. 1 kW). */
  readonly profile?: ConsumptionProfile | number;
  readonly at?: Instant;
  readonly mode?: PaymentMode;
  readonly balance?: Money;
  readonly wakePhaseMs?: number;
}

/** One step of the machine: the event, the supply state on each side and what it said. */
export interface StepRecord {
  readonly event: MeterEvent;
  readonly before: SupplyState;
  readonly after: SupplyState;
  readonly causeAfter: DisableCause | null;
  readonly alerts: readonly number[];
  readonly responses: readonly MeterResponse[];
}

export interface AlertRecord {
  readonly at: Instant;
  readonly code: number;
}

export class MeterHarness {
  readonly kind: MeterKind;
  readonly premises: Premises;
  snapshot: MeterSnapshot;
  readonly alerts: AlertRecord[] = [];
  readonly responses: MeterResponse[] = [];
  readonly log: StepRecord[] = [];
  /** Alerts raised while starting (boot). */
  readonly bootAlerts: readonly number[];
  /** The top-up counter of the last UTRN minted for this device. */
  private counter = 0n;
  private readonly stepper: MachineStepper<MeterSnapshot, MeterEvent, MeterInput>;
  private readonly options: HarnessOptions;

  constructor(o: HarnessOptions = {}) {
    this.options = o;
    this.kind = o.kind ?? 'esme';
    this.premises = premises();
    this.stepper = steppers[this.kind];
    const own = this.premises[this.kind];
    const sibling = this.premises[this.kind === 'esme' ? 'gsme' : 'esme'];
    const at = o.at ?? WEEKDAY_NOON;
    const input: MeterInput = {
      id: `${this.kind}-1`,
      variant: this.kind === 'esme' ? ESME_VARIANT : GSME_VARIANT,
      config: o.config ?? defaultMeterConfig(FUEL[this.kind]),
      profile: typeof o.profile === 'object' ? o.profile : constantProfile(o.profile ?? 500),
      credentials: { ownEui: own.eui, supplier: this.premises.supplierEui, secret: own.secret, siblings: [sibling] },
      at,
      mode: o.mode ?? 'Prepayment',
      meterBalance: o.balance ?? pounds(20),
      ...(o.wakePhaseMs !== undefined ? { wakePhaseMs: o.wakePhaseMs } : {}),
    };
    const started = this.stepper.start(input);
    this.snapshot = started.snapshot;
    this.bootAlerts = this.collect(started.effects, at).alerts;
  }

  get context(): MeterContext {
    return this.snapshot.context;
  }
  get now(): Instant {
    return this.context.now;
  }
  /** The machine state, which must always agree with `context.supply`. */
  get state(): 'boot' | 'enabled' | 'disabled' | 'armed' {
    return this.snapshot.value;
  }
  get supply(): SupplyState {
    return this.context.supply;
  }
  get cause(): DisableCause | null {
    return this.context.cause;
  }
  get mode(): PaymentMode {
    return this.context.mode;
  }
  get balance(): Money {
    return this.context.ledger.meterBalance;
  }
  get ecBalance(): Money {
    return this.context.ledger.ecBalance;
  }
  /** Meter balance plus emergency credit left. */
  get combined(): Money {
    return this.context.ledger.meterBalance + this.context.ledger.ecBalance;
  }
  /** The next instant the meter must be sent `clock.due`. */
  get due(): Instant {
    return planDue(this.context);
  }
  awake(at: Instant = this.now): boolean {
    return isAwake(this.context, at);
  }
  /** When a sleepy meter next listens (now for an ESME). */
  nextWake(at: Instant = this.now): Instant {
    return nextWake(this.context, at);
  }
  /** Alert codes raised at or after `from`. */
  alertCodes(from = -Infinity): number[] {
    return this.alerts.filter((a) => a.at >= from).map((a) => a.code);
  }

  /** An independent copy of this meter as it is now (snapshots are immutable), with empty logs. */
  fork(): MeterHarness {
    const h = new MeterHarness(this.options);
    h.snapshot = this.snapshot;
    h.counter = this.counter;
    return h;
  }

  /** Steps one event; returns what that step said. */
  send(event: MeterEvent): StepRecord {
    const before = this.supply;
    const r = this.stepper.step(this.snapshot, event);
    this.snapshot = r.snapshot;
    const said = this.collect(r.effects, event.now);
    const rec: StepRecord = { event, before, after: this.supply, causeAfter: this.cause, ...said };
    this.log.push(rec);
    return rec;
  }

  /** Sends a command and returns its response (there is exactly one). */
  command(event: MeterEvent): MeterResponse {
    const rec = this.send(event);
    const [r, ...more] = rec.responses;
    if (r === undefined || more.length > 0) throw new Error(`${event.type}: expected one response, got ${rec.responses.length}`);
    return r;
  }

  /**
   * Steps `clock.due` at every instant planDue names up to `t`, then settles
   * to `t`. Returns the instants stepped (not counting `t` itself). Throws if
   * planDue stops moving forward, which would hang a fleet.
   */
  runUntil(t: Instant): Instant[] {
    const stepped: Instant[] = [];
    let last = -Infinity;
    for (let due = this.due; due <= t; due = this.due) {
      if (due <= last) throw new Error(`planDue did not advance: ${new Date(due).toISOString()} after ${new Date(last).toISOString()}`);
      if (due < this.now) throw new Error(`planDue is in the past: ${new Date(due).toISOString()} < ${new Date(this.now).toISOString()}`);
      this.send({ type: 'clock.due', now: due });
      stepped.push(due);
      last = due;
      if (stepped.length > 10_000) throw new Error('runUntil: too many steps');
    }
    if (t > this.now || stepped.length === 0) this.send({ type: 'clock.due', now: Math.max(t, this.now) });
    return stepped;
  }

  /** Steps `clock.due` once, at the instant planDue names. */
  stepDue(): StepRecord {
    const due = this.due;
    if (!Number.isFinite(due)) throw new Error('nothing is due');
    return this.send({ type: 'clock.due', now: due });
  }

  /** Advances by `ms` (see runUntil). */
  advance(ms: number): Instant[] {
    return this.runUntil(this.now + ms);
  }

  /** The next UTRN for this device (advances the Supplier's counter). */
  mint(amount: Money, target: MeterKind = this.kind): { utrn: string; counter: bigint } {
    this.counter++;
    const counter = this.counter << 32n;
    const p = this.premises;
    const utrn = unwrap(mintUtrn({ secret: p[target].secret, originator: p.supplierEui, target: p[target].eui, counter, credit: amount }));
    return { utrn, counter };
  }

  /** Mints the next UTRN for `amountPounds` and enters it now; remote top-ups carry the full counter (SR 2.2). */
  topUp(amountPounds: number, via: Via = 'meter', at: Instant = this.now): MeterResponse {
    const { utrn, counter } = this.mint(pounds(amountPounds));
    return this.enterUtrn(utrn, via, at, counter);
  }

  enterUtrn(utrn: string, via: Via, at: Instant = this.now, counter?: bigint): MeterResponse {
    return this.command({ type: 'credit.utrn', now: at, utrn, via, ...(via === 'remote' && counter !== undefined ? { counter } : {}) });
  }

  private collect(effects: readonly Effect[], at: Instant): { alerts: number[]; responses: MeterResponse[] } {
    const alerts: number[] = [];
    const responses: MeterResponse[] = [];
    for (const e of effects) {
      if (e.type === 'alert') {
        const code = (e.params as { code: number }).code;
        alerts.push(code);
        this.alerts.push({ at, code });
      } else if (e.type === 'respond') {
        const r = e.params as MeterResponse;
        responses.push(r);
        this.responses.push(r);
      }
    }
    return { alerts, responses };
  }
}

/** The default configuration of a fuel with some prepay settings changed and, optionally, no friendly periods. */
export function meterConfig(kind: MeterKind, o: { prepay?: Partial<PrepayConfig>; friendly?: boolean } = {}): MeterConfig {
  const base = defaultMeterConfig(FUEL[kind]);
  return {
    ...base,
    prepay: { ...base.prepay, ...o.prepay },
    ...(o.friendly === false ? { calendar: NO_FRIENDLY } : {}),
  };
}

const NO_FRIENDLY = compileCalendar(NO_NON_DISABLEMENT);

export const esme = (o: Omit<HarnessOptions, 'kind'> = {}): MeterHarness => new MeterHarness({ ...o, kind: 'esme' });
export const gsme = (o: Omit<HarnessOptions, 'kind'> = {}): MeterHarness => new MeterHarness({ ...o, kind: 'gsme' });
