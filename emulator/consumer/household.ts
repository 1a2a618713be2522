import { pounds, type Money } from '../../core/money.ts';
import type { Rng } from '../../core/rng.ts';
import { DAY_MS, HOUR_MS, MINUTE_MS, WEEK_MS, type Instant } from '../../core/time/duration.ts';
import { ukLocal, ukLocalDayStart, ukNextLocalDayStart } from '../../core/time/uk-time.ts';
import type { ConsumptionProfile } from '../devices/common/profile.ts';
import { householdProfile } from './household-profile.ts';
import type { Fuel } from './load-shapes.ts';

/** An inclusive range. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

/** A log-normal distribution: half the draws fall below `median`; `sigma` is the spread of its logarithm. */
export interface LogNormal {
  readonly median: number;
  readonly sigma: number;
}

/** Where a household keys in or buys its top-up. */
export type TopUpChannel = 'meter' | 'ppmid' | 'remote';

/** What makes a household top up: a low-credit warning, or a habit (pay day, shopping day). */
export type TopUpTrigger = 'when-low' | 'regular';

/** The parameters households are drawn from. Every field has a default in `DEFAULT_HOUSEHOLD`. */
export interface HouseholdDefaults {
  /** Annual mean electricity use of a typical household, kWh a day. */
  readonly electricityKwhPerDay: number;
  /** Annual mean gas use of a typical dual-fuel household, kWh a day. */
  readonly gasKwhPerDay: number;
  /** Spread of household size: sigma of a log-normal consumption multiplier whose mean is 1. */
  readonly sizeSigma: number;
  /** Share of prepayment premises that have a gas meter as well as electricity. */
  readonly dualFuelShare: number;
  /** Share of households that are vulnerable (Priority Services Register–like; also the low-income proxy). */
  readonly vulnerableShare: number;
  readonly topUp: {
    /** Amount of one top-up, whole pounds. */
    readonly amountPounds: Range;
    /** Top-ups per week of a household on a regular habit. */
    readonly perWeek: Range;
    /** Share of top-ups made at the meter, on the PPMID/IHD, and remotely (app, web, shop UTRN sent over the air); sum 1. */
    readonly channels: { readonly meter: number; readonly ppmid: number; readonly remote: number };
    /** Share of households (among those that do not self-disconnect) on a regular habit; the rest wait for the low-credit warning. */
    readonly regularShare: number;
    /** Wait from the low-credit warning to the top-up, hours. */
    readonly delayAfterLowCreditHours: LogNormal;
    /** Wait from losing supply to the top-up, hours (households that do not self-disconnect). */
    readonly delayAfterOffSupplyHours: LogNormal;
  };
  readonly emergencyCredit: {
    /** Probability that a household accepts emergency credit when the meter offers it. */
    readonly takeProbability: number;
  };
  readonly enable: {
    /** Wait before pressing "enable" after their own top-up armed the supply, minutes. */
    readonly afterOwnTopUpMinutes: LogNormal;
    /** Wait before pressing "enable" after an arm they did not cause (supplier, SoLR safe mode), hours. */
    readonly afterExternalArmHours: LogNormal;
  };
  readonly selfDisconnection: {
    /** Share of households that self-disconnect: they let credit run out and stay off supply. */
    readonly share: number;
    /** Share of self-disconnecting households that are vulnerable. */
    readonly vulnerableShare: number;
    /** Time off supply before they top up again, days. */
    readonly offSupplyDays: LogNormal;
  };
}

/** The defaults, each with its source. Frozen: households keep a reference to it. */
export const DEFAULT_HOUSEHOLD: HouseholdDefaults = deepFreeze({
  electricityKwhPerDay: 7.5, // DOMAIN §9, §7.5 [LOOP]
  gasKwhPerDay: 32, // DOMAIN §9, §7.5 (seasonality UNVERIFIED)
  sizeSigma: 0.35, // OPEN-QUESTIONS G2 (UNVERIFIED): most homes within ×0.5..×2 of typical
  dualFuelShare: 0.7, // (UNVERIFIED) most gas prepayment customers also prepay for electricity
  vulnerableShare: 0.3, // DOMAIN §7.5, OPEN-QUESTIONS G4 (UNVERIFIED)
  topUp: {
    amountPounds: { min: 10, max: 20 }, // DOMAIN §7.5, §9, OPEN-QUESTIONS G1 (UNVERIFIED)
    perWeek: { min: 1, max: 3 }, // DOMAIN §7.5, §9, OPEN-QUESTIONS G1 (UNVERIFIED)
    channels: { meter: 0.2, ppmid: 0.5, remote: 0.3 }, // (UNVERIFIED)
    regularShare: 0.3, // (UNVERIFIED)
    // Calibrated so that, with emergency credit taken 90 % of the time, roughly one
    // household in six runs out in a year. // DOMAIN §1.9 [CA] 16 % (calibration UNVERIFIED)
    delayAfterLowCreditHours: { median: 4, sigma: 0.8 },
    delayAfterOffSupplyHours: { median: 1, sigma: 0.8 }, // (UNVERIFIED) "within hours"
  },
  emergencyCredit: { takeProbability: 0.9 }, // (UNVERIFIED) usually taken when offered; mechanics DOMAIN §1.7
  enable: {
    afterOwnTopUpMinutes: { median: 2, sigma: 0.7 }, // (UNVERIFIED) they are at the meter or PPMID already
    afterExternalArmHours: { median: 8, sigma: 1 }, // DOMAIN §1.6 (UNVERIFIED) they must notice the prompt
  },
  selfDisconnection: {
    share: 0.05, // DOMAIN §1.9 [CA] (UNVERIFIED share)
    vulnerableShare: 0.88, // DOMAIN §1.9 [CA]: 88 % had a child or long-term health condition
    offSupplyDays: { median: 3, sigma: 0.5 }, // (UNVERIFIED)
  },
});

/**
 * One household: a few flags and numbers, two profiles, and a reference to the
 * shared parameters. No closures; decisions are the functions below.
 */
export interface Household {
  readonly fuels: 'electricity' | 'dual';
  readonly vulnerable: boolean;
  readonly selfDisconnecting: boolean;
  readonly trigger: TopUpTrigger;
  /** Consumption multiplier (1 = typical). */
  readonly size: number;
  /** Usual top-up, whole pounds, within `config.topUp.amountPounds`. */
  readonly usualAmountPounds: number;
  /** Top-ups a week when on a regular habit. */
  readonly topUpsPerWeek: number;
  /** Usual channel. */
  readonly channel: TopUpChannel;
  readonly elecProfile: ConsumptionProfile;
  readonly gasProfile: ConsumptionProfile | null;
  /** The parameters it was drawn from (shared, not copied). */
  readonly config: HouseholdDefaults;
}

/** A top-up the household will make. */
export interface TopUpDecision {
  readonly at: Instant;
  /** Whole pounds. */
  readonly amount: Money;
  readonly channel: TopUpChannel;
}

// How often a household uses its usual channel and usual amount; otherwise it draws afresh
// from the configured shares and range, so the configured shares still hold overall. // (UNVERIFIED)
const HABIT = 0.8;
// Nobody tops up or presses buttons asleep: 07:00..22:00 local. // (UNVERIFIED)
const WAKE_MINUTE = 7 * 60;
const SLEEP_MINUTE = 22 * 60;
// After waking, a top-up comes within the first three hours. // (UNVERIFIED)
const MORNING_SPREAD_MINUTES = 180;
// Household size multiplier is kept within these, so a long tail cannot make a
// premises draw 20× typical. // (UNVERIFIED)
const SIZE_MIN = 0.2;
const SIZE_MAX = 5;
// The second key keeps a dual-fuel household's gas wobble apart from its electricity wobble.
const GAS_KEY_SALT = 0x5bd1e995;

/**
 * Draws one household from the parameters. Same Rng stream ⇒ same household;
 * use `rng.fork(premisesIndex)` to give each premises its own.
 *
 * @example
 * const h = createHousehold(Rng.fromSeed(7).fork('household').fork(42), DEFAULT_HOUSEHOLD);
 */
export function createHousehold(rng: Rng, d: HouseholdDefaults): Household {
  // Every draw happens whatever the outcome of earlier ones, so changing one
  // share never reshuffles the other traits of the same premises.
  const dual = rng.chance(d.dualFuelShare);
  const vulnerable = rng.chance(d.vulnerableShare);
  const sdU = rng.float();
  const regularU = rng.float();
  const sizeZ = rng.normal(0, 1);
  const key = rng.nextU32();
  const amountU = rng.float();
  const perWeekU = rng.float();
  const channel = drawChannel(rng, d);

  const selfDisconnecting = sdU < selfDisconnectProbability(d, vulnerable);
  // A self-disconnecting household has no spare money for a habit; it tops up when it must.
  const trigger: TopUpTrigger = !selfDisconnecting && regularU < d.topUp.regularShare ? 'regular' : 'when-low';
  // Mean-one log-normal: median e^(-σ²/2).
  const sigma = d.sizeSigma;
  const size = clamp(Math.exp(sigma * sizeZ - (sigma * sigma) / 2), SIZE_MIN, SIZE_MAX);
  // Low-income (here: vulnerable) households lean to smaller, more frequent top-ups. // DOMAIN §7.5 (UNVERIFIED)
  const { amountPounds: amount, perWeek } = d.topUp;
  const amountShare = vulnerable ? amountU * amountU : amountU;
  const perWeekShare = vulnerable ? Math.sqrt(perWeekU) : perWeekU;
  return {
    fuels: dual ? 'dual' : 'electricity',
    vulnerable,
    selfDisconnecting,
    trigger,
    size,
    usualAmountPounds: amount.min + Math.round(amountShare * (amount.max - amount.min)),
    topUpsPerWeek: perWeek.min + perWeekShare * (perWeek.max - perWeek.min),
    channel,
    elecProfile: householdProfile('electricity', d.electricityKwhPerDay, size, key),
    gasProfile: dual ? householdProfile('gas', d.gasKwhPerDay, size, key ^ GAS_KEY_SALT) : null,
    config: d,
  };
}

/**
 * The household's top-up after the low-credit warning, or null if it will not
 * top up before running out (self-disconnecting households).
 */
export function topUpAfterLowCredit(h: Household, rng: Rng, now: Instant, fuel: Fuel): TopUpDecision | null {
  checkFuel(h, fuel);
  if (h.selfDisconnecting) return null;
  const delay = logNormalMs(rng, h.config.topUp.delayAfterLowCreditHours, HOUR_MS);
  return decision(h, rng, now + delay);
}

/**
 * The household's top-up after losing supply: within hours for most, after
 * days for self-disconnecting households.
 */
export function topUpAfterOffSupply(h: Household, rng: Rng, now: Instant, fuel: Fuel): TopUpDecision {
  checkFuel(h, fuel);
  const delay = h.selfDisconnecting
    ? logNormalMs(rng, h.config.selfDisconnection.offSupplyDays, DAY_MS)
    : logNormalMs(rng, h.config.topUp.delayAfterOffSupplyHours, HOUR_MS);
  return decision(h, rng, now + delay);
}

/**
 * The next habitual top-up after `now` (the previous one, or the start of the
 * run) for a household on a regular habit; null for the others.
 */
export function nextRegularTopUp(h: Household, rng: Rng, now: Instant, fuel: Fuel): TopUpDecision | null {
  checkFuel(h, fuel);
  if (h.trigger !== 'regular') return null;
  // ±20 % around the habitual interval. // (UNVERIFIED)
  const interval = (WEEK_MS / h.topUpsPerWeek) * (0.8 + 0.4 * rng.float());
  return decision(h, rng, now + Math.round(interval));
}

/** Whether the household accepts emergency credit when the meter offers it. */
export const takesEmergencyCredit = (h: Household, rng: Rng): boolean => rng.chance(h.config.emergencyCredit.takeProbability);

/** Milliseconds from their own top-up arming the supply to pressing "enable". */
export const enableDelayAfterOwnTopUp = (h: Household, rng: Rng): number =>
  logNormalMs(rng, h.config.enable.afterOwnTopUpMinutes, MINUTE_MS);

/**
 * Milliseconds from an arm they did not cause (e.g. SR 1.6 → Credit during a
 * supplier failure) to pressing "enable"; null if they never will: a
 * self-disconnecting household chose to be off. // DOMAIN §1.6 [SEED0 §7]
 */
export function enableDelayAfterExternalArm(h: Household, rng: Rng): number | null {
  if (h.selfDisconnecting) return null;
  return logNormalMs(rng, h.config.enable.afterExternalArmHours, HOUR_MS);
}

function decision(h: Household, rng: Rng, earliest: Instant): TopUpDecision {
  const at = whenAwake(rng, earliest);
  const { min, max } = h.config.topUp.amountPounds;
  const amountPounds = rng.chance(HABIT) ? h.usualAmountPounds : rng.int(min, max);
  const channel = rng.chance(HABIT) ? h.channel : drawChannel(rng, h.config);
  return { at, amount: pounds(amountPounds), channel };
}

/** `t` if it falls in waking hours, else a time in the next morning. */
function whenAwake(rng: Rng, t: Instant): Instant {
  const minute = ukLocal(t).minuteOfDay;
  if (minute >= WAKE_MINUTE && minute < SLEEP_MINUTE) return t;
  const spread = rng.int(0, MORNING_SPREAD_MINUTES) * MINUTE_MS;
  // Early morning: later the same day; late evening: the next day's morning. (An
  // hour out on the two clock-change days, which does not matter for a top-up.)
  const morning = minute < WAKE_MINUTE ? ukLocalDayStart(t) : ukNextLocalDayStart(t);
  return morning + WAKE_MINUTE * MINUTE_MS + spread;
}

function drawChannel(rng: Rng, d: HouseholdDefaults): TopUpChannel {
  const { meter, ppmid } = d.topUp.channels;
  const u = rng.float();
  if (u < meter) return 'meter';
  return u < meter + ppmid ? 'ppmid' : 'remote';
}

/**
 * P(self-disconnecting | vulnerable or not), chosen so the overall share is
 * `share` and `vulnerableShare` of the self-disconnecting are vulnerable
 * (as far as the vulnerable share allows).
 */
function selfDisconnectProbability(d: HouseholdDefaults, vulnerable: boolean): number {
  const s = d.selfDisconnection.share;
  const v = d.vulnerableShare;
  if (v <= 0 || v >= 1) return s;
  const pVulnerable = Math.min(1, (d.selfDisconnection.vulnerableShare * s) / v);
  return vulnerable ? pVulnerable : Math.max(0, (s - v * pVulnerable) / (1 - v));
}

function logNormalMs(rng: Rng, dist: LogNormal, unitMs: number): number {
  return Math.round(rng.logNormal(dist.median, dist.sigma) * unitMs);
}

function checkFuel(h: Household, fuel: Fuel): void {
  if (fuel === 'gas' && h.gasProfile === null) throw new RangeError('gas decision for an electricity-only household');
}

const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));

function deepFreeze<T extends object>(o: T): T {
  for (const v of Object.values(o)) if (typeof v === 'object' && v !== null) deepFreeze(v as object);
  return Object.freeze(o);
}
