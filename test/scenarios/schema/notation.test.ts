import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../core/time/duration.ts';
import { didYouMean } from '../../../scenarios/schema/did-you-mean.ts';
import { parsePounds, toPounds } from '../../../scenarios/schema/money-notation.ts';
import { formatDuration, parseDuration, parseTime } from '../../../scenarios/schema/time-notation.ts';

const START = Date.UTC(2027, 0, 4);

describe('time notation', () => {
  it.each([
    ['+3d', START + 3 * DAY_MS],
    ['+2h30m', START + 2 * HOUR_MS + 30 * MINUTE_MS],
    ['+1d6h', START + DAY_MS + 6 * HOUR_MS],
    ['+90s', START + 90_000],
    ['+1m500ms', START + MINUTE_MS + 500],
    ['+0s', START],
    ['2027-01-12T09:00:00Z', Date.UTC(2027, 0, 12, 9)],
    ['2027-01-12T09:00:00+01:00', Date.UTC(2027, 0, 12, 8)],
    ['2027-07-01', Date.UTC(2027, 5, 30, 23)],
  ])('%s', (text, instant) => {
    expect(parseTime(text, 'at', START)).toEqual({ ok: true, value: instant });
  });

  it.each(['+', '+3', '+3w', '+1h2d', '+1d1d', '3d', 'soon', '+-1d', '+1.5d', '+1234567890d', '2027-01-12T09:00'])('refuses %s', (text) => {
    expect(parseTime(text, 'at', START).ok).toBe(false);
  });

  it('takes a Date from a module, within the years a scenario may use', () => {
    expect(parseTime(new Date(START), 'at', START)).toEqual({ ok: true, value: START });
    expect(parseTime(new Date(Number.NaN), 'at', START)).toMatchObject({ ok: false, error: { code: 'format' } });
    expect(parseTime(new Date(Date.UTC(1990, 0, 1)), 'at', START)).toMatchObject({ ok: false, error: { code: 'range' } });
  });

  it('refuses an offset where no start is known', () => {
    expect(parseTime('+1d', 'start', undefined)).toMatchObject({ ok: false, error: { path: 'start', code: 'format' } });
  });

  it('writes every duration so that it reads back the same', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 * DAY_MS }), (ms) => {
        expect(parseDuration(formatDuration(ms), 'd')).toEqual({ ok: true, value: ms });
      }),
    );
    expect(formatDuration(DAY_MS + 6 * HOUR_MS)).toBe('1d6h');
    expect(formatDuration(0)).toBe('0s');
  });
});

describe('money notation', () => {
  it('reads pounds to the unit of £0.00001', () => {
    expect(parsePounds(12.5, 'm', { min: 0, max: 250 })).toEqual({ ok: true, value: 1_250_000 });
    expect(parsePounds(0.1, 'm', { min: 0, max: 250 })).toEqual({ ok: true, value: 10_000 });
    expect(parsePounds(0.00001, 'm', { min: 0, max: 250 })).toEqual({ ok: true, value: 1 });
    expect(parsePounds(0.000001, 'm', { min: 0, max: 250 })).toMatchObject({ ok: false, error: { code: 'format' } });
    expect(parsePounds(12.5, 'm', { min: 0, max: 250, whole: true })).toMatchObject({ ok: false, error: { code: 'format' } });
    expect(parsePounds('12.50', 'm', { min: 0, max: 250 })).toMatchObject({ ok: false, error: { code: 'type' } });
  });

  it('writes every amount so that it reads back the same', () => {
    fc.assert(
      fc.property(fc.integer({ min: -100_000_000, max: 100_000_000 }), (m) => {
        expect(parsePounds(toPounds(m), 'm', { min: -1000, max: 1000 })).toEqual({ ok: true, value: m });
      }),
    );
  });
});

describe('didYouMean', () => {
  it('finds near misses, ignoring case, and nothing far away', () => {
    const known = ['premises', 'prepaymentShare', 'dualFuelShare'];
    expect(didYouMean('prepaymentShar', known)).toBe('prepaymentShare');
    expect(didYouMean('PREMISES', known)).toBe('premises');
    expect(didYouMean('premsies', known)).toBe('premises');
    expect(didYouMean('zzz', known)).toBeUndefined();
    expect(didYouMean('x'.repeat(10_000), known)).toBeUndefined();
  });
});
