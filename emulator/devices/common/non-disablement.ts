import { ok, err, type Result } from '../../../core/result.ts';
import { fieldError, type FieldError } from '../../../core/errors.ts';
import type { Instant } from '../../../core/time/duration.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../core/time/duration.ts';
import { ukLocal, ukLocalDayStart, ukNextLocalDayStart, ukOffsetMs, ukLocalDate } from '../../../core/time/uk-time.ts';
import { isRecord, checkKeys } from './read-config.ts';

/**
 * Non-disablement ("friendly credit") periods: while one is active a meter
 * that runs out of credit stays on and raises 0x8F83 instead; it disables
 * when the period ends if credit is still short. // DOMAIN §1.4 (6), §1.8
 *
 * Periods are local UK times; weekdays and weekends have their own schedule
 * and special days (bank holidays) are friendly all day.
 */
export interface NonDisablementCalendar {
  readonly weekday: readonly FriendlyPeriod[];
  readonly weekend: readonly FriendlyPeriod[];
  /** Local dates 'YYYY-MM-DD' that are friendly all day. */
  readonly specialDays: readonly string[];
}

/** From 'HH:MM' (inclusive) to 'HH:MM' (exclusive; '24:00' = end of day). */
export interface FriendlyPeriod {
  readonly from: string;
  readonly to: string;
}

/** An ESME calendar holds up to 20 special days and 22 schedule entries. // DOMAIN §1.8 [XSD] */
export const MAX_SPECIAL_DAYS = 20;
export const MAX_SCHEDULE_ENTRIES = 22;

/**
 * Mon–Fri 18:00–10:00, all weekend, and England & Wales bank holidays of 2026–27.
 * // DOMAIN §9 [EAS], OPEN-QUESTIONS B10 (UNVERIFIED supplier configuration)
 */
export const DEFAULT_NON_DISABLEMENT: NonDisablementCalendar = {
  weekday: [
    { from: '00:00', to: '10:00' },
    { from: '18:00', to: '24:00' },
  ],
  weekend: [{ from: '00:00', to: '24:00' }],
  specialDays: [
    '2026-01-01',
    '2026-04-03',
    '2026-04-06',
    '2026-05-04',
    '2026-05-25',
    '2026-08-31',
    '2026-12-25',
    '2026-12-28',
    '2027-01-01',
    '2027-03-26',
    '2027-03-29',
    '2027-05-03',
    '2027-05-31',
    '2027-08-30',
    '2027-12-27',
    '2027-12-28',
  ],
};

/** A calendar with no friendly periods: disablement is never suspended. */
export const NO_NON_DISABLEMENT: NonDisablementCalendar = { weekday: [], weekend: [], specialDays: [] };

/** Minute ranges per day type, for the hot path. */
export interface CompiledCalendar {
  readonly weekday: readonly (readonly [number, number])[];
  readonly weekend: readonly (readonly [number, number])[];
  readonly specialDays: ReadonlySet<string>;
}

export function compileCalendar(c: NonDisablementCalendar): CompiledCalendar {
  const ranges = (ps: readonly FriendlyPeriod[]) => ps.map((p) => [minuteOf(p.from) ?? 0, minuteOf(p.to) ?? 0] as const);
  return { weekday: ranges(c.weekday), weekend: ranges(c.weekend), specialDays: new Set(c.specialDays) };
}

/** True if disablement is suspended at instant t. */
export function isFriendly(cal: CompiledCalendar, t: Instant): boolean {
  const ranges = rangesFor(cal, t);
  const m = ukLocal(t).minuteOfDay;
  return ranges.some(([a, b]) => m >= a && m < b);
}

/**
 * The instant the friendly period containing t ends (t itself if none is
 * active). Follows periods across midnight (Friday evening to Monday morning is
 * one period). Infinity if the calendar never ends within `horizonDays`.
 */
export function friendlyUntil(cal: CompiledCalendar, t: Instant, horizonDays = 400): Instant {
  let at = t;
  const limit = t + horizonDays * DAY_MS;
  while (at < limit) {
    const dayStart = ukLocalDayStart(at);
    const off0 = ukOffsetMs(dayStart);
    const m = Math.floor((at - dayStart + ukOffsetMs(at) - off0) / MINUTE_MS);
    const ranges = rangesFor(cal, at);
    const range = ranges.find(([a, b]) => m >= a && m < b);
    if (!range) return at;
    // Periods that touch ('00:00'–'10:00', '10:00'–'12:00') are one period.
    let end = range[1];
    for (;;) {
      const next = ranges.find(([a, b]) => a <= end && b > end);
      if (next === undefined) break;
      end = next[1];
    }
    // Step to the wall-clock end of the range, the end of the local day, or a clock change
    // (01:00 UTC), whichever comes first, and look again: the wall clock jumps there.
    const dayEnd = ukNextLocalDayStart(at);
    const change = ukOffsetMs(dayEnd - 1) !== off0 ? dayStart + HOUR_MS + off0 : Infinity;
    const wallEnd = dayStart + end * MINUTE_MS + off0 - ukOffsetMs(at);
    at = at < change ? Math.min(wallEnd, change, dayEnd) : Math.min(wallEnd, dayEnd);
  }
  return Infinity;
}

function rangesFor(cal: CompiledCalendar, t: Instant): readonly (readonly [number, number])[] {
  if (cal.specialDays.size > 0 && cal.specialDays.has(ukLocalDate(t))) return ALL_DAY;
  const dow = ukLocal(t).dayOfWeek;
  return dow === 0 || dow === 6 ? cal.weekend : cal.weekday;
}

const ALL_DAY = [[0, 1440] as const];

function minuteOf(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  if (v === '24:00') return 1440;
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(v);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** Validates a calendar: times, order, no overlaps, ESME size limits, real dates. */
export function parseNonDisablementCalendar(raw: unknown, path = 'nonDisablement'): Result<NonDisablementCalendar, FieldError> {
  if (raw === undefined) return ok(DEFAULT_NON_DISABLEMENT);
  if (raw === null || raw === 'none') return ok(NO_NON_DISABLEMENT);
  if (!isRecord(raw)) return err(fieldError(path, 'type', 'an object { weekday, weekend, specialDays } or "none"', raw));
  const bad = checkKeys(raw, path, ['weekday', 'weekend', 'specialDays']);
  if (bad) return err(bad);
  const weekday = parsePeriods(raw['weekday'] ?? [], `${path}.weekday`);
  if (!weekday.ok) return weekday;
  const weekend = parsePeriods(raw['weekend'] ?? [], `${path}.weekend`);
  if (!weekend.ok) return weekend;
  if (weekday.value.length + weekend.value.length > MAX_SCHEDULE_ENTRIES) {
    return err(
      fieldError(path, 'too-many', `at most ${MAX_SCHEDULE_ENTRIES} schedule entries in all`, weekday.value.length + weekend.value.length),
    );
  }
  const days = raw['specialDays'] ?? [];
  if (!Array.isArray(days)) return err(fieldError(`${path}.specialDays`, 'type', 'an array of dates "YYYY-MM-DD"', days));
  if (days.length > MAX_SPECIAL_DAYS)
    return err(fieldError(`${path}.specialDays`, 'too-many', `at most ${MAX_SPECIAL_DAYS} special days`, days));
  for (const [i, d] of days.entries()) {
    if (!isRealDate(d)) return err(fieldError(`${path}.specialDays[${i}]`, 'format', 'a real date "YYYY-MM-DD" in 2000..2100', d));
  }
  return ok({ weekday: weekday.value, weekend: weekend.value, specialDays: days as string[] });
}

function parsePeriods(raw: unknown, path: string): Result<FriendlyPeriod[], FieldError> {
  if (!Array.isArray(raw)) return err(fieldError(path, 'type', 'an array of { from: "HH:MM", to: "HH:MM" }', raw));
  const out: FriendlyPeriod[] = [];
  let lastEnd = -1;
  for (const [i, p] of raw.entries()) {
    const at = `${path}[${i}]`;
    if (!isRecord(p)) return err(fieldError(at, 'type', 'an object { from, to }', p));
    const bad = checkKeys(p, at, ['from', 'to']);
    if (bad) return err(bad);
    const from = minuteOf(p['from']);
    const to = minuteOf(p['to']);
    if (from === null || from === 1440) return err(fieldError(`${at}.from`, 'format', 'a local time "HH:MM"', p['from']));
    if (to === null) return err(fieldError(`${at}.to`, 'format', 'a local time "HH:MM" or "24:00"', p['to']));
    if (to <= from)
      return err(fieldError(`${at}.to`, 'order', `a time after ${String(p['from'])} (split overnight periods at "24:00")`, p['to']));
    if (from < lastEnd) return err(fieldError(`${at}.from`, 'order', 'periods in time order without overlaps', p['from']));
    lastEnd = to;
    out.push({ from: p['from'] as string, to: p['to'] as string });
  }
  return ok(out);
}

function isRealDate(v: unknown): boolean {
  if (typeof v !== 'string') return false;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 2000 || y > 2100 || mo < 1 || mo > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1] ?? 0;
  return d <= days;
}
