import { DAY_MS, HALF_HOUR_MS } from '../../core/time/duration.ts';
import type { ConsumptionProfile, LocalHalfHour } from '../devices/common/profile.ts';
import { shapeTables, type Fuel } from './load-shapes.ts';

/**
 * How far one half hour may stray from the shape, either way: kettles, showers
 * and ovens make single half hours lumpy. // (UNVERIFIED)
 */
const HALF_HOUR_SPREAD = 0.5;
/** How far one whole day may stray from the shape, either way: weather, guests, washing days. // (UNVERIFIED) */
const DAY_SPREAD = 0.15;
// 2^-32: maps a uint32 hash to [0, 1).
const U32_TO_UNIT = 1 / 4294967296;
// Local copies: an imported binding is re-read on every call, a module constant is
// folded in; this made the hot path about a third faster.
const HH_MS = HALF_HOUR_MS;
const D_MS = DAY_MS;

/**
 * One household's draw on one fuel. Five numbers and references per object
 * (the tables are shared), methods on the prototype: a fleet holds hundreds of
 * thousands of these and calls them in its innermost loop.
 */
class HouseholdProfile implements ConsumptionProfile {
  private readonly weekday: Float64Array;
  private readonly weekend: Float64Array;
  private readonly seasonal: Float64Array;
  private readonly whPerDay: number;
  private readonly key: number;

  constructor(fuel: Fuel, whPerDay: number, key: number) {
    const t = shapeTables(fuel);
    this.weekday = t.weekday;
    this.weekend = t.weekend;
    this.seasonal = t.seasonal;
    this.whPerDay = whPerDay;
    this.key = key | 0;
  }

  whInHalfHour(hh: LocalHalfHour): number {
    const shape = hh.dayOfWeek === 0 || hh.dayOfWeek === 6 ? this.weekend : this.weekday;
    // Both variations are uniform with mean 1, so they leave the long-run mean alone.
    // The day wobble turns over at UTC midnight: near enough to local for a wobble.
    const hhNoise = 1 + HALF_HOUR_SPREAD * (2 * hash01(this.key, Math.floor(hh.start / HH_MS)) - 1);
    const dayNoise = 1 + DAY_SPREAD * (2 * hash01(~this.key, Math.floor(hh.start / D_MS)) - 1);
    return Math.round(this.whPerDay * this.seasonal[hh.dayOfYear]! * shape[hh.index]! * hhNoise * dayNoise);
  }
}

/**
 * A uniform number in [0, 1) from a household key and a period number: a
 * multiply-xorshift integer mix (the "lowbias32" constants), so the profile
 * needs no state and no allocation.
 */
function hash01(key: number, n: number): number {
  let x = Math.imul(n | 0, 0x9e3779b1) ^ key;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return (x >>> 0) * U32_TO_UNIT;
}

/**
 * A household's consumption profile: the fuel's half-hourly shape × its
 * weekday/weekend and seasonal factors × `annualMeanKwhPerDay × scale`, with a
 * deterministic wobble per half hour and per day drawn from `key`. A pure
 * function of the half hour: the same input always gives the same watt-hours,
 * and over a year the mean is `annualMeanKwhPerDay × scale` kWh a day.
 *
 * @param scale household size multiplier (1 = typical)
 * @param key any integer that tells households apart (e.g. a uint32 drawn from the household's Rng)
 *
 * @example
 * const p = householdProfile('electricity', 7.5, 1.2, 0x1234);
 * p.whInHalfHour({ start, index: 36, dayOfWeek: 2, dayOfYear: 20 }); // ≈ 250 Wh at 18:00
 */
export function householdProfile(fuel: Fuel, annualMeanKwhPerDay: number, scale: number, key = 0): ConsumptionProfile {
  if (!(annualMeanKwhPerDay >= 0) || !(scale >= 0) || !Number.isFinite(annualMeanKwhPerDay * scale)) {
    throw new RangeError(`householdProfile: bad consumption ${annualMeanKwhPerDay} kWh/day × ${scale}`);
  }
  return new HouseholdProfile(fuel, annualMeanKwhPerDay * scale * 1000, key);
}
