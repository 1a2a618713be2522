import { describe, expect, it } from 'vitest';
import {
  HALF_HOURS_PER_DAY,
  dayOfWeekFactor,
  loadShape,
  seasonalFactor,
  shapeTables,
  type Fuel,
} from '../../../emulator/consumer/load-shapes.ts';

const FUELS: readonly Fuel[] = ['electricity', 'gas'];
const sum = (xs: ArrayLike<number>): number => Array.from(xs).reduce((s, x) => s + x, 0);
const argmax = (xs: ArrayLike<number>, from = 0, to = xs.length): number => {
  let best = from;
  for (let i = from; i < to; i++) if (xs[i]! > xs[best]!) best = i;
  return best;
};

describe('load shapes', () => {
  it.each(FUELS)('%s weekday and weekend shapes have 48 positive weights summing to 1', (fuel) => {
    for (const weekend of [false, true]) {
      const s = loadShape(fuel, weekend);
      expect(s).toHaveLength(HALF_HOURS_PER_DAY);
      expect(sum(s)).toBeCloseTo(1, 12);
      for (const w of s) expect(w).toBeGreaterThan(0);
    }
  });

  it('electricity peaks in the evening (17:00–20:00)', () => {
    const peak = argmax(loadShape('electricity', false));
    expect(peak).toBeGreaterThanOrEqual(34);
    expect(peak).toBeLessThan(40);
  });

  it('gas has a morning peak and an evening peak, both well above the night', () => {
    const s = loadShape('gas', false);
    const morning = argmax(s, 10, 20); // 05:00–10:00
    const evening = argmax(s, 32, 44); // 16:00–22:00
    expect(s[morning]!).toBeGreaterThan(5 * s[4]!); // vs 02:00
    expect(s[evening]!).toBeGreaterThan(5 * s[4]!);
    expect(s[24]!).toBeLessThan(s[morning]! / 2); // midday dip
  });

  it.each(FUELS)('%s day-of-week factors average exactly 1', (fuel) => {
    const factors = [0, 1, 2, 3, 4, 5, 6].map((d) => dayOfWeekFactor(fuel, d));
    expect(sum(factors) / 7).toBeCloseTo(1, 12);
    expect(dayOfWeekFactor(fuel, 6)).toBeGreaterThan(dayOfWeekFactor(fuel, 3));
  });

  it.each(FUELS)('%s seasonal factor averages 1 over a year and is smooth', (fuel) => {
    const days = Array.from({ length: 365 }, (_, i) => seasonalFactor(fuel, i + 1));
    expect(sum(days) / 365).toBeCloseTo(1, 2);
    for (let i = 1; i < days.length; i++) expect(Math.abs(days[i]! - days[i - 1]!)).toBeLessThan(0.02);
    for (const f of days) expect(f).toBeGreaterThan(0);
  });

  it('gas is about 2× in January and 0.3× in July; electricity about 1.2× and 0.85×', () => {
    expect(seasonalFactor('gas', 15)).toBeCloseTo(2.0, 2);
    expect(seasonalFactor('gas', 198)).toBeCloseTo(0.3, 2);
    expect(seasonalFactor('electricity', 15)).toBeCloseTo(1.2, 2);
    expect(seasonalFactor('electricity', 198)).toBeCloseTo(0.85, 2);
    // winter > summer in every month pairing
    for (let d = 1; d <= 31; d++) expect(seasonalFactor('gas', d)).toBeGreaterThan(seasonalFactor('gas', 181 + d));
  });

  it('shared tables fold in the day-of-week factor and cover day 366', () => {
    const t = shapeTables('gas');
    expect(sum(t.weekday)).toBeCloseTo(dayOfWeekFactor('gas', 2), 12);
    expect(sum(t.weekend)).toBeCloseTo(dayOfWeekFactor('gas', 0), 12);
    expect(t.seasonal[366]).toBeCloseTo(seasonalFactor('gas', 366), 12);
    expect(shapeTables('gas')).toBe(t); // shared, not rebuilt
  });
});
