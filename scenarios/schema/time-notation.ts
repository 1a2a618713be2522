import { fieldError, type FieldError } from '../../core/errors.ts';
import { err, ok, type Result } from '../../core/result.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, type Instant } from '../../core/time/duration.ts';
import { MAX_YEAR, MIN_YEAR, formatInstant, parseInstant } from '../../core/time/uk-time.ts';

/**
 * Times and durations as scenario files write them. A time is an ISO-8601
 * date-time (`2027-01-12T09:00:00Z`; a date alone is UK local midnight), a
 * `Date` in a TypeScript module, or an offset from the scenario's start:
 * `+3d`, `+2h30m`, `+1d6h`, `+90s`. A duration is the offset without its
 * `+`: `6h`, `21d`, `2h30m`, `500ms`. Units, largest first, each at most
 * once: d, h, m, s, ms.
 */

const DURATION = /^(?:(\d{1,9})d)?(?:(\d{1,9})h)?(?:(\d{1,9})m(?!s))?(?:(\d{1,9})s)?(?:(\d{1,9})ms)?$/;
const UNITS = [DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS, 1] as const;
const EARLIEST = Date.UTC(MIN_YEAR, 0, 1);
const LATEST = Date.UTC(MAX_YEAR + 1, 0, 1);

export const TIME_EXPECTED = 'an ISO date-time (2027-01-12T09:00:00Z) or an offset from the start (+3d, +2h30m)';
const ABSOLUTE_EXPECTED = 'an ISO date-time (2027-01-12T09:00:00Z)';
export const DURATION_EXPECTED = 'a duration such as 6h, 21d, 2h30m or 500ms (units d, h, m, s, ms, largest first)';

/** Milliseconds of a duration's text, or undefined if it is not one. */
function durationMs(text: string): number | undefined {
  if (text === '') return undefined;
  const m = DURATION.exec(text);
  if (m === null) return undefined;
  let ms = 0;
  for (let i = 0; i < UNITS.length; i++) {
    const part = m[i + 1];
    if (part !== undefined) ms += Number(part) * UNITS[i]!;
  }
  return ms;
}

/**
 * Reads a duration. `min` and `max` are milliseconds.
 *
 * @example
 * parseDuration('2h30m', 'timeline[0].duration'); // ok(9_000_000)
 */
export function parseDuration(raw: unknown, path: string, bounds: { min?: number; max?: number } = {}): Result<number, FieldError> {
  if (typeof raw !== 'string') return err(fieldError(path, 'type', DURATION_EXPECTED, raw));
  const ms = durationMs(raw);
  if (ms === undefined) return err(fieldError(path, 'format', DURATION_EXPECTED, raw));
  if (bounds.min !== undefined && ms < bounds.min) return err(fieldError(path, 'range', `at least ${formatDuration(bounds.min)}`, raw));
  if (bounds.max !== undefined && ms > bounds.max) return err(fieldError(path, 'range', `at most ${formatDuration(bounds.max)}`, raw));
  return ok(ms);
}

/**
 * Reads a time: absolute, or an offset from `start`. With `start` undefined
 * (the start itself), offsets are refused.
 *
 * @example
 * parseTime('+1d12h', 'timeline[2].at', Date.UTC(2027, 0, 4)); // ok(Date.UTC(2027, 0, 5, 12))
 */
export function parseTime(raw: unknown, path: string, start: Instant | undefined): Result<Instant, FieldError> {
  if (raw instanceof Date) {
    const t = raw.getTime();
    if (!Number.isFinite(t)) return err(fieldError(path, 'format', TIME_EXPECTED, 'an invalid Date'));
    if (t < EARLIEST || t >= LATEST) return err(fieldError(path, 'range', `a year ${MIN_YEAR}..${MAX_YEAR}`, formatInstant(t)));
    return ok(t);
  }
  if (typeof raw !== 'string') return err(fieldError(path, 'type', start === undefined ? ABSOLUTE_EXPECTED : TIME_EXPECTED, raw));
  if (raw.startsWith('+')) {
    if (start === undefined) return err(fieldError(path, 'format', 'an ISO date-time: the start cannot be an offset from itself', raw));
    const ms = durationMs(raw.slice(1));
    if (ms === undefined) return err(fieldError(path, 'format', TIME_EXPECTED, raw));
    return ok(start + ms);
  }
  const t = parseInstant(raw, path);
  if (t.ok) return t;
  // Not a date at all: name both notations. A date with a mistake in it keeps parseInstant's precise message.
  if (!/^\d{4}-/.test(raw)) return err(fieldError(path, 'format', start === undefined ? ABSOLUTE_EXPECTED : TIME_EXPECTED, raw));
  return t;
}

/**
 * The shortest text of a duration, e.g. `1d2h`, `30m`, `0s`.
 *
 * @example
 * formatDuration(9_000_000); // '2h30m'
 */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) throw new RangeError(`formatDuration of ${ms}`);
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  const names = ['d', 'h', 'm', 's', 'ms'] as const;
  for (let i = 0; i < UNITS.length; i++) {
    const n = Math.floor(rest / UNITS[i]!);
    rest -= n * UNITS[i]!;
    if (n > 0) out += `${n}${names[i]!}`;
  }
  return out;
}
