import type { Instant } from '../../../core/time/duration.ts';

/**
 * Where a half hour sits in UK local time. The ledger walks time in half
 * hours and hands each one to the profile with this already worked out, so a
 * profile never does calendar arithmetic on the hot path.
 */
export interface LocalHalfHour {
  /** Instant the half hour starts (UTC ms). */
  readonly start: Instant;
  /** 0..47 counted from local midnight (46 or 50 half hours on clock-change days; capped at 47). */
  readonly index: number;
  /** 0 = Sunday .. 6 = Saturday, local. */
  readonly dayOfWeek: number;
  /** 1..366, local. */
  readonly dayOfYear: number;
}

/**
 * Energy drawn by one premises on one fuel: piecewise constant per half hour,
 * a pure function of time (no hidden state), so the ledger can compute credit
 * crossings analytically and a replay gives the same answer. // ARCHITECTURE "Time"
 */
export interface ConsumptionProfile {
  /** Whole watt-hours drawn in the half hour (≥ 0) while supply is on. */
  whInHalfHour(hh: LocalHalfHour): number;
}

/** A constant draw, for tests and simple fleets. */
export const constantProfile = (whPerHalfHour: number): ConsumptionProfile => ({
  whInHalfHour: () => whPerHalfHour,
});
