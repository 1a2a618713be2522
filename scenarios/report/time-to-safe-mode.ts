import { SAFE_MODE_BANDS, type IsoInstant, type Percentiles, type TimeToSafeMode } from './report-model.ts';

/**
 * Summarises time to safe mode over the meters an Authority instruction
 * covered: one entry per meter, the minutes from the instruction to Credit
 * mode applied, or null when the meter never reached Credit mode.
 *
 * Percentiles are nearest-rank (pN is an actual meter's value, never an
 * interpolation a reader cannot find in the data); bands are
 * `SAFE_MODE_BANDS`, all of them, so policies line up side by side.
 *
 * @example
 * summariseTimeToSafeMode('2026-01-06T09:00:00Z', [12, 95, null]);
 * // { meters: 3, applied: 2, never: 1, percentilesMinutes: { p50: 12, …, max: 95 }, bands: [...] }
 */
export function summariseTimeToSafeMode(instructedAt: IsoInstant | null, minutes: Iterable<number | null>): TimeToSafeMode {
  const applied: number[] = [];
  let meters = 0;
  for (const m of minutes) {
    meters++;
    if (m === null) continue;
    // A negative or non-finite time would mean Credit mode before the instruction: a bug in the caller.
    if (!Number.isFinite(m) || m < 0) throw new RangeError(`summariseTimeToSafeMode: minutes must be finite and not negative, got ${m}`);
    applied.push(m);
  }
  const sorted = Float64Array.from(applied).sort();
  const bands = SAFE_MODE_BANDS.map((b) => ({ label: b.label, fromMinutes: b.fromMinutes, toMinutes: b.toMinutes, meters: 0 }));
  for (const m of sorted) {
    const band = bands.findLast((b) => m >= b.fromMinutes);
    if (band !== undefined) band.meters++;
  }
  return {
    instructedAt,
    meters,
    applied: sorted.length,
    never: meters - sorted.length,
    percentilesMinutes: sorted.length === 0 ? null : percentiles(sorted),
    bands,
  };
}

/** Nearest-rank percentiles of values sorted ascending (at least one). */
function percentiles(sorted: Float64Array): Percentiles {
  const rank = (p: number): number => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  return { p50: rank(50), p90: rank(90), p95: rank(95), p99: rank(99), max: rank(100) };
}
