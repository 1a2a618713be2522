import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldError } from '../../../core/errors.ts';
import { unwrap, type Result } from '../../../core/result.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../core/time/duration.ts';
import {
  compileCalendar,
  DEFAULT_NON_DISABLEMENT,
  friendlyUntil,
  isFriendly,
  MAX_SPECIAL_DAYS,
  NO_NON_DISABLEMENT,
  parseNonDisablementCalendar,
  type NonDisablementCalendar,
} from '../../../emulator/devices/common/non-disablement.ts';

const utc = (iso: string): number => Date.parse(iso);
const DEFAULT = compileCalendar(DEFAULT_NON_DISABLEMENT);
const NONE = compileCalendar(NO_NON_DISABLEMENT);
const Y2026 = utc('2026-01-01T00:00:00Z');
const Y2027 = utc('2027-01-01T00:00:00Z');

function rejection(r: Result<NonDisablementCalendar, FieldError>): Pick<FieldError, 'path' | 'code'> {
  if (r.ok) throw new Error(`expected a rejection, got ${JSON.stringify(r.value)}`);
  return { path: r.error.path, code: r.error.code };
}

describe('default non-disablement calendar', () => {
  // DOMAIN §9 / §1.8 [EAS], OPEN-QUESTIONS B10: Mon–Fri 18:00–10:00, weekends, bank holidays
  it('is friendly Mon–Fri before 10:00 and from 18:00 local time, in GMT and in BST', () => {
    const cases: [string, boolean][] = [
      // Wednesday 14 January 2026 (GMT: local = UTC)
      ['2026-01-14T09:59:59.999Z', true],
      ['2026-01-14T10:00:00Z', false],
      ['2026-01-14T17:59:59.999Z', false],
      ['2026-01-14T18:00:00Z', true],
      ['2026-01-14T23:59:00Z', true],
      // Wednesday 15 July 2026 (BST: local = UTC + 1)
      ['2026-07-15T08:59:59.999Z', true], // 09:59 BST
      ['2026-07-15T09:00:00Z', false], // 10:00 BST
      ['2026-07-15T09:30:00Z', false],
      ['2026-07-15T16:59:59.999Z', false], // 17:59 BST
      ['2026-07-15T17:00:00Z', true], // 18:00 BST
      ['2026-07-15T23:30:00Z', true], // Thursday 00:30 BST
      // Weekends, all day
      ['2026-07-18T11:00:00Z', true], // Saturday noon BST
      ['2026-01-18T12:00:00Z', true], // Sunday noon GMT
      ['2026-03-29T12:00:00Z', true], // spring clock-change Sunday
      // Bank holidays of England & Wales
      ['2026-08-31T11:00:00Z', true], // Summer bank holiday, noon BST
      ['2026-12-25T12:00:00Z', true], // Christmas Day (Friday)
      ['2026-12-28T12:00:00Z', true], // Boxing Day substitute (Monday)
      ['2026-04-03T11:00:00Z', true], // Good Friday
      ['2026-12-29T12:00:00Z', false], // an ordinary Tuesday
      ['2026-08-30T23:30:00Z', true], // Monday 00:30 BST on the bank holiday
      ['2026-08-31T23:30:00Z', true], // Tuesday 00:30 BST: the usual weekday night
      ['2026-09-01T09:30:00Z', false], // Tuesday 10:30 BST
    ];
    for (const [iso, friendly] of cases) expect(isFriendly(DEFAULT, utc(iso)), iso).toBe(friendly);
    // The same UTC instant is 09:30 GMT in January and 10:30 BST in July.
    expect(isFriendly(DEFAULT, utc('2026-01-14T09:30:00Z'))).toBe(true);
  });

  // DOMAIN §1.8: a friendly weekend is one period from Friday 18:00 to Monday 10:00
  it('friendlyUntil spans Friday 18:00 to Monday 10:00 as one period', () => {
    // Friday 16 January 2026, GMT
    const fri = utc('2026-01-16T18:00:00Z');
    expect(friendlyUntil(DEFAULT, fri)).toBe(utc('2026-01-19T10:00:00Z'));
    expect(friendlyUntil(DEFAULT, fri - 1)).toBe(fri - 1); // not friendly yet: t itself
    expect(friendlyUntil(DEFAULT, utc('2026-01-17T15:00:00Z'))).toBe(utc('2026-01-19T10:00:00Z'));
    expect(friendlyUntil(DEFAULT, utc('2026-01-19T09:59:59.999Z'))).toBe(utc('2026-01-19T10:00:00Z'));
    // A weekday night ends at 10:00 the next morning.
    expect(friendlyUntil(DEFAULT, utc('2026-01-14T18:00:00Z'))).toBe(utc('2026-01-15T10:00:00Z'));
    // Friday 17 July 2026, BST: 18:00 BST = 17:00Z, Monday 10:00 BST = 09:00Z
    expect(friendlyUntil(DEFAULT, utc('2026-07-17T17:00:00Z'))).toBe(utc('2026-07-20T09:00:00Z'));
  });

  // DOMAIN §1.8: bank holidays are friendly all day
  it('a bank-holiday Monday extends the weekend to Tuesday 10:00', () => {
    // Friday 22 May 2026 18:00 BST → Spring bank holiday Monday 25 May → Tuesday 26 May 10:00 BST
    expect(friendlyUntil(DEFAULT, utc('2026-05-22T17:00:00Z'))).toBe(utc('2026-05-26T09:00:00Z'));
    // Easter: Thursday 2 April 18:00 BST, Good Friday, the weekend, Easter Monday → Tuesday 7 April 10:00 BST
    expect(friendlyUntil(DEFAULT, utc('2026-04-02T17:00:00Z'))).toBe(utc('2026-04-07T09:00:00Z'));
    // Christmas: Thursday 24 December 18:00 GMT → Tuesday 29 December 10:00 GMT
    expect(friendlyUntil(DEFAULT, utc('2026-12-24T18:00:00Z'))).toBe(utc('2026-12-29T10:00:00Z'));
  });

  // DOMAIN §1.8; core/time/uk-time.ts: clocks change at 01:00 UTC on the last Sundays of March and October
  it('clock-change weekends end at 10:00 local on Monday, at the right UTC instant', () => {
    // Friday 27 March 18:00 GMT → Monday 30 March 10:00 BST = 09:00Z
    expect(friendlyUntil(DEFAULT, utc('2026-03-27T18:00:00Z'))).toBe(utc('2026-03-30T09:00:00Z'));
    // Friday 23 October 18:00 BST = 17:00Z → Monday 26 October 10:00 GMT = 10:00Z
    expect(friendlyUntil(DEFAULT, utc('2026-10-23T17:00:00Z'))).toBe(utc('2026-10-26T10:00:00Z'));
    expect(isFriendly(DEFAULT, utc('2026-03-30T08:59:59.999Z'))).toBe(true);
    expect(isFriendly(DEFAULT, utc('2026-03-30T09:00:00Z'))).toBe(false);
    expect(isFriendly(DEFAULT, utc('2026-10-26T09:59:59.999Z'))).toBe(true);
    expect(isFriendly(DEFAULT, utc('2026-10-26T10:00:00Z'))).toBe(false);
  });

  // DOMAIN §1.8
  it('friendlyUntil ends the period containing t: friendly up to it, not friendly at it', () => {
    fc.assert(
      fc.property(fc.integer({ min: Y2026, max: Y2027 }), (t) => {
        const until = friendlyUntil(DEFAULT, t);
        expect(until).toBeGreaterThanOrEqual(t);
        expect(isFriendly(DEFAULT, until)).toBe(false);
        if (until === t) return;
        expect(until - t).toBeLessThan(6 * DAY_MS);
        expect(isFriendly(DEFAULT, t)).toBe(true);
        expect(isFriendly(DEFAULT, until - 1)).toBe(true);
        for (let s = t - (t % (30 * MINUTE_MS)) + 30 * MINUTE_MS; s < until; s += 30 * MINUTE_MS) expect(isFriendly(DEFAULT, s)).toBe(true);
      }),
    );
  });
});

describe('other calendars', () => {
  // DOMAIN §1.8: a meter with no calendar disables as soon as credit runs out
  it('NO_NON_DISABLEMENT is never friendly', () => {
    fc.assert(
      fc.property(fc.integer({ min: Y2026, max: Y2027 }), (t) => {
        expect(isFriendly(NONE, t)).toBe(false);
        expect(friendlyUntil(NONE, t)).toBe(t);
      }),
    );
  });

  // DOMAIN §1.8: a calendar friendly all the time never ends
  it('friendlyUntil is Infinity for a calendar that is always friendly', () => {
    const always = compileCalendar({
      weekday: [{ from: '00:00', to: '24:00' }],
      weekend: [{ from: '00:00', to: '24:00' }],
      specialDays: [],
    });
    expect(friendlyUntil(always, utc('2026-06-01T12:00:00Z'))).toBe(Infinity);
  });

  // DOMAIN §1.8: periods that touch are one period
  it('friendlyUntil runs on through periods that touch', () => {
    const cal = compileCalendar({
      weekday: [
        { from: '00:00', to: '10:00' },
        { from: '10:00', to: '12:00' },
        { from: '12:00', to: '12:30' },
        { from: '20:00', to: '21:00' },
      ],
      weekend: [],
      specialDays: [],
    });
    expect(friendlyUntil(cal, utc('2026-01-14T09:00:00Z'))).toBe(utc('2026-01-14T12:30:00Z'));
    expect(friendlyUntil(cal, utc('2026-01-14T20:00:00Z'))).toBe(utc('2026-01-14T21:00:00Z'));
  });

  // core/time/uk-time.ts: wall times 01:00–01:59 never happen on the spring day and happen twice on the autumn day
  it('periods ending inside the changed hour end at the right instant, never before t', () => {
    const cal = compileCalendar({ weekday: [], weekend: [{ from: '00:00', to: '01:30' }], specialDays: [] });
    // 29 March: 00:45 GMT is friendly; 01:30 local never comes, so the period ends at 02:00 BST = 01:00Z.
    expect(friendlyUntil(cal, utc('2026-03-29T00:45:00Z'))).toBe(utc('2026-03-29T01:00:00Z'));
    expect(isFriendly(cal, utc('2026-03-29T01:00:00Z'))).toBe(false);
    // 25 October: 01:15 BST (00:15Z) ends at 01:30 BST (00:30Z); 01:15 GMT (01:15Z) ends at 01:30 GMT (01:30Z).
    expect(friendlyUntil(cal, utc('2026-10-25T00:15:00Z'))).toBe(utc('2026-10-25T00:30:00Z'));
    expect(isFriendly(cal, utc('2026-10-25T01:15:00Z'))).toBe(true);
    expect(friendlyUntil(cal, utc('2026-10-25T01:15:00Z'))).toBe(utc('2026-10-25T01:30:00Z'));
    // 03:00 local on each day: 02:00Z in spring (BST), 03:00Z in autumn (GMT)
    const late = compileCalendar({ weekday: [], weekend: [{ from: '00:00', to: '03:00' }], specialDays: [] });
    expect(friendlyUntil(late, utc('2026-03-29T00:15:00Z'))).toBe(utc('2026-03-29T02:00:00Z'));
    expect(friendlyUntil(late, utc('2026-10-25T00:15:00Z'))).toBe(utc('2026-10-25T03:00:00Z'));
    // 01:01–02:00 local on 25 October: the clocks going back at 02:00 BST (01:00Z) leave it, at 01:00 GMT;
    // it comes round again at 01:01 GMT.
    const repeated = compileCalendar({ weekday: [], weekend: [{ from: '01:01', to: '02:00' }], specialDays: [] });
    expect(friendlyUntil(repeated, utc('2026-10-25T00:01:00Z'))).toBe(utc('2026-10-25T01:00:00Z'));
    expect(isFriendly(repeated, utc('2026-10-25T01:00:00Z'))).toBe(false);
    expect(friendlyUntil(repeated, utc('2026-10-25T01:01:00Z'))).toBe(utc('2026-10-25T02:00:00Z'));
  });

  // DOMAIN §1.8: random calendars, random instants in 2026 with the clock-change days weighted in
  it('friendlyUntil(t) is the first non-friendly instant at or after t, for any calendar', () => {
    // Boundaries on a mix of whole minutes, half hours and the changed hour 01:00–02:00; each gap between
    // two boundaries is friendly or not, so periods often touch.
    const minute = fc.oneof(
      fc.integer({ min: 0, max: 1440 }),
      fc.integer({ min: 0, max: 48 }).map((h) => h * 30),
      fc.integer({ min: 60, max: 120 }),
    );
    const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    const periods = fc
      .tuple(fc.uniqueArray(minute, { maxLength: 7 }), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }))
      .map(([ms, on]) => {
        const sorted = [...ms].sort((a, b) => a - b);
        const out: { from: string; to: string }[] = [];
        for (let i = 0; i + 1 < sorted.length; i++) if (on[i]) out.push({ from: hhmm(sorted[i]!), to: hhmm(sorted[i + 1]!) });
        return out;
      });
    const change = (day: string) => fc.integer({ min: utc(`${day}T00:00:00Z`) - DAY_MS, max: utc(`${day}T00:00:00Z`) + 2 * DAY_MS });
    const instant = fc.oneof(fc.integer({ min: Y2026, max: Y2027 }), change('2026-03-29'), change('2026-10-25'));
    fc.assert(
      fc.property(periods, periods, fc.boolean(), instant, (weekday, weekend, special, t) => {
        const raw = { weekday, weekend, specialDays: special ? ['2026-03-30', '2026-10-26', '2026-06-01'] : [] };
        const cal = compileCalendar(unwrap(parseNonDisablementCalendar(raw)));
        const until = friendlyUntil(cal, t);
        expect(until).toBeGreaterThanOrEqual(t);
        if (until === Infinity) return;
        expect(isFriendly(cal, until)).toBe(false);
        if (until === t) return;
        expect(isFriendly(cal, until - 1)).toBe(true);
        // Friendliness changes only on whole minutes: check each one in between.
        if (until - t < 10 * DAY_MS) {
          for (let s = t - (t % MINUTE_MS); s < until; s += MINUTE_MS)
            if (!isFriendly(cal, Math.max(s, t))) expect.fail(`not friendly at ${s}`);
        }
      }),
    );
  });
});

describe('parseNonDisablementCalendar', () => {
  // DOMAIN §1.8
  it('gives the default for nothing and no calendar for null or "none"', () => {
    expect(unwrap(parseNonDisablementCalendar(undefined))).toBe(DEFAULT_NON_DISABLEMENT);
    expect(unwrap(parseNonDisablementCalendar(null))).toBe(NO_NON_DISABLEMENT);
    expect(unwrap(parseNonDisablementCalendar('none'))).toBe(NO_NON_DISABLEMENT);
    expect(unwrap(parseNonDisablementCalendar({ weekday: [{ from: '20:00', to: '24:00' }] }))).toEqual({
      weekday: [{ from: '20:00', to: '24:00' }],
      weekend: [],
      specialDays: [],
    });
    expect(unwrap(parseNonDisablementCalendar(DEFAULT_NON_DISABLEMENT))).toEqual(DEFAULT_NON_DISABLEMENT);
  });

  // DOMAIN §1.8 [XSD]: ≤ 22 schedule entries, ≤ 20 special days
  it('rejects bad times, empty or reversed periods, overlaps, size limits, impossible dates and unknown keys', () => {
    const p = parseNonDisablementCalendar;
    expect(rejection(p({ weekday: [{ from: '25:00', to: '24:00' }] }))).toEqual({ path: 'nonDisablement.weekday[0].from', code: 'format' });
    expect(rejection(p({ weekday: [{ from: '24:00', to: '24:00' }] }))).toEqual({ path: 'nonDisablement.weekday[0].from', code: 'format' });
    expect(rejection(p({ weekend: [{ from: '18:00', to: '7pm' }] }))).toEqual({ path: 'nonDisablement.weekend[0].to', code: 'format' });
    expect(rejection(p({ weekend: [{ from: '18:00', to: '24:01' }] }))).toEqual({ path: 'nonDisablement.weekend[0].to', code: 'format' });
    expect(rejection(p({ weekday: [{ from: '10:00', to: '10:00' }] }))).toEqual({ path: 'nonDisablement.weekday[0].to', code: 'order' });
    expect(rejection(p({ weekday: [{ from: '18:00', to: '10:00' }] }))).toEqual({ path: 'nonDisablement.weekday[0].to', code: 'order' });
    const overlap = [
      { from: '00:00', to: '10:00' },
      { from: '09:00', to: '12:00' },
    ];
    expect(rejection(p({ weekday: overlap }))).toEqual({ path: 'nonDisablement.weekday[1].from', code: 'order' });
    const entries = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ from: `${String(i).padStart(2, '0')}:00`, to: `${String(i).padStart(2, '0')}:30` }));
    expect(p({ weekday: entries(12), weekend: entries(10) }).ok).toBe(true);
    expect(rejection(p({ weekday: entries(12), weekend: entries(11) }))).toEqual({ path: 'nonDisablement', code: 'too-many' });
    const days = Array.from({ length: MAX_SPECIAL_DAYS + 1 }, (_, i) => `2026-06-${String(i + 1).padStart(2, '0')}`);
    expect(p({ specialDays: days.slice(0, MAX_SPECIAL_DAYS) }).ok).toBe(true);
    expect(rejection(p({ specialDays: days }))).toEqual({ path: 'nonDisablement.specialDays', code: 'too-many' });
    expect(rejection(p({ specialDays: ['2026-01-01', '2026-02-30'] }))).toEqual({ path: 'nonDisablement.specialDays[1]', code: 'format' });
    expect(rejection(p({ specialDays: ['2026-02-29'] }))).toEqual({ path: 'nonDisablement.specialDays[0]', code: 'format' });
    expect(p({ specialDays: ['2028-02-29'] }).ok).toBe(true);
    expect(rejection(p({ specialDays: ['26-01-01'] }))).toEqual({ path: 'nonDisablement.specialDays[0]', code: 'format' });
    expect(rejection(p({ specialDays: '2026-01-01' }))).toEqual({ path: 'nonDisablement.specialDays', code: 'type' });
    expect(rejection(p({ weekday: [], holidays: [] }))).toEqual({ path: 'nonDisablement.holidays', code: 'unknown-kind' });
    expect(rejection(p({ weekday: [{ from: '18:00', to: '24:00', days: 'mon' }] }))).toEqual({
      path: 'nonDisablement.weekday[0].days',
      code: 'unknown-kind',
    });
    expect(rejection(p({ weekday: { from: '18:00', to: '24:00' } }))).toEqual({ path: 'nonDisablement.weekday', code: 'type' });
    expect(rejection(p(42, 'meter.nonDisablement'))).toEqual({ path: 'meter.nonDisablement', code: 'type' });
  });

  // DOMAIN §1.8
  it('compiles to minute ranges and bank holidays to whole days', () => {
    const c = compileCalendar(DEFAULT_NON_DISABLEMENT);
    expect(c.weekday).toEqual([
      [0, 600],
      [1080, 1440],
    ]);
    expect(c.specialDays.has('2026-08-31')).toBe(true);
    // 00:00 BST on the bank holiday is still Sunday 23:00Z: friendly either way
    expect(isFriendly(c, utc('2026-08-30T23:00:00Z') + HOUR_MS * 11)).toBe(true);
  });
});
