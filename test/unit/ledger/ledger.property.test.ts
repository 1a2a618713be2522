import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Money } from '../../../core/money.ts';
import { unwrap } from '../../../core/result.ts';
import { DAY_MS, HALF_HOUR_MS, HOUR_MS, WEEK_MS, type Instant } from '../../../core/time/duration.ts';
import type { DebtConfig } from '../../../emulator/devices/common/debt.ts';
import {
  ACL63_ALLOCATION_ORDER,
  adjustBalance,
  allocateTopUp,
  cloneLedger,
  combinedCredit,
  DEFAULT_ALLOCATION_ORDER,
  grantEmergencyCredit,
  openLedger,
  walk,
  type AllocationStep,
  type Ledger,
  type StandingChargeAccrual,
  type WalkEnv,
  type Watch,
} from '../../../emulator/devices/common/ledger.ts';
import type { ConsumptionProfile, LocalHalfHour } from '../../../emulator/devices/common/profile.ts';
import { compileTariff, parseTariff, type CompiledTariff } from '../../../emulator/devices/common/tariff.ts';

// ---- generators ----

const Y2026 = Date.UTC(2026, 0, 1);
const Y2027 = Date.UTC(2027, 0, 1);
const SPRING = Date.UTC(2026, 2, 29, 1); // clocks go forward
const AUTUMN = Date.UTC(2026, 9, 25, 1); // clocks go back

/** Start instants across 2026, with the clock-change days and half-hour boundaries weighted in. */
const instantArb = fc.oneof(
  fc.integer({ min: Y2026, max: Y2027 - 4 * DAY_MS }),
  fc.integer({ min: SPRING - 2 * DAY_MS, max: SPRING + DAY_MS }),
  fc.integer({ min: AUTUMN - 2 * DAY_MS, max: AUTUMN + DAY_MS }),
  fc.integer({ min: 0, max: 360 * 48 }).map((k) => Y2026 + k * HALF_HOUR_MS),
);

/** A pure, seed-driven draw per half hour (a 32-bit mix of the half-hour number). */
function hashProfile(seed: number, max: number): ConsumptionProfile {
  return {
    whInHalfHour(hh: LocalHalfHour): number {
      let x = Math.imul((hh.start / HALF_HOUR_MS) ^ seed, 0x9e3779b1);
      x = Math.imul(x ^ (x >>> 15), 0x85ebca6b);
      x ^= x >>> 13;
      const u = (x >>> 0) % 4 === 0 ? 0 : (x >>> 2) % (max + 1); // a quarter of half hours draw nothing
      return u;
    },
  };
}

/** A 48-value table for weekdays and another for weekends. */
function tableProfile(weekday: readonly number[], weekend: readonly number[]): ConsumptionProfile {
  return {
    whInHalfHour: (hh) => (hh.dayOfWeek === 0 || hh.dayOfWeek === 6 ? weekend : weekday)[hh.index] ?? 0,
  };
}

const whArb = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 1500 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 20_000 }) },
);
const profileArb: fc.Arbitrary<ConsumptionProfile> = fc.oneof(
  fc
    .tuple(fc.integer(), fc.oneof(fc.integer({ min: 0, max: 1500 }), fc.integer({ min: 0, max: 20_000 })))
    .map(([seed, max]) => hashProfile(seed, max)),
  fc
    .tuple(fc.array(whArb, { minLength: 48, maxLength: 48 }), fc.array(whArb, { minLength: 48, maxLength: 48 }))
    .map(([wd, we]) => tableProfile(wd, we)),
);

/** Prices per kWh; now and then dear enough that a half hour costs more than one unit per millisecond. */
const priceArb = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 0, max: 60_000 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 4_000_000 }) },
);
const standingArb = fc.integer({ min: 0, max: 150_000 });

const tariffArb: fc.Arbitrary<CompiledTariff> = fc
  .oneof(
    fc.record({ kind: fc.constant('flat'), unitPrice: priceArb, standingCharge: standingArb }),
    fc
      .tuple(
        fc.uniqueArray(fc.integer({ min: 1, max: 47 }), { maxLength: 6 }),
        fc.array(priceArb, { minLength: 7, maxLength: 7 }),
        standingArb,
      )
      .map(([starts, prices, standingCharge]) => {
        const idx = [0, ...[...starts].sort((a, b) => a - b)];
        const hhmm = (i: number) => `${String(Math.floor(i / 2)).padStart(2, '0')}:${i % 2 ? '30' : '00'}`;
        return { kind: 'time-of-use', standingCharge, bands: idx.map((i, k) => ({ from: hhmm(i), unitPrice: prices[k] ?? 0 })) };
      }),
    fc
      .tuple(
        fc.uniqueArray(fc.oneof(fc.integer({ min: 1, max: 3_000 }), fc.integer({ min: 1, max: 20_000 })), { minLength: 1, maxLength: 3 }),
        fc.array(priceArb, { minLength: 4, maxLength: 4 }),
        fc.constantFrom('day', 'week'),
        standingArb,
      )
      .map(([limits, prices, period, standingCharge]) => {
        const wh = [...limits].sort((a, b) => a - b);
        const blocks = [
          ...wh.map((w, k) => ({ upToKwh: w / 1000, unitPrice: prices[k] ?? 0 })),
          { upToKwh: null, unitPrice: prices[wh.length] ?? 0 },
        ];
        return { kind: 'block', period, standingCharge, blocks };
      }),
  )
  .map((raw) => compileTariff(unwrap(parseTariff(raw))));

const recoveryArb = fc.record({
  rate: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20_000 })),
  period: fc.constantFrom<'hourly' | 'daily'>('hourly', 'daily'),
});
const capArb = fc.option(fc.record({ amount: fc.integer({ min: 0, max: 60_000 }), periodMs: fc.constantFrom(HOUR_MS, DAY_MS, WEEK_MS) }), {
  nil: null,
});
const debtArb: fc.Arbitrary<DebtConfig> = fc.record({
  timeDebt1: recoveryArb,
  timeDebt2: recoveryArb,
  timeDebtCap: capArb,
  paymentDebtBasisPoints: fc.integer({ min: 0, max: 10_000 }),
  paymentDebtCap: capArb,
});

interface Fixed {
  readonly tariff: CompiledTariff;
  readonly profile: ConsumptionProfile;
  readonly debt: DebtConfig;
  readonly separateCreditBalance: boolean;
}
const fixedArb: fc.Arbitrary<Fixed> = fc.record({
  tariff: tariffArb,
  profile: profileArb,
  debt: debtArb,
  separateCreditBalance: fc.boolean(),
});

/** What may change between walks: supply, payment mode, suspension, accrual. */
interface Varying {
  readonly supplyOn: boolean;
  readonly mode: 'credit' | 'prepayment';
  readonly debtSuspended: boolean;
  readonly standingChargeAccrual: StandingChargeAccrual;
}
const varyingArb = (mode: fc.Arbitrary<'credit' | 'prepayment'>): fc.Arbitrary<Varying> =>
  fc.record({
    supplyOn: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    mode,
    debtSuspended: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    standingChargeAccrual: fc.constantFrom<StandingChargeAccrual>('daily', 'half-hourly'),
  });
const anyMode = fc.oneof(
  { weight: 3, arbitrary: fc.constant('prepayment' as const) },
  { weight: 1, arbitrary: fc.constant('credit' as const) },
);

const envOf = (f: Fixed, v: Varying): WalkEnv => ({ ...f, ...v });

const debtRegister = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 300_000 }));
interface Opening {
  readonly at: Instant;
  readonly meterBalance: Money;
  readonly ec: Money | null;
  readonly timeDebt1: Money;
  readonly timeDebt2: Money;
  readonly paymentDebt: Money;
  readonly accumulatedDebt: Money;
}
const openingArb: fc.Arbitrary<Opening> = fc.record({
  at: instantArb,
  meterBalance: fc.integer({ min: -500_000, max: 3_000_000 }),
  ec: fc.option(fc.integer({ min: 0, max: 1_500_000 }), { nil: null }),
  timeDebt1: debtRegister,
  timeDebt2: debtRegister,
  paymentDebt: debtRegister,
  accumulatedDebt: debtRegister,
});

function open(o: Opening): Ledger {
  const l = openLedger(o.at, o.meterBalance);
  l.timeDebt1 = o.timeDebt1;
  l.timeDebt2 = o.timeDebt2;
  l.paymentDebt = o.paymentDebt;
  l.accumulatedDebt = o.accumulatedDebt;
  if (o.ec !== null) grantEmergencyCredit(l, o.ec);
  return l;
}

/** A watch for thresholds somewhere ahead of the ledger's credit (or none). */
interface WatchSpec {
  readonly ecZero: boolean;
  readonly combinedDrop: number | null;
  readonly balanceDrop: number | null;
  readonly debtCleared: boolean;
}
const dropArb = fc.option(fc.oneof(fc.integer({ min: -2_000, max: 50_000 }), fc.integer({ min: 0, max: 1_500_000 })), { nil: null });
const watchArb: fc.Arbitrary<WatchSpec> = fc.record({
  ecZero: fc.boolean(),
  combinedDrop: dropArb,
  balanceDrop: dropArb,
  debtCleared: fc.boolean(),
});
const watchFor = (l: Ledger, w: WatchSpec): Watch => ({
  ecZero: w.ecZero,
  combinedAtOrBelow: w.combinedDrop === null ? -Infinity : combinedCredit(l) - w.combinedDrop,
  balanceAtOrBelow: w.balanceDrop === null ? -Infinity : l.meterBalance - w.balanceDrop,
  debtCleared: w.debtCleared,
});

const orderArb: fc.Arbitrary<readonly AllocationStep[]> = fc.oneof(
  fc.constant(DEFAULT_ALLOCATION_ORDER),
  fc.constant(ACL63_ALLOCATION_ORDER),
  fc.shuffledSubarray<AllocationStep>(['emergencyCredit', 'paymentDebt', 'accumulatedDebt', 'balance']),
);

type Op =
  | { readonly type: 'walk'; readonly dt: number; readonly env: Varying; readonly watch: WatchSpec | null }
  | { readonly type: 'topUp'; readonly amount: Money; readonly order: readonly AllocationStep[] }
  | { readonly type: 'grant'; readonly limit: Money }
  | { readonly type: 'adjust'; readonly kind: 'adjust' | 'reset'; readonly amount: Money };

const dtArb = fc.oneof(fc.integer({ min: 0, max: 3 * DAY_MS }), fc.integer({ min: 0, max: 2 * HALF_HOUR_MS }));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      type: fc.constant('walk' as const),
      dt: dtArb,
      env: varyingArb(anyMode),
      watch: fc.option(watchArb, { nil: null }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ type: fc.constant('topUp' as const), amount: fc.integer({ min: 0, max: 5_000_000 }), order: orderArb }),
  },
  { weight: 1, arbitrary: fc.record({ type: fc.constant('grant' as const), limit: fc.integer({ min: 0, max: 1_500_000 }) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('adjust' as const),
      kind: fc.constantFrom<'adjust' | 'reset'>('adjust', 'reset'),
      amount: fc.integer({ min: -1_000_000, max: 1_000_000 }),
    }),
  },
);

function apply(l: Ledger, f: Fixed, op: Op): void {
  switch (op.type) {
    case 'walk': {
      const until = l.at + op.dt;
      const at = walk(l, envOf(f, op.env), until, op.watch === null ? null : watchFor(l, op.watch));
      expect(at).toBeLessThanOrEqual(until);
      expect(l.at).toBe(at);
      break;
    }
    case 'topUp':
      allocateTopUp(l, op.amount, f.debt, op.order);
      break;
    case 'grant':
      grantEmergencyCredit(l, op.limit);
      break;
    case 'adjust':
      adjustBalance(l, op.kind, op.amount);
      break;
  }
}

// ---- checks ----

const held = (l: Ledger): Money => l.meterBalance + l.ecBalance + l.creditModeBalance;
function flow(l: Ledger): Money {
  const t = l.totals;
  return t.topUps - t.energyCharges - t.standingCharges - t.debtRecovered - t.ecRepaid + t.ecGranted - t.ecWithdrawn + t.adjustments;
}

/** The watched thresholds as the rules state them, from the state the walk started in. */
function reachedFrom(start: Ledger, w: Watch): (l: Ledger) => boolean {
  return (l) =>
    (w.ecZero && start.ecBalance > 0 && l.ecBalance === 0) ||
    combinedCredit(l) <= w.combinedAtOrBelow ||
    l.meterBalance <= w.balanceAtOrBelow ||
    (w.debtCleared && ((start.timeDebt1 > 0 && l.timeDebt1 === 0) || (start.timeDebt2 > 0 && l.timeDebt2 === 0)));
}

/**
 * The first instant in [start.at, until] at which `reached` holds, by brute
 * force: step a copy forward half hour by half hour with no watch, then bisect
 * to the millisecond inside the half hour where it first holds. Relies on the
 * balances only falling, so `reached` stays true once true.
 */
function firstReached(start: Ledger, env: WalkEnv, until: Instant, reached: (l: Ledger) => boolean): Instant {
  if (reached(start)) return start.at;
  let cur = cloneLedger(start);
  while (cur.at < until) {
    const next = Math.min(until, cur.at - (cur.at % HALF_HOUR_MS) + HALF_HOUR_MS);
    const probe = cloneLedger(cur);
    walk(probe, env, next, null);
    if (reached(probe)) {
      let lo = cur.at;
      let hi = next;
      while (hi - lo > 1) {
        const mid = lo + Math.floor((hi - lo) / 2);
        const p = cloneLedger(cur);
        walk(p, env, mid, null);
        if (reached(p)) hi = mid;
        else lo = mid;
      }
      return hi;
    }
    cur = probe;
  }
  return until;
}

const walked = (l: Ledger, env: WalkEnv, until: Instant): Ledger => {
  const c = cloneLedger(l);
  walk(c, env, until, null);
  return c;
};

// ---- properties ----

describe('ledger properties', () => {
  // DOMAIN §1.2, §1.3: integer money is conserved to the unit by every operation
  it('conserves money to the unit after any sequence of walks, top-ups, EC grants and adjustments', () => {
    fc.assert(
      fc.property(fixedArb, openingArb, fc.array(opArb, { maxLength: 14 }), (f, o, ops) => {
        const l = open(o);
        const l0 = cloneLedger(l);
        for (const op of ops) {
          apply(l, f, op);
          expect(held(l) - held(l0)).toBe(flow(l) - flow(l0));
          for (const v of [
            l.meterBalance,
            l.ecBalance,
            l.ecOwed,
            l.creditModeBalance,
            l.timeDebt1,
            l.timeDebt2,
            l.paymentDebt,
            l.accumulatedDebt,
          ]) {
            expect(Number.isSafeInteger(v)).toBe(true);
          }
          for (const v of [l.ecBalance, l.ecOwed, l.timeDebt1, l.timeDebt2, l.paymentDebt, l.accumulatedDebt])
            expect(v).toBeGreaterThanOrEqual(0);
        }
      }),
    );
  });

  // ledger.ts / ARCHITECTURE "Time": a walk's result does not depend on where it is split
  it('walking [a, c] in one go equals walking [a, b] then [b, c], field for field, for any b', () => {
    fc.assert(
      fc.property(
        fixedArb,
        openingArb,
        fc.array(opArb, { maxLength: 4 }),
        varyingArb(anyMode),
        fc.integer({ min: 0, max: 3 * DAY_MS }),
        // Cuts at random points, or one inside every half hour at the same offset.
        fc.oneof(
          fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 24 }),
          fc.integer({ min: 1, max: HALF_HOUR_MS - 1 }),
        ),
        (f, o, prefix, v, span, cutSpec) => {
          const start = open(o);
          for (const op of prefix) apply(start, f, op);
          const env = envOf(f, v);
          const a = start.at;
          const c = a + span;
          const whole = cloneLedger(start);
          expect(walk(whole, env, c, null)).toBe(c);
          const pieces = cloneLedger(start);
          const cuts: Instant[] = [];
          if (typeof cutSpec === 'number')
            for (let b = a - (a % HALF_HOUR_MS) + cutSpec; b < c; b += HALF_HOUR_MS) cuts.push(Math.max(a, b));
          else cuts.push(...cutSpec.map((x) => a + Math.floor(x * span)).sort((x, y) => x - y));
          for (const b of cuts) expect(walk(pieces, env, b, null)).toBe(b);
          expect(walk(pieces, env, c, null)).toBe(c);
          expect(pieces).toEqual(whole);
        },
      ),
    );
  });

  // DOMAIN §1.4: the walk stops at the first millisecond a watched threshold is reached
  it('the analytic crossing equals a brute-force search, and stopping there charges what a plain walk does', () => {
    fc.assert(
      fc.property(
        fixedArb,
        openingArb,
        varyingArb(fc.constant('prepayment')),
        watchArb,
        fc.integer({ min: 0, max: 3 * DAY_MS }),
        (f, o, v, spec, span) => {
          const start = open(o);
          const env = envOf(f, v);
          const w = watchFor(start, spec);
          const until = start.at + span;
          const reached = reachedFrom(start, w);
          const l = cloneLedger(start);
          const at = walk(l, env, until, w);
          expect(at).toBe(firstReached(start, env, until, reached));
          expect(l).toEqual(walked(start, env, at));
          if (at < until) expect(reached(l)).toBe(true);
          if (at > start.at) expect(reached(walked(start, env, at - 1))).toBe(false);
          // Carrying on from the stop with no watch ends where a plain walk does.
          walk(l, env, until, null);
          expect(l).toEqual(walked(start, env, until));
        },
      ),
    );
  });

  // DOMAIN §1.3: a walk only charges — balances fall, debts fall, nothing is credited; and it stops by `until`
  it('balances only fall during a walk with no top-ups, and the walk never goes past until', () => {
    fc.assert(
      fc.property(
        fixedArb,
        openingArb,
        fc.array(fc.tuple(dtArb, varyingArb(anyMode), fc.option(watchArb, { nil: null })), { minLength: 1, maxLength: 8 }),
        (f, o, steps) => {
          const l = open(o);
          for (const [dt, v, spec] of steps) {
            const before = cloneLedger(l);
            const until = l.at + dt;
            const at = walk(l, envOf(f, v), until, spec === null ? null : watchFor(l, spec));
            expect(at).toBeGreaterThanOrEqual(before.at);
            expect(at).toBeLessThanOrEqual(until);
            expect(l.at).toBe(at);
            expect(l.meterBalance).toBeLessThanOrEqual(before.meterBalance);
            expect(l.ecBalance).toBeLessThanOrEqual(before.ecBalance);
            expect(l.creditModeBalance).toBeLessThanOrEqual(before.creditModeBalance);
            expect(combinedCredit(l)).toBeLessThanOrEqual(combinedCredit(before));
            expect(l.timeDebt1).toBeLessThanOrEqual(before.timeDebt1);
            expect(l.timeDebt2).toBeLessThanOrEqual(before.timeDebt2);
            expect(l.ecOwed).toBeGreaterThanOrEqual(before.ecOwed);
            expect([l.paymentDebt, l.accumulatedDebt, l.ecInUse]).toEqual([before.paymentDebt, before.accumulatedDebt, before.ecInUse]);
            const t = l.totals;
            const b = before.totals;
            expect([t.topUps, t.ecGranted, t.ecRepaid, t.ecWithdrawn, t.adjustments]).toEqual([
              b.topUps,
              b.ecGranted,
              b.ecRepaid,
              b.ecWithdrawn,
              b.adjustments,
            ]);
            expect(t.energyCharges).toBeGreaterThanOrEqual(b.energyCharges);
            expect(t.standingCharges).toBeGreaterThanOrEqual(b.standingCharges);
            expect(t.debtRecovered).toBeGreaterThanOrEqual(b.debtRecovered);
            expect(t.energyWh).toBeGreaterThanOrEqual(b.energyWh);
            if (!v.supplyOn) expect([t.energyCharges, t.energyWh]).toEqual([b.energyCharges, b.energyWh]);
          }
        },
      ),
    );
  });
});
