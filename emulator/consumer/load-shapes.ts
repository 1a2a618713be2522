/**
 * How a household's daily energy is spread over the 48 half hours of a local
 * day, how much more it draws on weekends, and how its daily total moves with
 * the seasons. One set of tables per fuel, shared by every household.
 *
 * The shapes are hand-drawn to the familiar GB domestic pattern (low at night,
 * a morning bump, an evening peak for electricity; morning and evening heating
 * peaks for gas). No half-hourly source was available. // DOMAIN §9, OPEN-QUESTIONS G2 (UNVERIFIED)
 */

/** The two fuels a GB prepayment premises can have. */
export type Fuel = 'electricity' | 'gas';

/** Half hours in a local day (clock-change days are capped to this by the ledger). */
export const HALF_HOURS_PER_DAY = 48;

/**
 * Precomputed tables for one fuel. Shared by every household: callers must not
 * write to them.
 */
export interface ShapeTables {
  /** 48 weights for a weekday half hour, already multiplied by the weekday factor. */
  readonly weekday: Float64Array;
  /** 48 weights for a weekend half hour, already multiplied by the weekend factor. */
  readonly weekend: Float64Array;
  /** Seasonal factor indexed by local day of year 1..366 (index 0 is unused). */
  readonly seasonal: Float64Array;
}

// Relative draw per half hour from local midnight (any unit; normalised below).
// Evening peak 17:00–19:00, morning bump 07:00–08:30. // DOMAIN §9 (UNVERIFIED)
const ELECTRICITY_WEEKDAY = [
  0.3,
  0.27,
  0.24,
  0.22,
  0.21,
  0.2,
  0.2,
  0.2,
  0.2,
  0.2,
  0.21,
  0.23, // 00:00–05:30
  0.27,
  0.33,
  0.4,
  0.45,
  0.45,
  0.42,
  0.38,
  0.35,
  0.34,
  0.33,
  0.33,
  0.34, // 06:00–11:30
  0.36,
  0.36,
  0.34,
  0.32,
  0.31,
  0.31,
  0.33,
  0.37,
  0.43,
  0.52,
  0.6,
  0.65, // 12:00–17:30
  0.66,
  0.63,
  0.58,
  0.55,
  0.52,
  0.5,
  0.48,
  0.46,
  0.43,
  0.4,
  0.36,
  0.33, // 18:00–23:30
];
// Weekend: later, broader morning and a busier middle of the day. // DOMAIN §9 (UNVERIFIED)
const ELECTRICITY_WEEKEND = [
  0.32, 0.29, 0.26, 0.24, 0.22, 0.21, 0.21, 0.2, 0.2, 0.2, 0.2, 0.21, 0.23, 0.25, 0.29, 0.34, 0.4, 0.45, 0.48, 0.48, 0.47, 0.46, 0.46, 0.47,
  0.5, 0.49, 0.45, 0.42, 0.4, 0.4, 0.41, 0.44, 0.49, 0.56, 0.62, 0.65, 0.65, 0.61, 0.57, 0.54, 0.51, 0.49, 0.47, 0.45, 0.43, 0.4, 0.37,
  0.34,
];
// Gas: heating timer peaks 06:00–08:00 and 17:00–21:00, hot water between. // DOMAIN §7.5 (UNVERIFIED shape)
const GAS_WEEKDAY = [
  0.4, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.4, 0.5, 0.8, 1.5, 2.6, 3.4, 3.6, 3.3, 2.8, 2.2, 1.6, 1.2, 1.0, 0.9, 0.9, 0.9, 0.9, 1.0, 1.0, 0.9,
  0.9, 0.9, 0.9, 1.0, 1.3, 1.8, 2.4, 2.9, 3.1, 3.1, 3.0, 2.8, 2.7, 2.6, 2.5, 2.3, 2.0, 1.5, 1.0, 0.6, 0.5,
];
// Weekend gas: the heating comes on later and stays on longer through the day. // (UNVERIFIED)
const GAS_WEEKEND = [
  0.4, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.3, 0.4, 0.5, 0.8, 1.4, 2.2, 2.9, 3.3, 3.4, 3.2, 2.8, 2.4, 2.0, 1.7, 1.5, 1.5, 1.5, 1.6, 1.6, 1.5,
  1.5, 1.5, 1.6, 1.7, 1.9, 2.2, 2.6, 2.9, 3.0, 3.0, 2.9, 2.7, 2.6, 2.5, 2.4, 2.2, 1.9, 1.4, 1.0, 0.6, 0.5,
];

// Daily total on a weekend day relative to a weekday: people are at home. The
// weekday factor is derived so that a whole week averages exactly 1. // (UNVERIFIED)
const WEEKEND_FACTOR: Record<Fuel, number> = { electricity: 1.07, gas: 1.05 };

/**
 * Seasonal shape `1 + a·cos θ + b·cos 2θ`, θ = 0 on the peak day. Both cosine
 * terms average zero over a year, so the annual mean is 1; the second harmonic
 * lets the winter peak and summer trough differ in size (gas 2.0 / 0.3) while
 * the curve stays smooth and positive. // DOMAIN §7.5, OPEN-QUESTIONS G2 (UNVERIFIED)
 */
const SEASONAL = {
  // peak 1 + a + b = 2.0 (mid January), trough 1 - a + b = 0.3 (mid July)
  gas: { a: 0.85, b: 0.15 },
  // peak 1.2, trough 0.85: lighting and some electric heating in winter
  electricity: { a: 0.175, b: 0.025 },
} as const satisfies Record<Fuel, { a: number; b: number }>;

/** Day of year of the seasonal peak: mid January, the coldest weeks in GB. // (UNVERIFIED) */
const PEAK_DAY_OF_YEAR = 15;
const TROPICAL_YEAR_DAYS = 365.25;

/**
 * The fuel's daily-total factor for a local day of the year (1..366): a smooth
 * curve averaging 1 over the year, highest in mid January.
 *
 * @example
 * seasonalFactor('gas', 15); // 2.0
 * seasonalFactor('gas', 198); // ≈ 0.3
 */
export function seasonalFactor(fuel: Fuel, dayOfYear: number): number {
  const { a, b } = SEASONAL[fuel];
  const theta = (2 * Math.PI * (dayOfYear - PEAK_DAY_OF_YEAR)) / TROPICAL_YEAR_DAYS;
  return 1 + a * Math.cos(theta) + b * Math.cos(2 * theta);
}

/**
 * The fuel's daily-total factor for a day of the week (0 = Sunday); the seven
 * factors average exactly 1.
 */
export function dayOfWeekFactor(fuel: Fuel, dayOfWeek: number): number {
  const weekend = WEEKEND_FACTOR[fuel];
  const isWeekend = dayOfWeek === 0 || dayOfWeek === 6;
  return isWeekend ? weekend : (7 - 2 * weekend) / 5;
}

/**
 * The normalised 48 half-hourly weights (summing to 1) of a weekday or weekend
 * day. A fresh copy: safe to modify.
 */
export function loadShape(fuel: Fuel, weekend: boolean): Float64Array {
  const raw = fuel === 'electricity' ? (weekend ? ELECTRICITY_WEEKEND : ELECTRICITY_WEEKDAY) : weekend ? GAS_WEEKEND : GAS_WEEKDAY;
  if (raw.length !== HALF_HOURS_PER_DAY) throw new Error(`load shape for ${fuel} has ${raw.length} half hours`);
  const total = raw.reduce((s, w) => s + w, 0);
  return Float64Array.from(raw, (w) => w / total);
}

function buildTables(fuel: Fuel): ShapeTables {
  const weekday = loadShape(fuel, false);
  const weekend = loadShape(fuel, true);
  const wd = dayOfWeekFactor(fuel, 1);
  const we = dayOfWeekFactor(fuel, 0);
  for (let i = 0; i < HALF_HOURS_PER_DAY; i++) {
    weekday[i] = weekday[i]! * wd;
    weekend[i] = weekend[i]! * we;
  }
  const seasonal = new Float64Array(367);
  for (let d = 1; d <= 366; d++) seasonal[d] = seasonalFactor(fuel, d);
  return { weekday, weekend, seasonal };
}

const TABLES: Readonly<Record<Fuel, ShapeTables>> = {
  electricity: buildTables('electricity'),
  gas: buildTables('gas'),
};

/** The shared precomputed tables of a fuel, for the hot path. Do not modify. */
export const shapeTables = (fuel: Fuel): ShapeTables => TABLES[fuel];
