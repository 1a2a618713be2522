import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HALF_HOUR_MS } from '../../../core/time/duration.ts';
import { ukDateStart, ukLocal } from '../../../core/time/uk-time.ts';
import { householdProfile } from '../../../emulator/consumer/household-profile.ts';
import type { LocalHalfHour } from '../../../emulator/devices/common/profile.ts';

/** Every half hour of 2026 as the ledger would hand it over. */
function yearOfHalfHours(year: number): LocalHalfHour[] {
  const out: LocalHalfHour[] = [];
  for (let t = ukDateStart(year, 1, 1); t < ukDateStart(year + 1, 1, 1); t += HALF_HOUR_MS) {
    const l = ukLocal(t);
    out.push({ start: t, index: Math.min(47, Math.floor(l.minuteOfDay / 30)), dayOfWeek: l.dayOfWeek, dayOfYear: l.dayOfYear });
  }
  return out;
}
const YEAR = yearOfHalfHours(2026);
const fuel = fc.constantFrom('electricity' as const, 'gas' as const);
const key = fc.integer({ min: 0, max: 0xffffffff });

describe('householdProfile', () => {
  it('is a pure function of the half hour (same input ⇒ same output, in any order)', () => {
    fc.assert(
      fc.property(
        fuel,
        fc.double({ min: 1, max: 60, noNaN: true }),
        fc.double({ min: 0.2, max: 5, noNaN: true }),
        key,
        fc.integer({ min: 0, max: YEAR.length - 1 }),
        (f, kwh, scale, k, i) => {
          const a = householdProfile(f, kwh, scale, k);
          const b = householdProfile(f, kwh, scale, k);
          const hh = YEAR[i]!;
          const first = a.whInHalfHour(hh);
          a.whInHalfHour(YEAR[(i + 1) % YEAR.length]!);
          expect(a.whInHalfHour({ ...hh })).toBe(first);
          expect(b.whInHalfHour(hh)).toBe(first);
          expect(Number.isInteger(first)).toBe(true);
          expect(first).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  it('averages the configured kWh a day over a year (±10 %) for any scale', () => {
    fc.assert(
      fc.property(
        fuel,
        fc.double({ min: 2, max: 60, noNaN: true }),
        fc.double({ min: 0.2, max: 5, noNaN: true }),
        key,
        (f, kwh, scale, k) => {
          const p = householdProfile(f, kwh, scale, k);
          let wh = 0;
          for (const hh of YEAR) wh += p.whInHalfHour(hh);
          const meanKwhPerDay = wh / 1000 / 365;
          expect(Math.abs(meanKwhPerDay / (kwh * scale) - 1)).toBeLessThan(0.1);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('gives different households different (but similar) days', () => {
    const a = householdProfile('electricity', 7.5, 1, 1);
    const b = householdProfile('electricity', 7.5, 1, 2);
    const day = YEAR.slice(0, 48);
    const da = day.map((hh) => a.whInHalfHour(hh));
    const db = day.map((hh) => b.whInHalfHour(hh));
    expect(da).not.toEqual(db);
    const total = (xs: number[]): number => xs.reduce((s, x) => s + x, 0);
    expect(total(da) / total(db)).toBeGreaterThan(0.6);
    expect(total(da) / total(db)).toBeLessThan(1.6);
  });

  it('draws more gas on a January evening than a July evening, and peaks in the evening for electricity', () => {
    const gas = householdProfile('gas', 32, 1, 7);
    const elec = householdProfile('electricity', 7.5, 1, 7);
    const at = (month: number, day: number, index: number): LocalHalfHour => {
      const hh = YEAR.find((h) => ukLocal(h.start).month === month && ukLocal(h.start).day === day && h.index === index);
      if (!hh) throw new Error('no such half hour');
      return hh;
    };
    expect(gas.whInHalfHour(at(1, 14, 36))).toBeGreaterThan(3 * gas.whInHalfHour(at(7, 14, 36)));
    let evening = 0;
    let night = 0;
    for (let d = 1; d <= 28; d++) {
      evening += elec.whInHalfHour(at(2, d, 36));
      night += elec.whInHalfHour(at(2, d, 6));
    }
    expect(evening).toBeGreaterThan(2 * night);
  });

  it('rejects negative or non-finite consumption', () => {
    expect(() => householdProfile('gas', -1, 1)).toThrow(RangeError);
    expect(() => householdProfile('gas', 32, Number.NaN)).toThrow(RangeError);
    expect(householdProfile('gas', 0, 1).whInHalfHour(YEAR[0]!)).toBe(0);
  });
});
