import { fieldError, type FieldError } from '../errors.ts';
import { err, ok, type Result } from '../result.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, type Instant } from './duration.ts';

/**
 * UK civil time: GMT (UTC+0) in winter and BST (UTC+1) from 01:00 UTC on the
 * last Sunday of March to 01:00 UTC on the last Sunday of October. That rule
 * has held since 1996 and is applied to every year; the twin only accepts
 * instants in 2000..2100.
 *
 * Everything here is integer arithmetic on day numbers (days since
 * 1970-01-01), with each year's clock-change instants computed once and
 * cached, so tariff and billing code can call it for every half hour of every
 * meter without touching `Date`.
 */

/** The UK local calendar fields of an instant. */
export interface UkLocal {
  readonly year: number;
  /** 1 = January … 12 = December. */
  readonly month: number;
  /** Day of the month, 1-based. */
  readonly day: number;
  /** 0 = Sunday … 6 = Saturday. */
  readonly dayOfWeek: number;
  /** Minutes since local midnight, 0..1439 (wall-clock, so 60..119 never occurs on the spring change day). */
  readonly minuteOfDay: number;
  /** 1 = 1 January … 366. */
  readonly dayOfYear: number;
}

/** The earliest calendar year `parseInstant` accepts. */
export const MIN_YEAR = 2000;
/** The latest calendar year `parseInstant` accepts. */
export const MAX_YEAR = 2100;

// ---- day numbers ↔ civil dates (proleptic Gregorian, after H. Hinnant) ----

/** Days since 1970-01-01 of a civil date. */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const mp = m > 2 ? m - 3 : m + 9; // March = 0, so the leap day ends the year
  const doy = Math.floor((153 * mp + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

// civilFromDays writes here rather than allocate a tuple on the hot path.
let cy = 0;
let cm = 0;
let cd = 0;

function civilFromDays(days: number): void {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  cd = doy - Math.floor((153 * mp + 2) / 5) + 1;
  cm = mp < 10 ? mp + 3 : mp - 9;
  cy = yoe + era * 400 + (cm <= 2 ? 1 : 0);
}

/** 0 = Sunday … 6 = Saturday; 1970-01-01 was a Thursday. */
const weekday = (days: number): number => (((days + 4) % 7) + 7) % 7;

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

// ---- clock changes ----

/** [start of year, start of next year, BST start, BST end], all UTC instants. */
type YearBounds = readonly [number, number, number, number];
const yearCache = new Map<number, YearBounds>();

function lastSundayAt0100Utc(y: number, m: number): number {
  const lastDay = daysFromCivil(y, m, 31); // March and October both have 31 days
  return (lastDay - weekday(lastDay)) * DAY_MS + HOUR_MS;
}

function boundsOf(y: number): YearBounds {
  let b = yearCache.get(y);
  if (b === undefined) {
    b = [daysFromCivil(y, 1, 1) * DAY_MS, daysFromCivil(y + 1, 1, 1) * DAY_MS, lastSundayAt0100Utc(y, 3), lastSundayAt0100Utc(y, 10)];
    yearCache.set(y, b);
  }
  return b;
}

// The year last asked about: consecutive calls nearly always fall in it.
let hotYearStart = Number.NaN;
let hotYearEnd = Number.NaN;
let hotBstStart = Number.NaN;
let hotBstEnd = Number.NaN;

/**
 * The UK offset from UTC at `t`: 0 (GMT) or 3 600 000 (BST).
 * The UTC year decides the rule: clock changes are nowhere near New Year.
 *
 * @example
 * ukOffsetMs(Date.UTC(2026, 6, 1)); // 3_600_000
 */
export function ukOffsetMs(t: Instant): number {
  if (!(t >= hotYearStart && t < hotYearEnd)) {
    if (!Number.isFinite(t)) throw new RangeError(`uk time of a non-finite instant: ${t}`);
    civilFromDays(Math.floor(t / DAY_MS));
    const b = boundsOf(cy);
    hotYearStart = b[0];
    hotYearEnd = b[1];
    hotBstStart = b[2];
    hotBstEnd = b[3];
  }
  return t >= hotBstStart && t < hotBstEnd ? HOUR_MS : 0;
}

/** Local day number (days since 1970-01-01 on the UK wall calendar) containing `t`. */
const localDays = (t: Instant): number => Math.floor((t + ukOffsetMs(t)) / DAY_MS);

/**
 * The instant of local midnight starting local day `days`. Clocks change at
 * 01:00 UTC, so UTC midnight of that date has the same offset as local
 * midnight, and local midnight is never skipped or repeated.
 */
function midnightOfLocalDay(days: number): Instant {
  const utcMidnight = days * DAY_MS;
  return utcMidnight - ukOffsetMs(utcMidnight);
}

/**
 * The UK wall-calendar fields of `t`.
 *
 * @example
 * ukLocal(Date.UTC(2026, 5, 30, 23, 30)); // { year: 2026, month: 7, day: 1, minuteOfDay: 30, … }
 */
export function ukLocal(t: Instant): UkLocal {
  const local = t + ukOffsetMs(t);
  const days = Math.floor(local / DAY_MS);
  civilFromDays(days);
  const year = cy;
  return {
    year,
    month: cm,
    day: cd,
    dayOfWeek: weekday(days),
    minuteOfDay: Math.floor((local - days * DAY_MS) / MINUTE_MS),
    dayOfYear: days - daysFromCivil(year, 1, 1) + 1,
  };
}

/**
 * The instant of the local midnight that starts the UK day containing `t`.
 * Local days are 23 hours long on the last Sunday of March and 25 hours on
 * the last Sunday of October.
 *
 * @example
 * ukLocalDayStart(Date.UTC(2026, 6, 1, 12)) === Date.UTC(2026, 5, 30, 23); // midnight BST
 */
export function ukLocalDayStart(t: Instant): Instant {
  return midnightOfLocalDay(localDays(t));
}

/**
 * The instant of the next UK local midnight after the one starting `t`'s day.
 *
 * @example
 * ukNextLocalDayStart(Date.UTC(2026, 2, 29, 0)) - Date.UTC(2026, 2, 29, 0); // 23 hours
 */
export function ukNextLocalDayStart(t: Instant): Instant {
  return midnightOfLocalDay(localDays(t) + 1);
}

/**
 * The instant of UK local midnight starting a calendar date (month 1..12).
 * The date must exist; this is for code, not input (use `parseInstant`).
 *
 * @example
 * ukDateStart(2026, 10, 25) === Date.UTC(2026, 9, 24, 23);
 */
export function ukDateStart(year: number, month: number, day: number): Instant {
  return midnightOfLocalDay(daysFromCivil(year, month, day));
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

function formatDate(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
}

/**
 * The UK local date of `t` as `YYYY-MM-DD`.
 *
 * @example
 * ukLocalDate(Date.UTC(2026, 5, 30, 23, 30)); // '2026-07-01'
 */
export function ukLocalDate(t: Instant): string {
  civilFromDays(localDays(t));
  return formatDate(cy, cm, cd);
}

/**
 * `t` as an ISO-8601 UTC date-time; milliseconds are shown only when not zero.
 *
 * @example
 * formatInstant(Date.UTC(2026, 2, 29, 1)); // '2026-03-29T01:00:00Z'
 */
export function formatInstant(t: Instant): string {
  if (!Number.isFinite(t)) throw new RangeError(`formatInstant of a non-finite instant: ${t}`);
  const days = Math.floor(t / DAY_MS);
  const msOfDay = Math.floor(t - days * DAY_MS);
  civilFromDays(days);
  const h = Math.floor(msOfDay / HOUR_MS);
  const mi = Math.floor((msOfDay % HOUR_MS) / MINUTE_MS);
  const s = Math.floor((msOfDay % MINUTE_MS) / SECOND_MS);
  const ms = msOfDay % SECOND_MS;
  const frac = ms === 0 ? '' : `.${String(ms).padStart(3, '0')}`;
  return `${formatDate(cy, cm, cd)}T${pad2(h)}:${pad2(mi)}:${pad2(s)}${frac}Z`;
}

// ---- parsing ----

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})$/;
const DATE_TIME_NO_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;
const EXPECTED = 'an ISO-8601 date-time with Z or ±hh:mm (2026-03-29T01:00:00Z) or a UK date (2026-03-29)';

/**
 * Reads an instant from configuration: an ISO-8601 date-time with seconds and
 * milliseconds optional and a `Z` or `±hh:mm` offset, or a date `YYYY-MM-DD`
 * meaning UK local midnight starting that date. Years must be 2000..2100 and
 * dates must exist.
 *
 * @example
 * parseInstant('2026-10-25', 'run.start'); // ok(Date.UTC(2026, 9, 24, 23))
 */
export function parseInstant(raw: unknown, path: string): Result<Instant, FieldError> {
  if (typeof raw !== 'string') return err(fieldError(path, 'type', EXPECTED, raw));
  const dateOnly = DATE_ONLY.exec(raw);
  const m = dateOnly ?? DATE_TIME.exec(raw);
  if (m === null) {
    if (DATE_TIME_NO_OFFSET.test(raw)) {
      return err(fieldError(path, 'format', 'a date-time with an offset, Z or ±hh:mm (local time is ambiguous)', raw));
    }
    return err(fieldError(path, 'format', EXPECTED, raw));
  }
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (year < MIN_YEAR || year > MAX_YEAR) return err(fieldError(path, 'range', `a year ${MIN_YEAR}..${MAX_YEAR}`, raw));
  if (month < 1 || month > 12) return err(fieldError(path, 'range', 'a month 01..12', raw));
  const dim = daysInMonth(year, month);
  if (day < 1 || day > dim) return err(fieldError(path, 'range', `a day 01..${dim} for ${year}-${pad2(month)}`, raw));
  if (dateOnly !== null) return ok(ukDateStart(year, month, day));

  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  if (hour > 23) return err(fieldError(path, 'range', 'an hour 00..23', raw));
  if (minute > 59) return err(fieldError(path, 'range', 'a minute 00..59', raw));
  if (second > 59) return err(fieldError(path, 'range', 'a second 00..59', raw));
  let offsetMs = 0;
  const zone = m[8]!;
  if (zone !== 'Z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 14 || om > 59) return err(fieldError(path, 'range', 'an offset -14:00..+14:00 with minutes 00..59', raw));
    offsetMs = (zone[0] === '-' ? -1 : 1) * (oh * HOUR_MS + om * MINUTE_MS);
  }
  const wall = daysFromCivil(year, month, day) * DAY_MS + hour * HOUR_MS + minute * MINUTE_MS + second * SECOND_MS + millis;
  return ok(wall - offsetMs);
}
