import { describe, expect, it } from 'vitest';
import type { Money } from '../../../core/money.ts';
import { unwrap } from '../../../core/result.ts';
import { DAY_MS, HALF_HOUR_MS, HOUR_MS, MINUTE_MS, WEEK_MS, type Instant } from '../../../core/time/duration.ts';
import { ukDateStart, ukNextLocalDayStart } from '../../../core/time/uk-time.ts';
import { DEFAULT_DEBT_CONFIG, type DebtConfig } from '../../../emulator/devices/common/debt.ts';
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
  type Ledger,
  type WalkEnv,
  type Watch,
} from '../../../emulator/devices/common/ledger.ts';
import { constantProfile } from '../../../emulator/devices/common/profile.ts';
import { compileTariff, parseTariff, type CompiledTariff } from '../../../emulator/devices/common/tariff.ts';

const utc = (iso: string): Instant => Date.parse(iso);
const tariff = (raw: unknown): CompiledTariff => compileTariff(unwrap(parseTariff(raw)));

/** 24.7 p/kWh and 57 p/day: the electricity price cap of Apr–Jun 2026. // DOMAIN §9 */
const FLAT = tariff({ kind: 'flat', unitPrice: 24_700, standingCharge: 57_000 });
const FREE = tariff({ kind: 'flat', unitPrice: 0, standingCharge: 0 });
const NONE: Watch = { ecZero: false, combinedAtOrBelow: -Infinity, balanceAtOrBelow: -Infinity, debtCleared: false };

function env(over: Partial<WalkEnv> = {}): WalkEnv {
  return {
    tariff: FLAT,
    profile: constantProfile(156),
    debt: DEFAULT_DEBT_CONFIG,
    standingChargeAccrual: 'daily',
    supplyOn: true,
    mode: 'prepayment',
    separateCreditBalance: false,
    debtSuspended: false,
    ...over,
  };
}

function debt(over: Partial<DebtConfig>): DebtConfig {
  return { ...DEFAULT_DEBT_CONFIG, ...over };
}

/** Money conservation, exactly, to the unit. // DOMAIN §1.2 */
function expectConserved(before: Ledger, after: Ledger): void {
  const held = (l: Ledger) => l.meterBalance + l.ecBalance + l.creditModeBalance;
  const flow = (l: Ledger) => {
    const t = l.totals;
    return t.topUps - t.energyCharges - t.standingCharges - t.debtRecovered - t.ecRepaid + t.ecGranted - t.ecWithdrawn + t.adjustments;
  };
  expect(held(after) - held(before)).toBe(flow(after) - flow(before));
}

/** Walks a copy and returns it. */
function walked(l: Ledger, e: WalkEnv, until: Instant, watch: Watch | null = null): Ledger {
  const c = cloneLedger(l);
  walk(c, e, until, watch);
  expectConserved(l, c);
  return c;
}

const WED = utc('2026-01-14T00:00:00Z'); // a Wednesday in GMT: local midnight

describe('energy and standing charges', () => {
  // DOMAIN §1.3: consumption × price per half hour, rounded down; standing charge once per local day
  it('a day of constant use at a flat price costs 48 × floor(Wh × price / 1000) plus one standing charge', () => {
    const l = openLedger(WED, 1_000_000);
    const at = walk(l, env(), WED + DAY_MS, null);
    expect(at).toBe(WED + DAY_MS);
    expect(l.at).toBe(WED + DAY_MS);
    // floor(156 × 24 700 / 1000) = floor(3853.2) = 3853 per half hour
    expect(l.totals.energyCharges).toBe(48 * 3853);
    expect(l.totals.energyWh).toBe(48 * 156);
    expect(l.totals.standingCharges).toBe(57_000);
    expect(l.meterBalance).toBe(1_000_000 - 184_944 - 57_000);
    expectConserved(openLedger(WED, 1_000_000), l);
  });

  // DOMAIN §1.3; ledger.ts: charged linearly within the half hour
  it('charges part of a half hour pro rata by floor differences, so the pieces add up exactly', () => {
    const ten = walked(openLedger(WED, 0), env(), WED + 10 * MINUTE_MS);
    expect(ten.totals.energyCharges).toBe(1284); // floor(3853 × 600 000 / 1 800 000) = floor(1284.33)
    expect(ten.totals.energyWh).toBe(52);
    const twenty = walked(ten, env(), WED + 20 * MINUTE_MS);
    expect(twenty.totals.energyCharges).toBe(2568); // floor(2568.67)
    const full = walked(twenty, env(), WED + HALF_HOUR_MS);
    expect(full.totals.energyCharges).toBe(3853);
    expect(full.totals.energyWh).toBe(156);
  });

  // DOMAIN §1.3, OPEN-QUESTIONS B7: daily standing charge at local midnight (23:00Z in summer)
  it('takes the daily standing charge at local midnight, in GMT and in BST', () => {
    const off = env({ supplyOn: false });
    const summer = openLedger(utc('2026-07-01T12:00:00Z'), 0);
    expect(walked(summer, off, utc('2026-07-01T22:59:59.999Z')).totals.standingCharges).toBe(0);
    expect(walked(summer, off, utc('2026-07-01T23:00:00Z')).totals.standingCharges).toBe(57_000);
    expect(walked(summer, off, utc('2026-07-02T22:59:59.999Z')).totals.standingCharges).toBe(57_000);
    expect(walked(summer, off, utc('2026-07-02T23:00:00Z')).totals.standingCharges).toBe(114_000);
    const winter = openLedger(utc('2026-01-14T12:00:00Z'), 0);
    expect(walked(winter, off, utc('2026-01-14T23:59:59.999Z')).totals.standingCharges).toBe(0);
    expect(walked(winter, off, utc('2026-01-15T00:00:00Z')).totals.standingCharges).toBe(57_000);
    // Across the spring change: local midnights at 29 Mar 00:00Z (GMT) and 29 Mar 23:00Z (BST)
    const spring = openLedger(utc('2026-03-28T12:00:00Z'), 0);
    expect(walked(spring, off, utc('2026-03-29T00:00:00Z')).totals.standingCharges).toBe(57_000);
    expect(walked(spring, off, utc('2026-03-29T22:59:59.999Z')).totals.standingCharges).toBe(57_000);
    expect(walked(spring, off, utc('2026-03-29T23:00:00Z')).totals.standingCharges).toBe(114_000);
    // Across the autumn change: 24 Oct 23:00Z (BST), 26 Oct 00:00Z (GMT), 25 hours apart
    const autumn = openLedger(utc('2026-10-24T12:00:00Z'), 0);
    expect(walked(autumn, off, utc('2026-10-24T23:00:00Z')).totals.standingCharges).toBe(57_000);
    expect(walked(autumn, off, utc('2026-10-25T23:59:59.999Z')).totals.standingCharges).toBe(57_000);
    expect(walked(autumn, off, utc('2026-10-26T00:00:00Z')).totals.standingCharges).toBe(114_000);
  });

  // OPEN-QUESTIONS B7: pro-rata standing charge adds up to exactly one charge per local day (46, 48 or 50 half hours)
  it('accrues the standing charge half-hourly to exactly one charge per local day, on 23-, 24- and 25-hour days', () => {
    const sc = 57_001; // not a multiple of 46, 48 or 50
    const e = env({
      supplyOn: false,
      standingChargeAccrual: 'half-hourly',
      tariff: tariff({ kind: 'flat', unitPrice: 24_700, standingCharge: sc }),
    });
    for (const [y, m, d, halfHours] of [
      [2026, 1, 14, 48],
      [2026, 3, 29, 46],
      [2026, 7, 1, 48],
      [2026, 10, 25, 50],
    ] as const) {
      const start = ukDateStart(y, m, d);
      const end = ukNextLocalDayStart(start);
      expect(end - start).toBe(halfHours * HALF_HOUR_MS);
      const l = openLedger(start, 0);
      const steps: Money[] = [];
      for (let t = start + HALF_HOUR_MS; t <= end; t += HALF_HOUR_MS) {
        const before = l.totals.standingCharges;
        walk(l, e, t, null);
        steps.push(l.totals.standingCharges - before);
      }
      expect(l.totals.standingCharges, `${y}-${m}-${d}`).toBe(sc);
      expect(steps).toHaveLength(halfHours);
      for (const s of steps) expect([Math.floor(sc / halfHours), Math.ceil(sc / halfHours)]).toContain(s);
      // The next day starts afresh.
      expect(walked(l, e, ukNextLocalDayStart(end)).totals.standingCharges).toBe(2 * sc);
    }
  });

  // DOMAIN §1.3: TOU bands follow local wall-clock time, also on clock-change days
  it('prices time-of-use bands by the local wall clock on normal, spring and autumn days', () => {
    const tou = tariff({
      kind: 'time-of-use',
      standingCharge: 0,
      bands: [
        { from: '00:00', unitPrice: 10_000 },
        { from: '07:00', unitPrice: 30_000 },
      ],
    });
    const e = env({ tariff: tou, profile: constantProfile(1000) });
    const day = (y: number, m: number, d: number) => {
      const start = ukDateStart(y, m, d);
      return walked(openLedger(start, 0), e, ukNextLocalDayStart(start)).totals.energyCharges;
    };
    expect(day(2026, 1, 14)).toBe(14 * 10_000 + 34 * 30_000);
    expect(day(2026, 7, 1)).toBe(14 * 10_000 + 34 * 30_000);
    expect(day(2026, 3, 29)).toBe(12 * 10_000 + 34 * 30_000); // 01:00–02:00 never happens
    expect(day(2026, 10, 25)).toBe(16 * 10_000 + 34 * 30_000); // 01:00–02:00 happens twice
    // The peak starts at 07:00 BST = 06:00Z
    const summer = openLedger(utc('2026-07-01T05:30:00Z'), 0);
    expect(walked(summer, e, utc('2026-07-01T06:00:00Z')).totals.energyCharges).toBe(10_000);
    expect(walked(summer, e, utc('2026-07-01T06:30:00Z')).totals.energyCharges).toBe(40_000);
  });

  // DOMAIN §1.3: block prices by usage in the local day or week (from Monday)
  it('prices block tariffs by usage since local midnight or Monday, and a split half hour costs the same', () => {
    const blocks = [{ upToKwh: 1, unitPrice: 10_000 }, { unitPrice: 20_000 }];
    const daily = env({ tariff: tariff({ kind: 'block', period: 'day', standingCharge: 0, blocks }), profile: constantProfile(100) });
    const weekly = env({ tariff: tariff({ kind: 'block', period: 'week', standingCharge: 0, blocks }), profile: constantProfile(100) });
    const wed = ukDateStart(2026, 7, 1); // 30 Jun 23:00Z
    // Per day: 10 half hours at 1 000 (the first kWh), 38 at 2 000
    expect(walked(openLedger(wed, 0), daily, wed + 2 * DAY_MS).totals.energyCharges).toBe(2 * 86_000);
    expect(walked(openLedger(wed, 0), weekly, wed + 2 * DAY_MS).totals.energyCharges).toBe(86_000 + 96_000);
    const sun = ukDateStart(2026, 7, 5);
    expect(walked(openLedger(sun, 0), weekly, sun + 2 * DAY_MS).totals.energyCharges).toBe(2 * 86_000);
    // The block boundary falls inside the fourth half hour at 300 Wh each: 100 Wh × 10 000 + 200 Wh × 20 000
    const e = env({ tariff: daily.tariff, profile: constantProfile(300) });
    const whole = walked(openLedger(wed, 0), e, wed + 2 * HOUR_MS);
    expect(whole.totals.energyCharges).toBe(3 * 3_000 + 5_000);
    const first = walked(openLedger(wed, 0), e, wed + 100 * MINUTE_MS);
    const split = walked(walked(first, e, wed + 107 * MINUTE_MS), e, wed + 2 * HOUR_MS);
    expect(split).toEqual(whole);
  });

  // DOMAIN §1.5: no energy flows while supply is off; standing charge still accrues (OPEN-QUESTIONS B7)
  it('with supply off charges the standing charge but no energy', () => {
    const l = walked(openLedger(WED, 0), env({ supplyOn: false }), WED + 3 * DAY_MS);
    expect(l.totals.energyCharges).toBe(0);
    expect(l.totals.energyWh).toBe(0);
    expect(l.totals.standingCharges).toBe(3 * 57_000);
    expect(l.meterBalance).toBe(-3 * 57_000);
  });
});

describe('emergency credit while in use', () => {
  // DOMAIN §1.3: while EC is in use, charges are taken from the EC balance first
  it('draws charges from emergency credit first, then the meter balance', () => {
    const l = openLedger(WED, 50_000);
    grantEmergencyCredit(l, 1_000_000);
    const day = walked(l, env(), WED + DAY_MS);
    const charges = 184_944 + 57_000;
    expect(day.meterBalance).toBe(50_000);
    expect(day.ecBalance).toBe(1_000_000 - charges);
    expect(day.ecOwed).toBe(charges);
    expect(combinedCredit(day)).toBe(1_050_000 - charges);

    const small = openLedger(WED, 50_000);
    grantEmergencyCredit(small, 10_000);
    const after = walked(small, env(), WED + DAY_MS);
    expect(after.ecBalance).toBe(0);
    expect(after.ecOwed).toBe(10_000);
    expect(after.ecInUse).toBe(true);
    expect(after.meterBalance).toBe(50_000 - (charges - 10_000));
  });
});

describe('time-based debt', () => {
  const quiet = { tariff: FREE, profile: constantProfile(0) };

  // DOMAIN §1.2 (SR 2.3): recovered per hour while the register is above zero, never below zero
  it('recovers hourly debt at each hour, stops at zero, and watch.debtCleared stops the walk there', () => {
    const e = env({ ...quiet, debt: debt({ timeDebt1: { rate: 1_000, period: 'hourly' } }) });
    const l = openLedger(WED + 15 * MINUTE_MS, 0);
    l.timeDebt1 = 10_000;
    expect(walked(l, e, WED + HOUR_MS - 1).timeDebt1).toBe(10_000);
    expect(walked(l, e, WED + HOUR_MS).timeDebt1).toBe(9_000);
    const five = walked(l, e, WED + 5 * HOUR_MS);
    expect(five.timeDebt1).toBe(5_000);
    expect(five.meterBalance).toBe(-5_000);
    expect(five.totals.debtRecovered).toBe(5_000);
    const day = walked(l, e, WED + DAY_MS);
    expect(day.timeDebt1).toBe(0);
    expect(day.totals.debtRecovered).toBe(10_000);
    expect(day.meterBalance).toBe(-10_000);

    const watched = cloneLedger(l);
    const at = walk(watched, e, WED + DAY_MS, { ...NONE, debtCleared: true });
    expect(at).toBe(WED + 10 * HOUR_MS);
    expect(watched).toEqual(walked(l, e, WED + 10 * HOUR_MS));
  });

  // DOMAIN §1.2: daily recovery at local midnight
  it('recovers daily debt at each local midnight, the last recovery only what is left', () => {
    const e = env({ ...quiet, debt: debt({ timeDebt2: { rate: 3_000, period: 'daily' } }) });
    const start = ukDateStart(2026, 7, 1);
    const l = openLedger(start, 0);
    l.timeDebt2 = 10_000;
    expect(walked(l, e, start + DAY_MS - 1).timeDebt2).toBe(10_000);
    expect(walked(l, e, start + DAY_MS).timeDebt2).toBe(7_000);
    expect(walked(l, e, start + 3 * DAY_MS).timeDebt2).toBe(1_000);
    const four = walked(l, e, start + 5 * DAY_MS);
    expect(four.timeDebt2).toBe(0);
    expect(four.totals.debtRecovered).toBe(10_000);
    const watched = cloneLedger(l);
    expect(walk(watched, e, start + 10 * DAY_MS, { ...NONE, debtCleared: true })).toBe(start + 4 * DAY_MS);
  });

  // DOMAIN §1.2 (DebtRecoveryRateCap, RTDS period 604 800 s): both registers together, per window from Monday 00:00Z
  it('caps time-based recovery per window, both registers together', () => {
    const cap = { amount: 5_000, periodMs: WEEK_MS };
    const e = env({
      ...quiet,
      debt: debt({ timeDebt1: { rate: 1_000, period: 'hourly' }, timeDebt2: { rate: 1_000, period: 'hourly' }, timeDebtCap: cap }),
    });
    const monday = utc('2026-01-05T00:00:00Z');
    const l = openLedger(monday, 0);
    l.timeDebt1 = 100_000;
    l.timeDebt2 = 100_000;
    const h3 = walked(l, e, monday + 3 * HOUR_MS); // 2 000 + 2 000 + 1 000
    expect([h3.timeDebt1, h3.timeDebt2]).toEqual([97_000, 98_000]);
    expect(walked(l, e, monday + WEEK_MS).totals.debtRecovered).toBe(5_000); // 00:00 Monday still closes the old window
    expect(walked(l, e, monday + WEEK_MS + HOUR_MS).totals.debtRecovered).toBe(7_000);
    expect(walked(l, e, monday + 2 * WEEK_MS).totals.debtRecovered).toBe(10_000);
    const dailyCap = env({
      ...quiet,
      debt: debt({ timeDebt1: { rate: 1_000, period: 'hourly' }, timeDebtCap: { amount: 3_000, periodMs: DAY_MS } }),
    });
    expect(walked(l, dailyCap, monday + 4 * DAY_MS).totals.debtRecovered).toBe(12_000);
  });

  // DOMAIN §1.2 (SuspendDebtDisabled / SuspendDebtEmergency)
  it('recovers nothing while debt collection is suspended', () => {
    const e = env({
      ...quiet,
      debtSuspended: true,
      debt: debt({ timeDebt1: { rate: 1_000, period: 'hourly' }, timeDebt2: { rate: 1_000, period: 'daily' } }),
    });
    const l = openLedger(WED, 0);
    l.timeDebt1 = 10_000;
    l.timeDebt2 = 10_000;
    const after = walked(l, e, WED + 3 * DAY_MS);
    expect([after.timeDebt1, after.timeDebt2, after.totals.debtRecovered, after.meterBalance]).toEqual([10_000, 10_000, 0, 0]);
  });

  // DOMAIN §1.3: debt recovery, like every charge, is taken from emergency credit first
  it('takes debt recovery from emergency credit while EC is in use', () => {
    const e = env({ ...quiet, debt: debt({ timeDebt1: { rate: 1_000, period: 'hourly' } }) });
    const l = openLedger(WED, 20_000);
    l.timeDebt1 = 10_000;
    grantEmergencyCredit(l, 3_500);
    const after = walked(l, e, WED + 5 * HOUR_MS);
    expect([after.ecBalance, after.ecOwed, after.meterBalance]).toEqual([0, 3_500, 18_500]);
  });
});

describe('credit mode', () => {
  // DOMAIN §1.1 (GSME keeps a separate credit-mode balance), §1.6
  it('with a separate credit balance charges creditModeBalance only and recovers no debt', () => {
    const e = env({ mode: 'credit', separateCreditBalance: true, debt: debt({ timeDebt1: { rate: 1_000, period: 'hourly' } }) });
    const l = openLedger(WED, 500_000);
    l.timeDebt1 = 10_000;
    grantEmergencyCredit(l, 100_000);
    const after = walked(l, e, WED + DAY_MS);
    expect(after.creditModeBalance).toBe(-(184_944 + 57_000));
    expect([after.meterBalance, after.ecBalance, after.ecOwed, after.timeDebt1, after.totals.debtRecovered]).toEqual([
      500_000, 100_000, 0, 10_000, 0,
    ]);
  });

  // DOMAIN §1.1
  it('without a separate balance charges the meter balance and leaves emergency credit alone', () => {
    const l = openLedger(WED, 500_000);
    grantEmergencyCredit(l, 100_000);
    const after = walked(l, env({ mode: 'credit' }), WED + DAY_MS);
    expect([after.meterBalance, after.ecBalance, after.creditModeBalance]).toEqual([500_000 - 241_944, 100_000, 0]);
  });
});

describe('watched thresholds', () => {
  const e = env({ tariff: tariff({ kind: 'flat', unitPrice: 24_700, standingCharge: 0 }), profile: constantProfile(1000) });

  // DOMAIN §1.4: the walk stops at the first instant combined credit reaches a threshold
  it('stops at the exact millisecond combined credit reaches the threshold', () => {
    const l = openLedger(WED, 100_000);
    const at = walk(l, e, WED + DAY_MS, { ...NONE, combinedAtOrBelow: 0 });
    // 4 half hours cost 98 800; the last 1 200 take ceil(1 200 × 1 800 000 / 24 700) = 87 450 ms
    expect(at).toBe(WED + 4 * HALF_HOUR_MS + 87_450);
    expect(l.meterBalance).toBe(0);
    expect(walked(openLedger(WED, 100_000), e, at - 1).meterBalance).toBe(1);
    expect(l).toEqual(walked(openLedger(WED, 100_000), e, at));
  });

  // ledger.ts: stopping at a watched threshold must not change what is charged
  it('a stop charges what a walk to the same instant charges, even when a half hour costs more than 1 unit per ms', () => {
    const dear = env({ tariff: tariff({ kind: 'flat', unitPrice: 3_600_000, standingCharge: 0 }), profile: constantProfile(1000) });
    const l = openLedger(WED, 1);
    const at = walk(l, dear, WED + HOUR_MS, { ...NONE, combinedAtOrBelow: 0 });
    expect(at).toBe(WED + 1);
    expect(l).toEqual(walked(openLedger(WED, 1), dear, WED + 1));
    expect(l.meterBalance).toBe(-1); // 2 units per ms
    walk(l, dear, WED + HOUR_MS, null);
    expect(l).toEqual(walked(openLedger(WED, 1), dear, WED + HOUR_MS));
    expect(l.totals.energyCharges).toBe(2 * 3_600_000);
  });

  // DOMAIN §1.4 (5): emergency credit exhausted, also when a standing charge empties it at midnight
  it('stops when emergency credit reaches zero, by consumption or by a midnight charge', () => {
    const l = openLedger(WED + 12 * HOUR_MS, 80_000);
    grantEmergencyCredit(l, 50_000);
    const byEnergy = cloneLedger(l);
    const at = walk(byEnergy, e, WED + DAY_MS, { ...NONE, ecZero: true });
    expect(byEnergy.ecBalance).toBe(0);
    expect(at).toBe(WED + 12 * HOUR_MS + 2 * HALF_HOUR_MS + Math.ceil(((50_000 - 2 * 24_700) * HALF_HOUR_MS) / 24_700));
    const byStanding = cloneLedger(l);
    const off = env({ supplyOn: false });
    expect(walk(byStanding, off, WED + 3 * DAY_MS, { ...NONE, ecZero: true })).toBe(WED + DAY_MS);
    expect([byStanding.ecBalance, byStanding.meterBalance]).toEqual([0, 73_000]);
    // Emptied exactly at the end of a half hour, with plenty of meter balance left
    const exact = openLedger(WED, 1_000_000);
    grantEmergencyCredit(exact, 2 * 24_700);
    expect(walk(exact, e, WED + DAY_MS, { ...NONE, ecZero: true })).toBe(WED + HOUR_MS);
    expect(exact.ecBalance).toBe(0);
  });

  // DOMAIN §1.4 (3): meter balance at or below the EC threshold; EC is spent before the meter balance falls
  it('stops when the meter balance reaches its threshold, counting emergency credit spent first', () => {
    const l = openLedger(WED, 150_000);
    const at = walk(l, e, WED + DAY_MS, { ...NONE, balanceAtOrBelow: 100_000 });
    expect(l.meterBalance).toBe(100_000);
    expect(at).toBe(WED + 2 * HALF_HOUR_MS + Math.ceil(((50_000 - 2 * 24_700) * HALF_HOUR_MS) / 24_700));
    const withEc = openLedger(WED, 150_000);
    grantEmergencyCredit(withEc, 24_700);
    walk(withEc, e, WED + DAY_MS, { ...NONE, balanceAtOrBelow: 100_000 });
    expect([withEc.ecBalance, withEc.meterBalance, withEc.at]).toEqual([0, 100_000, at + HALF_HOUR_MS]);
    // Already at or below: the walk does not move.
    const below = openLedger(WED, -5);
    grantEmergencyCredit(below, 10_000);
    expect(walk(below, e, WED + DAY_MS, { ...NONE, balanceAtOrBelow: 0 })).toBe(WED);
    expect(below.totals.energyCharges).toBe(0);
  });

  // ledger.ts: the walk goes no further than `until`
  it('returns until when nothing is reached, and never walks past it', () => {
    const l = openLedger(WED, 10_000_000);
    expect(walk(l, e, WED + 7 * MINUTE_MS, { ...NONE, combinedAtOrBelow: 0, ecZero: true })).toBe(WED + 7 * MINUTE_MS);
    expect(l.at).toBe(WED + 7 * MINUTE_MS);
    expect(walk(l, e, WED, null)).toBe(WED + 7 * MINUTE_MS);
    expect(l.at).toBe(WED + 7 * MINUTE_MS);
  });
});

describe('top-up allocation', () => {
  const pay = debt({ paymentDebtBasisPoints: 1_000 }); // 10 %, capped at £5 a week by default

  function owing(): Ledger {
    const l = openLedger(WED, -20_000);
    grantEmergencyCredit(l, 1_000_000);
    l.ecBalance = 700_000; // as if 300 000 of EC had been spent
    l.ecOwed = 300_000;
    l.totals.ecRepaid = 0;
    l.paymentDebt = 2_000_000;
    l.accumulatedDebt = 50_000;
    return l;
  }

  // OPEN-QUESTIONS B7 default order: EC owed, payment-based share (capped), accumulated debt, balance
  it('by default repays EC first, then the payment-debt share, then accumulated debt, then the balance', () => {
    const l = owing();
    const before = cloneLedger(l);
    const a = allocateTopUp(l, 1_000_000, pay, DEFAULT_ALLOCATION_ORDER);
    expect(a).toEqual({ ecRepaid: 300_000, paymentDebt: 100_000, accumulatedDebt: 50_000, toBalance: 550_000 });
    expect(l.meterBalance).toBe(-20_000 + 550_000);
    expect([l.ecOwed, l.paymentDebt, l.accumulatedDebt]).toEqual([0, 1_900_000, 0]);
    // Fully repaid: EC closes and the 700 000 not spent is taken back.
    expect([l.ecInUse, l.ecBalance, l.totals.ecWithdrawn]).toEqual([false, 0, 700_000]);
    expect(l.totals.debtRecovered).toBe(150_000);
    expectConserved(before, l);
  });

  // DOMAIN §1.3 [ACL63]: 10 % of each top-up, capped at £5 per week
  it('caps the payment-debt share per week', () => {
    const l = openLedger(utc('2026-01-05T09:00:00Z'), 0);
    l.paymentDebt = 10_000_000;
    const share = debt({ paymentDebtBasisPoints: 2_000 });
    expect(allocateTopUp(l, 2_000_000, share, DEFAULT_ALLOCATION_ORDER).paymentDebt).toBe(400_000);
    expect(allocateTopUp(l, 2_000_000, share, DEFAULT_ALLOCATION_ORDER).paymentDebt).toBe(100_000);
    expect(allocateTopUp(l, 2_000_000, share, DEFAULT_ALLOCATION_ORDER).paymentDebt).toBe(0);
    l.at = utc('2026-01-12T00:00:00Z'); // next Monday: a new window
    expect(allocateTopUp(l, 2_000_000, share, DEFAULT_ALLOCATION_ORDER).paymentDebt).toBe(400_000);
    expect(
      allocateTopUp(l, 100_000, debt({ paymentDebtBasisPoints: 10_000, paymentDebtCap: null }), DEFAULT_ALLOCATION_ORDER).paymentDebt,
    ).toBe(100_000);
  });

  // DOMAIN §1.3 [ACL63]: payment-debt share, accumulated debt, then EC, the rest to the balance
  it('in the ACL63 order takes debt first, and a partial EC repayment keeps EC in use', () => {
    const l = owing();
    const before = cloneLedger(l);
    const a = allocateTopUp(l, 350_000, pay, ACL63_ALLOCATION_ORDER);
    expect(a).toEqual({ ecRepaid: 265_000, paymentDebt: 35_000, accumulatedDebt: 50_000, toBalance: 0 });
    expect([l.ecInUse, l.ecOwed, l.ecBalance, l.meterBalance]).toEqual([true, 35_000, 700_000, -20_000]);
    expectConserved(before, l);
    // The same top-up in the default order: EC is repaid in full and closes.
    const d = owing();
    expect(allocateTopUp(d, 350_000, pay, DEFAULT_ALLOCATION_ORDER)).toEqual({
      ecRepaid: 300_000,
      paymentDebt: 35_000,
      accumulatedDebt: 15_000,
      toBalance: 0,
    });
    expect([d.ecInUse, d.ecBalance, d.accumulatedDebt]).toEqual([false, 0, 35_000]);
  });

  // DOMAIN §1.3: used EC is repaid from the next top-up before EC can be offered again
  it('a partial repayment keeps EC in use; the repayment that clears it closes EC and withdraws what is unspent', () => {
    const l = owing();
    const before = cloneLedger(l);
    expect(allocateTopUp(l, 100_000, DEFAULT_DEBT_CONFIG, DEFAULT_ALLOCATION_ORDER).ecRepaid).toBe(100_000);
    expect([l.ecInUse, l.ecOwed, l.ecBalance]).toEqual([true, 200_000, 700_000]);
    const last = allocateTopUp(l, 250_000, DEFAULT_DEBT_CONFIG, DEFAULT_ALLOCATION_ORDER);
    expect(last).toEqual({ ecRepaid: 200_000, paymentDebt: 0, accumulatedDebt: 50_000, toBalance: 0 });
    expect([l.ecInUse, l.ecOwed, l.ecBalance, l.totals.ecWithdrawn, l.totals.ecRepaid]).toEqual([false, 0, 0, 700_000, 300_000]);
    expectConserved(before, l);
  });

  // ledger.ts: an order without 'balance' still credits the remainder
  it('credits the remainder to the balance even if the order leaves the balance out', () => {
    const l = owing();
    const a = allocateTopUp(l, 400_000, DEFAULT_DEBT_CONFIG, ['accumulatedDebt']);
    expect(a).toEqual({ ecRepaid: 0, paymentDebt: 0, accumulatedDebt: 50_000, toBalance: 350_000 });
    expect([l.meterBalance, l.ecOwed, l.ecInUse]).toEqual([330_000, 300_000, true]);
  });
});

describe('adjustBalance', () => {
  // DOMAIN §1.1 (SR 1.5 Update Meter Balance, ECS04a/b)
  it('adjusts the meter balance by an amount, or resets it to zero, and records the adjustment', () => {
    const l = openLedger(WED, 123_456);
    adjustBalance(l, 'adjust', -23_456);
    expect([l.meterBalance, l.totals.adjustments]).toEqual([100_000, -23_456]);
    adjustBalance(l, 'adjust', 5);
    expect(l.meterBalance).toBe(100_005);
    adjustBalance(l, 'reset', 999);
    expect([l.meterBalance, l.totals.adjustments]).toEqual([0, -123_456]);
    const neg = openLedger(WED, -40_000);
    adjustBalance(neg, 'reset', 0);
    expect([neg.meterBalance, neg.totals.adjustments]).toEqual([0, 40_000]);
    expectConserved(openLedger(WED, -40_000), neg);
  });
});
