/**
 * Virtual time. Every clock reading, schedule and timestamp in the twin is an
 * `Instant`: integer milliseconds since 1970-01-01T00:00Z, in UTC. Runs never
 * read the host clock, so a run is a pure function of its configuration and seed.
 *
 * Civil (UK local) time is derived from an Instant only where the domain needs
 * it (tariff time bands, daily reads, debt recovery days); see `uk-time.ts`.
 *
 * @example
 * const start: Instant = Date.UTC(2026, 2, 1); // 2026-03-01T00:00Z
 */
export type Instant = number;

/** One second in milliseconds. */
export const SECOND_MS = 1_000;
/** One minute in milliseconds. */
export const MINUTE_MS = 60 * SECOND_MS;
/** Thirty minutes: the GB settlement period and the smart meter profile interval. */
export const HALF_HOUR_MS = 30 * MINUTE_MS;
/** One hour in milliseconds. */
export const HOUR_MS = 60 * MINUTE_MS;
/**
 * One UTC day in milliseconds. A UK *local* day is 23 or 25 hours on the days
 * the clocks change; use `ukNextLocalDayStart` to step local days.
 */
export const DAY_MS = 24 * HOUR_MS;
/** Seven UTC days in milliseconds. */
export const WEEK_MS = 7 * DAY_MS;
