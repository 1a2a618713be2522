import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UNITS_PER_POUND } from '../../../core/money.ts';
import { Rng } from '../../../core/rng.ts';
import { HOUR_MS, WEEK_MS } from '../../../core/time/duration.ts';
import { ukLocal } from '../../../core/time/uk-time.ts';
import {
  DEFAULT_HOUSEHOLD,
  createHousehold,
  enableDelayAfterExternalArm,
  enableDelayAfterOwnTopUp,
  nextRegularTopUp,
  takesEmergencyCredit,
  topUpAfterLowCredit,
  topUpAfterOffSupply,
  type Household,
  type HouseholdDefaults,
  type TopUpDecision,
} from '../../../emulator/consumer/household.ts';
import type { Fuel } from '../../../emulator/consumer/load-shapes.ts';

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });
// 2026-01-01 .. 2027-12-31 UTC
const instant = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 31) });
const build = (s: number, label: string | number, d: HouseholdDefaults = DEFAULT_HOUSEHOLD): Household =>
  createHousehold(Rng.fromSeed(s).fork('household').fork(label), d);

const withShares = (over: Partial<HouseholdDefaults>, sd: Partial<HouseholdDefaults['selfDisconnection']> = {}): HouseholdDefaults => ({
  ...DEFAULT_HOUSEHOLD,
  ...over,
  selfDisconnection: { ...DEFAULT_HOUSEHOLD.selfDisconnection, ...sd },
});

/** Runs every decision once, in a fixed order, for comparison. */
function decide(h: Household, rng: Rng, now: number): unknown[] {
  const fuels: Fuel[] = h.fuels === 'dual' ? ['electricity', 'gas'] : ['electricity'];
  return fuels.flatMap((f) => [
    topUpAfterLowCredit(h, rng, now, f),
    topUpAfterOffSupply(h, rng, now, f),
    nextRegularTopUp(h, rng, now, f),
    takesEmergencyCredit(h, rng),
    enableDelayAfterOwnTopUp(h, rng),
    enableDelayAfterExternalArm(h, rng),
  ]);
}

function expectValidTopUp(d: TopUpDecision, now: number, range: { min: number; max: number }): void {
  expect(d.at).toBeGreaterThanOrEqual(now);
  expect(Number.isInteger(d.at)).toBe(true);
  expect(d.amount % UNITS_PER_POUND).toBe(0);
  expect(d.amount / UNITS_PER_POUND).toBeGreaterThanOrEqual(range.min);
  expect(d.amount / UNITS_PER_POUND).toBeLessThanOrEqual(range.max);
  expect(['meter', 'ppmid', 'remote']).toContain(d.channel);
  // awake hours 07:00–22:00 (an hour of slack for the clock-change days)
  const minute = ukLocal(d.at).minuteOfDay;
  expect(minute).toBeGreaterThanOrEqual(6 * 60);
  expect(minute).toBeLessThan(23 * 60);
}

describe('createHousehold', () => {
  it('same seed ⇒ same household and same decisions', () => {
    fc.assert(
      fc.property(seed, fc.nat(100_000), instant, (s, label, now) => {
        const a = build(s, label);
        const b = build(s, label);
        expect(a).toEqual(b);
        expect(decide(a, Rng.fromSeed(s).fork('d'), now)).toEqual(decide(b, Rng.fromSeed(s).fork('d'), now));
      }),
    );
  });

  it('different fork labels ⇒ different households', () => {
    fc.assert(
      fc.property(seed, fc.nat(100_000), fc.nat(100_000), (s, l1, l2) => {
        fc.pre(l1 !== l2);
        expect(build(s, l1)).not.toEqual(build(s, l2));
      }),
    );
  });

  it('keeps its traits within the configured ranges', () => {
    fc.assert(
      fc.property(seed, fc.nat(1000), (s, label) => {
        const h = build(s, label);
        const { amountPounds, perWeek } = DEFAULT_HOUSEHOLD.topUp;
        expect(Number.isInteger(h.usualAmountPounds)).toBe(true);
        expect(h.usualAmountPounds).toBeGreaterThanOrEqual(amountPounds.min);
        expect(h.usualAmountPounds).toBeLessThanOrEqual(amountPounds.max);
        expect(h.topUpsPerWeek).toBeGreaterThanOrEqual(perWeek.min);
        expect(h.topUpsPerWeek).toBeLessThanOrEqual(perWeek.max);
        expect(h.size).toBeGreaterThan(0);
        expect(h.gasProfile === null).toBe(h.fuels === 'electricity');
        expect(h.config).toBe(DEFAULT_HOUSEHOLD); // shared, not copied
        if (h.selfDisconnecting) expect(h.trigger).toBe('when-low');
      }),
    );
  });

  it.each([
    ['defaults', {}, {}],
    ['few vulnerable, many self-disconnecting', { vulnerableShare: 0.1, dualFuelShare: 0.2 }, { share: 0.2 }],
    ['all vulnerable', { vulnerableShare: 1 }, { share: 0.3 }],
  ] as const)('matches the configured shares over 10 000 households (%s)', (_name, over, sd) => {
    const d = withShares(over, sd);
    const root = Rng.fromSeed(globalThis.__testSeed).fork('shares');
    const n = 10_000;
    let vulnerable = 0;
    let selfDisc = 0;
    let selfDiscVulnerable = 0;
    let dual = 0;
    let regular = 0;
    for (let i = 0; i < n; i++) {
      const h = createHousehold(root.fork(i), d);
      if (h.vulnerable) vulnerable++;
      if (h.selfDisconnecting) selfDisc++;
      if (h.selfDisconnecting && h.vulnerable) selfDiscVulnerable++;
      if (h.fuels === 'dual') dual++;
      if (h.trigger === 'regular') regular++;
    }
    expect(Math.abs(vulnerable / n - d.vulnerableShare)).toBeLessThan(0.02);
    expect(Math.abs(selfDisc / n - d.selfDisconnection.share)).toBeLessThan(0.02);
    expect(Math.abs(dual / n - d.dualFuelShare)).toBeLessThan(0.02);
    expect(Math.abs(regular / n - d.topUp.regularShare * (1 - d.selfDisconnection.share))).toBeLessThan(0.02);
    // As many of the self-disconnecting are vulnerable as the vulnerable share allows.
    const expectedVulnerable = Math.min(d.selfDisconnection.vulnerableShare, d.vulnerableShare / d.selfDisconnection.share);
    const wanted = d.vulnerableShare >= 1 ? 1 : expectedVulnerable;
    expect(Math.abs(selfDiscVulnerable / selfDisc - wanted)).toBeLessThan(0.06);
  });

  it('vulnerable (low-income) households lean to smaller, more frequent top-ups', () => {
    const root = Rng.fromSeed(globalThis.__testSeed).fork('skew');
    const sums = { v: [0, 0, 0], o: [0, 0, 0] };
    for (let i = 0; i < 4000; i++) {
      const h = createHousehold(root.fork(i), DEFAULT_HOUSEHOLD);
      const s = h.vulnerable ? sums.v : sums.o;
      s[0]! += h.usualAmountPounds;
      s[1]! += h.topUpsPerWeek;
      s[2]! += 1;
    }
    expect(sums.v[0]! / sums.v[2]!).toBeLessThan(sums.o[0]! / sums.o[2]! - 1);
    expect(sums.v[1]! / sums.v[2]!).toBeGreaterThan(sums.o[1]! / sums.o[2]! + 0.2);
  });
});

describe('household decisions', () => {
  const range = fc
    .tuple(fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 50 }))
    .map(([min, extra]) => ({ min, max: min + extra }));

  it('respect the amount range, whole pounds, waking hours and non-negative delays', () => {
    fc.assert(
      fc.property(seed, fc.nat(1000), instant, range, (s, label, now, amountPounds) => {
        const d: HouseholdDefaults = { ...DEFAULT_HOUSEHOLD, topUp: { ...DEFAULT_HOUSEHOLD.topUp, amountPounds } };
        const h = build(s, label, d);
        const rng = Rng.fromSeed(s).fork('decide');
        for (const fuel of h.fuels === 'dual' ? (['electricity', 'gas'] as const) : (['electricity'] as const)) {
          const low = topUpAfterLowCredit(h, rng, now, fuel);
          expect(low === null).toBe(h.selfDisconnecting);
          if (low) expectValidTopUp(low, now, amountPounds);
          expectValidTopUp(topUpAfterOffSupply(h, rng, now, fuel), now, amountPounds);
          const regular = nextRegularTopUp(h, rng, now, fuel);
          expect(regular === null).toBe(h.trigger !== 'regular');
          if (regular) {
            expectValidTopUp(regular, now, amountPounds);
            expect(regular.at - now).toBeGreaterThanOrEqual((0.8 * WEEK_MS) / h.topUpsPerWeek - 1);
          }
        }
        const own = enableDelayAfterOwnTopUp(h, rng);
        expect(own).toBeGreaterThanOrEqual(0);
        expect(Number.isInteger(own)).toBe(true);
        const ext = enableDelayAfterExternalArm(h, rng);
        if (ext !== null) {
          expect(ext).toBeGreaterThanOrEqual(0);
          expect(Number.isInteger(ext)).toBe(true);
        }
        expect(typeof takesEmergencyCredit(h, rng)).toBe('boolean');
      }),
    );
  });

  it('self-disconnecting households never press enable after an external arm, let credit run out and stay off for days', () => {
    const d = withShares({}, { share: 1 });
    const now = Date.UTC(2026, 1, 3, 12);
    let offHours = 0;
    for (let i = 0; i < 200; i++) {
      const h = build(globalThis.__testSeed, i, d);
      const rng = Rng.fromSeed(i);
      expect(h.selfDisconnecting).toBe(true);
      expect(enableDelayAfterExternalArm(h, rng)).toBeNull();
      expect(topUpAfterLowCredit(h, rng, now, 'electricity')).toBeNull();
      expect(nextRegularTopUp(h, rng, now, 'electricity')).toBeNull();
      offHours += (topUpAfterOffSupply(h, rng, now, 'electricity').at - now) / HOUR_MS;
    }
    expect(offHours / 200).toBeGreaterThan(48); // median 3 days
  });

  it('others top up within hours of losing supply and do press enable after an external arm', () => {
    const d = withShares({}, { share: 0 });
    const now = Date.UTC(2026, 1, 3, 12); // midday: no wait for the morning
    const waits: number[] = [];
    for (let i = 0; i < 500; i++) {
      const h = build(globalThis.__testSeed, i, d);
      const rng = Rng.fromSeed(i);
      expect(enableDelayAfterExternalArm(h, rng)).not.toBeNull();
      waits.push((topUpAfterOffSupply(h, rng, now, 'electricity').at - now) / HOUR_MS);
    }
    waits.sort((a, b) => a - b);
    expect(waits[250]!).toBeLessThan(3);
  });

  it('emergency credit is usually taken when offered', () => {
    const h = build(1, 1);
    const rng = Rng.fromSeed(globalThis.__testSeed);
    let taken = 0;
    for (let i = 0; i < 5000; i++) if (takesEmergencyCredit(h, rng)) taken++;
    expect(Math.abs(taken / 5000 - DEFAULT_HOUSEHOLD.emergencyCredit.takeProbability)).toBeLessThan(0.03);
  });

  it('a top-up due at night waits for the morning', () => {
    const d = withShares({}, { share: 0 });
    const h = build(3, 3, { ...d, topUp: { ...d.topUp, delayAfterLowCreditHours: { median: 0, sigma: 0 } } });
    const night = Date.UTC(2026, 0, 14, 23, 30);
    const t = topUpAfterLowCredit(h, Rng.fromSeed(3), night, 'electricity');
    expect(t).not.toBeNull();
    const l = ukLocal(t!.at);
    expect(l.day).toBe(15);
    expect(l.minuteOfDay).toBeGreaterThanOrEqual(7 * 60);
    expect(l.minuteOfDay).toBeLessThanOrEqual(10 * 60);
  });

  it('refuses gas decisions for an electricity-only household', () => {
    const h = build(5, 5, withShares({ dualFuelShare: 0 }));
    expect(h.fuels).toBe('electricity');
    expect(() => topUpAfterLowCredit(h, Rng.fromSeed(1), Date.UTC(2026, 0, 1), 'gas')).toThrow(RangeError);
  });
});
