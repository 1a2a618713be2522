import { ukLocal } from '../../core/time/uk-time.ts';
import type { Report } from './report-model.ts';

/**
 * Numbers, durations and dates as the written reports show them: British
 * English, thousands separated, a unit on every figure, times in UK local
 * time (GMT or BST).
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `12,345`. */
export const formatCount = (n: number): string => n.toLocaleString('en-GB', { maximumFractionDigits: 0 });

/** `1,234.5`: one decimal place. */
export const formatOneDecimal = (n: number): string => n.toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** `45 of 300 (15.0 %)`; `0 of 0` without a percentage of nothing. */
export const formatShare = (n: number, of: number): string =>
  of === 0 ? `${formatCount(n)} of 0` : `${formatCount(n)} of ${formatCount(of)} (${formatPercent(n, of)})`;

/** `15.0 %`; `0.0 %` of nothing. */
export const formatPercent = (n: number, of: number): string => `${formatOneDecimal(of === 0 ? 0 : (100 * n) / of)} %`;

/** Minutes as hours: `1,234.5 h`. For tables that add durations up. */
export const formatHours = (minutes: number): string => `${formatOneDecimal(minutes / 60)} h`;

/** A duration in the unit a reader thinks in: `45 min`, `7.5 h`, `3.2 days`. */
export function formatDuration(minutes: number): string {
  if (minutes < 90) return `${formatCount(Math.round(minutes))} min`;
  if (minutes < 48 * 60) return `${formatOneDecimal(minutes / 60)} h`;
  return `${formatOneDecimal(minutes / 1440)} days`;
}

/** `4.2 s` of wall-clock time. */
export const formatSeconds = (s: number): string => `${formatOneDecimal(s)} s`;

/** An ISO instant as UK local date and time: `Mon 5 Jan 2026 20:00`. */
export function formatUkDateTime(iso: string): string {
  const t = ukLocal(Date.parse(iso));
  return `${formatUkDate(iso)} ${t.year} ${clock(t.minuteOfDay)}`;
}

/** An ISO instant as a UK local date without the year: `Mon 5 Jan`. */
export function formatUkDate(iso: string): string {
  const t = ukLocal(Date.parse(iso));
  return `${WEEKDAYS[t.dayOfWeek] ?? ''} ${t.day} ${MONTHS[t.month - 1] ?? ''}`;
}

/** The UK local time of day of an instant in milliseconds: `06:00`. */
export const formatUkClock = (ms: number): string => clock(ukLocal(ms).minuteOfDay);

/** The UK local day and month of an instant in milliseconds: `5 Jan`. */
export function formatUkDayMonth(ms: number): string {
  const t = ukLocal(ms);
  return `${t.day} ${MONTHS[t.month - 1] ?? ''}`;
}

const clock = (minuteOfDay: number): string =>
  `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}:${String(minuteOfDay % 60).padStart(2, '0')}`;

/** A party by name and id, `SRP for Supplier X (90-B3-…)`, or the bare id when the report does not name it. */
export function partyName(report: Report, id: string): string {
  const p = report.run.parties.find((x) => x.id === id);
  return p === undefined ? id : `${p.name} (${id})`;
}

/** The length of one bucket of the off-supply series in words: `hour`, `15-minute period`. */
export const bucketWords = (minutes: number): string =>
  minutes === 60 ? 'hour' : minutes === 1440 ? 'day' : `${formatCount(minutes)}-minute period`;
