/**
 * Random things that happen to a meter, for property tests: time passing,
 * top-ups, emergency credit, consumer and remote supply commands, payment-mode
 * changes, balance adjustments and debt. Each is delivered as a comms hub would:
 * WAN and PPMID traffic reaches a GSME at its next wake. // DOMAIN §1, §2
 */
import fc from 'fast-check';
import { pounds, type Money } from '../../core/money.ts';
import { unwrap } from '../../core/result.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, type Instant } from '../../core/time/duration.ts';
import { DEFAULT_DEBT_CONFIG, type DebtConfig } from '../../emulator/devices/common/debt.ts';
import type { MeterEvent, PaymentMode, Via } from '../../emulator/devices/common/meter-types.ts';
import type { ConsumptionProfile } from '../../emulator/devices/common/profile.ts';
import { encodeUtrn, parseUtrn } from '../../emulator/devices/common/utrn/index.ts';
import { MeterHarness, type MeterKind } from './meter-harness.ts';

export type Action =
  | { readonly k: 'wait'; readonly ms: number }
  | { readonly k: 'topUp'; readonly pence: number; readonly via: Via }
  | { readonly k: 'badUtrn'; readonly via: Via }
  | { readonly k: 'ec'; readonly via: Via }
  | { readonly k: 'enableLocal'; readonly via: 'meter' | 'ppmid' }
  | { readonly k: 'remote'; readonly type: 'supply.enable' | 'supply.disable' | 'supply.arm' }
  | { readonly k: 'mode'; readonly mode: PaymentMode; readonly threshold: Money; readonly flags: readonly [boolean, boolean] }
  | { readonly k: 'adjust'; readonly kind: 'adjust' | 'reset'; readonly amount: Money }
  | { readonly k: 'debt'; readonly timeDebt: Money; readonly paymentDebt: Money; readonly hourly: boolean; readonly share: number };

export interface Scenario {
  readonly kind: MeterKind;
  readonly at: Instant;
  readonly balance: Money;
  readonly mode: PaymentMode;
  readonly wh: number;
  readonly shaped: boolean;
  readonly wakePhaseMs: number;
}

/** A draw that varies by half hour of the day, so charges are not always linear across a day. */
const shapedProfile = (wh: number): ConsumptionProfile => ({ whInHalfHour: (hh) => (wh * ((hh.index % 12) + 1)) / 6 });

export const scenarioArb = (o: { kind?: MeterKind; mode?: PaymentMode } = {}): fc.Arbitrary<Scenario> =>
  fc.record({
    kind: o.kind ? fc.constant(o.kind) : fc.constantFrom<MeterKind>('esme', 'gsme'),
    // 2026 and 2027: clock changes, weekends and bank holidays all occur.
    at: fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 10, 1) }).map((t) => t - (t % MINUTE_MS)),
    balance: fc.oneof(fc.integer({ min: -pounds(20), max: pounds(5) }), fc.integer({ min: 0, max: pounds(100) })),
    mode: o.mode ? fc.constant(o.mode) : fc.constantFrom<PaymentMode>('Prepayment', 'Credit'),
    wh: fc.integer({ min: 0, max: 3000 }),
    shaped: fc.boolean(),
    wakePhaseMs: fc.integer({ min: 0, max: 30 * MINUTE_MS - 1 }),
  });

export function harnessFor(s: Scenario): MeterHarness {
  return new MeterHarness({
    kind: s.kind,
    at: s.at,
    balance: s.balance,
    mode: s.mode,
    profile: s.shaped ? shapedProfile(s.wh) : s.wh,
    wakePhaseMs: s.wakePhaseMs,
  });
}

const via = fc.constantFrom<Via>('meter', 'ppmid', 'remote');

/** A list of actions, long enough for a meter to run out, be restored and run out again. */
export const actionsArb = (o: { modes?: boolean } = {}): fc.Arbitrary<Action[]> =>
  fc.array(actionArb(o), { minLength: 1, maxLength: 30, size: 'max' });

/** Actions; `modes: false` leaves out SR 1.6 (for a meter that must stay in its mode). */
export const actionArb = (o: { modes?: boolean } = {}): fc.Arbitrary<Action> => {
  const wait = fc
    .oneof(fc.integer({ min: 1, max: 3 * HOUR_MS }), fc.integer({ min: HOUR_MS, max: 6 * DAY_MS }))
    .map((ms): Action => ({ k: 'wait', ms }));
  const topUp = fc.record({
    k: fc.constant('topUp'),
    pence: fc.oneof(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 500, max: 8191 })),
    via,
  });
  const arbs: fc.Arbitrary<Action>[] = [
    wait,
    wait,
    wait,
    topUp,
    topUp,
    fc.record({ k: fc.constant('badUtrn'), via }),
    fc.record({ k: fc.constant('ec'), via }),
    fc.record({ k: fc.constant('enableLocal'), via: fc.constantFrom('meter' as const, 'ppmid' as const) }),
    fc.record({
      k: fc.constant('remote'),
      type: fc.constantFrom('supply.enable' as const, 'supply.disable' as const, 'supply.arm' as const),
    }),
    fc.record({
      k: fc.constant('adjust'),
      kind: fc.constantFrom('adjust' as const, 'reset' as const),
      amount: fc.integer({ min: -pounds(30), max: pounds(30) }),
    }),
    fc.record({
      k: fc.constant('debt'),
      timeDebt: fc.integer({ min: 0, max: pounds(20) }),
      paymentDebt: fc.integer({ min: 0, max: pounds(20) }),
      hourly: fc.boolean(),
      share: fc.integer({ min: 0, max: 5000 }),
    }),
  ];
  if (o.modes !== false) {
    arbs.push(
      fc.record({
        k: fc.constant('mode'),
        mode: fc.constantFrom<PaymentMode>('Credit', 'Prepayment'),
        threshold: fc.integer({ min: 0, max: pounds(1) }),
        flags: fc.tuple(fc.boolean(), fc.boolean()),
      }),
    );
  }
  return fc.oneof(...arbs);
};

/** A UTRN for this meter with a valid check digit but a MAC no key produced. */
export function forgedUtrn(h: MeterHarness): string {
  const f = unwrap(parseUtrn(h.mint(pounds(1)).utrn));
  return encodeUtrn({ ...f, mac: (f.mac ^ 0x0f0f0f0f) >>> 0 });
}

/** When an event from `from` reaches the meter: at once at the meter, at the next wake otherwise. */
export function deliveryTime(h: MeterHarness, from: Via): Instant {
  return from === 'meter' ? h.now : h.nextWake(h.now);
}

/** The event an action sends, built at the instant it is delivered (null for waiting). */
export function eventFor(h: MeterHarness, a: Action, now: Instant): MeterEvent | null {
  switch (a.k) {
    case 'wait':
      return null;
    case 'topUp': {
      const t = h.mint(pounds(a.pence / 100));
      return { type: 'credit.utrn', now, via: a.via, utrn: t.utrn, ...(a.via === 'remote' ? { counter: t.counter } : {}) };
    }
    case 'badUtrn':
      return { type: 'credit.utrn', now, via: a.via, utrn: forgedUtrn(h) };
    case 'ec':
      return { type: 'ec.activate', now, via: a.via };
    case 'enableLocal':
      return { type: 'supply.enableLocal', now, via: a.via };
    case 'remote':
      return { type: a.type, now };
    case 'mode':
      return a.mode === 'Credit'
        ? { type: 'mode.set', now, mode: 'Credit' }
        : {
            type: 'mode.set',
            now,
            mode: 'Prepayment',
            disablementThreshold: a.threshold,
            suspendDebtDisabled: a.flags[0],
            suspendDebtEmergency: a.flags[1],
          };
    case 'adjust':
      return { type: 'balance.adjust', now, kind: a.kind, amount: a.amount };
    case 'debt': {
      const rate = { rate: pounds(a.hourly ? 0.1 : 1), period: a.hourly ? ('hourly' as const) : ('daily' as const) };
      const debt: DebtConfig = { ...DEFAULT_DEBT_CONFIG, timeDebt1: rate, paymentDebtBasisPoints: a.share };
      return { type: 'config.debt', now, add: { timeDebt1: a.timeDebt, paymentDebt: a.paymentDebt }, debt };
    }
  }
}

/** Where an action comes from, for delivery to a sleepy meter. */
export const sourceOf = (a: Action): Via =>
  a.k === 'topUp' || a.k === 'badUtrn' || a.k === 'ec' || a.k === 'enableLocal' ? a.via : a.k === 'wait' ? 'meter' : 'remote';

/** Performs an action: waits run the meter's due instants; commands are delivered when the meter listens. */
export function perform(h: MeterHarness, a: Action): void {
  if (a.k === 'wait') {
    h.runUntil(h.now + a.ms);
    return;
  }
  const at = deliveryTime(h, sourceOf(a));
  if (at > h.now) h.runUntil(at);
  const e = eventFor(h, a, at);
  if (e !== null) h.send(e);
}
