/**
 * xs:dateTime ↔ the twin's virtual instants (UTC milliseconds). DUIS writes
 * `2022-08-17T15:45:42.790Z`; a time without a zone is refused rather than
 * guessed, and fractions below a millisecond are dropped.
 */
import type { Instant } from '../../core/time/duration.ts';

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;

/** The instant `text` names, or undefined when it is not an xs:dateTime with a zone. */
export function parseDateTime(text: string): Instant | undefined {
  const m = DATE_TIME.exec(text.trim());
  if (m === null) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const zone = m[8]!;
  const offset = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59 || Math.abs(offset) > 14 * 60) return undefined;
  // setUTCFullYear, not Date.UTC, which reads the years 0–99 as 1900–1999.
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, s, ms);
  // A day outside its month (31 April) rolls over: refused.
  if (date.getUTCDate() !== d) return undefined;
  return date.getTime() - offset * 60_000;
}

/** The instant as DUIS writes it: ISO 8601 UTC with milliseconds. */
export const formatDateTime = (at: Instant): string => new Date(at).toISOString();
