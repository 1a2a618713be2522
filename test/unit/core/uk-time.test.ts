import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unwrap } from '../../../core/result.ts';
import { DAY_MS, HOUR_MS } from '../../../core/time/duration.ts';
import {
  formatInstant,
  parseInstant,
  ukDateStart,
  ukLocal,
  ukLocalDate,
  ukLocalDayStart,
  ukNextLocalDayStart,
  ukOffsetMs,
} from '../../../core/time/uk-time.ts';

const Y2000 = Date.UTC(2000, 0, 1);
const Y2101 = Date.UTC(2101, 0, 1);
const instant = fc.integer({ min: Y2000, max: Y2101 - 1 });

/** An independent statement of the rule, via Date: 01:00 UTC on the last Sunday. */
function lastSunday0100(year: number, monthIndex: number): number {
  const last = new Date(Date.UTC(year, monthIndex + 1, 0)); // day 0 of next month = last day
  return Date.UTC(year, monthIndex, last.getUTCDate() - last.getUTCDay(), 1);
}

describe('UK civil time', () => {
  it('changes the clocks on 29 March and 25 October 2026 at 01:00 UTC', () => {
    const spring = Date.UTC(2026, 2, 29, 1);
    const autumn = Date.UTC(2026, 9, 25, 1);
    expect(ukOffsetMs(spring - 1)).toBe(0);
    expect(ukOffsetMs(spring)).toBe(HOUR_MS);
    expect(ukOffsetMs(autumn - 1)).toBe(HOUR_MS);
    expect(ukOffsetMs(autumn)).toBe(0);
    expect(ukLocal(spring - 1).minuteOfDay).toBe(59); // 00:59 GMT …
    expect(ukLocal(spring).minuteOfDay).toBe(120); // … then 02:00 BST
    expect(ukLocal(autumn - 1).minuteOfDay).toBe(119); // 01:59 BST …
    expect(ukLocal(autumn).minuteOfDay).toBe(60); // … then 01:00 GMT again
  });

  it('makes the change days 23 and 25 hours long, and others 24', () => {
    const dayLength = (y: number, m: number, d: number): number => {
      const start = ukDateStart(y, m, d);
      return ukNextLocalDayStart(start) - start;
    };
    expect(dayLength(2026, 3, 29)).toBe(23 * HOUR_MS);
    expect(dayLength(2026, 10, 25)).toBe(25 * HOUR_MS);
    expect(dayLength(2026, 3, 28)).toBe(DAY_MS);
    expect(dayLength(2026, 3, 30)).toBe(DAY_MS);
    expect(dayLength(2026, 10, 26)).toBe(DAY_MS);
    expect(ukDateStart(2026, 3, 29)).toBe(Date.UTC(2026, 2, 29, 0));
    expect(ukDateStart(2026, 3, 30)).toBe(Date.UTC(2026, 2, 29, 23));
    expect(ukDateStart(2026, 10, 25)).toBe(Date.UTC(2026, 9, 24, 23));
    expect(ukDateStart(2026, 10, 26)).toBe(Date.UTC(2026, 9, 26, 0));
    expect(ukLocalDate(Date.UTC(2026, 9, 25, 23, 30))).toBe('2026-10-25');
    expect(ukLocalDate(Date.UTC(2026, 5, 30, 23, 30))).toBe('2026-07-01');
  });

  it('follows the last-Sunday rule in every year 2000..2100', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const y = new Date(t).getUTCFullYear();
        const bst = t >= lastSunday0100(y, 2) && t < lastSunday0100(y, 9);
        expect(ukOffsetMs(t)).toBe(bst ? HOUR_MS : 0);
      }),
    );
  });

  it('gives the same calendar fields as Date applied to t + offset', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const d = new Date(t + ukOffsetMs(t));
        const yearStart = Date.UTC(d.getUTCFullYear(), 0, 1);
        expect(ukLocal(t)).toEqual({
          year: d.getUTCFullYear(),
          month: d.getUTCMonth() + 1,
          day: d.getUTCDate(),
          dayOfWeek: d.getUTCDay(),
          minuteOfDay: d.getUTCHours() * 60 + d.getUTCMinutes(),
          dayOfYear: Math.floor((d.getTime() - yearStart) / DAY_MS) + 1,
        });
        expect(ukLocalDate(t)).toBe(d.toISOString().slice(0, 10));
      }),
    );
  });

  it('brackets every instant between local midnights of its own date', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const start = ukLocalDayStart(t);
        const next = ukNextLocalDayStart(t);
        expect(start).toBeLessThanOrEqual(t);
        expect(next).toBeGreaterThan(t);
        expect([23, 24, 25].map((h) => h * HOUR_MS)).toContain(next - start);
        expect(ukLocal(start).minuteOfDay).toBe(0);
        expect(ukLocalDate(start)).toBe(ukLocalDate(t));
        expect(ukLocalDayStart(next)).toBe(next);
      }),
    );
  });

  it('formats instants as ISO UTC, milliseconds only when present', () => {
    expect(formatInstant(Date.UTC(2026, 2, 29, 1))).toBe('2026-03-29T01:00:00Z');
    expect(formatInstant(Date.UTC(2026, 2, 29, 1, 2, 3, 45))).toBe('2026-03-29T01:02:03.045Z');
    expect(() => formatInstant(Number.NaN)).toThrow(RangeError);
    fc.assert(
      fc.property(instant, (t) => {
        expect(formatInstant(t)).toBe(new Date(t).toISOString().replace('.000Z', 'Z'));
        expect(unwrap(parseInstant(formatInstant(t), 'x'))).toBe(t);
      }),
    );
  });

  it('parses date-times with offsets and dates as UK midnight', () => {
    const cases: [string, number][] = [
      ['2026-03-29T01:00:00Z', Date.UTC(2026, 2, 29, 1)],
      ['2026-03-29T01:00Z', Date.UTC(2026, 2, 29, 1)],
      ['2026-03-29T02:00:00+01:00', Date.UTC(2026, 2, 29, 1)],
      ['2026-03-28T19:30:00-05:30', Date.UTC(2026, 2, 29, 1)],
      ['2026-03-29T01:00:00.5Z', Date.UTC(2026, 2, 29, 1, 0, 0, 500)],
      ['2026-03-29T01:00:00.123-00:00', Date.UTC(2026, 2, 29, 1, 0, 0, 123)],
      ['2026-01-15', Date.UTC(2026, 0, 15)],
      ['2026-07-01', Date.UTC(2026, 5, 30, 23)],
      ['2028-02-29', Date.UTC(2028, 1, 29)],
      ['2000-01-01T00:00:00Z', Date.UTC(2000, 0, 1)],
      ['2100-12-31T23:59:59Z', Date.UTC(2100, 11, 31, 23, 59, 59)],
    ];
    for (const [raw, want] of cases) expect(parseInstant(raw, 'run.start'), raw).toEqual({ ok: true, value: want });
  });

  it('rejects anything else with a precise code', () => {
    const cases: [unknown, string][] = [
      [undefined, 'type'],
      [1774746000000, 'type'],
      [null, 'type'],
      ['2026-03-29T01:00:00', 'format'], // no offset: local time would be ambiguous
      ['2026-03-29 01:00:00Z', 'format'],
      ['2026-03-29T01:00:00z', 'format'],
      ['2026-03-29T01:00:00.1234Z', 'format'],
      ['2026-03-29T01:00:00+0100', 'format'],
      ['2026-3-29', 'format'],
      ['29/03/2026', 'format'],
      [' 2026-03-29', 'format'],
      ['', 'format'],
      ['2026-02-30', 'range'],
      ['2027-02-29', 'range'],
      ['2026-04-31T00:00Z', 'range'],
      ['2026-00-10', 'range'],
      ['2026-13-01', 'range'],
      ['2026-01-00', 'range'],
      ['1999-12-31', 'range'],
      ['2101-01-01T00:00:00Z', 'range'],
      ['2026-03-29T24:00:00Z', 'range'],
      ['2026-03-29T12:60:00Z', 'range'],
      ['2026-03-29T12:00:60Z', 'range'],
      ['2026-03-29T12:00:00+15:00', 'range'],
      ['2026-03-29T12:00:00+01:60', 'range'],
    ];
    for (const [raw, code] of cases) {
      const r = parseInstant(raw, 'run.start');
      expect(r.ok, String(raw)).toBe(false);
      if (!r.ok) {
        expect(r.error.code, String(raw)).toBe(code);
        expect(r.error.path).toBe('run.start');
      }
    }
    const r = parseInstant('2026-02-30', 'p');
    expect(r.ok ? null : r.error.expected).toBe('a day 01..28 for 2026-02');
  });
});
