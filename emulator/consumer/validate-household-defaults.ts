import { fieldError, type FieldError } from '../../core/errors.ts';
import { err, ok, type Result } from '../../core/result.ts';
import { checkKeys, isRecord, readNumber } from '../devices/common/read-config.ts';
import { DEFAULT_HOUSEHOLD, type HouseholdDefaults, type LogNormal, type Range } from './household.ts';

/** Bounds of one numeric field; `whole` asks for an integer. */
interface NumberRule {
  readonly min: number;
  readonly max: number;
  readonly whole?: true;
}

/** One rule per numeric leaf, in the same shape as the parameters. */
type Rules<T> = { readonly [K in keyof T]: T[K] extends number ? NumberRule : Rules<T[K]> };

const SHARE: NumberRule = { min: 0, max: 1 };
// Top-ups are minted in whole pounds and may not take the balance past the
// meter's maximum. // DOMAIN §9 (£250 UNVERIFIED)
const POUNDS: NumberRule = { min: 1, max: 250, whole: true };
// A log-normal's sigma beyond 3 spans a factor of 400 000 between the 1st and
// 99th percentile: certainly a mistake.
const SIGMA: NumberRule = { min: 0, max: 3 };
const logNormal = (maxMedian: number): Rules<LogNormal> => ({ median: { min: 0, max: maxMedian }, sigma: SIGMA });

// Upper bounds are sanity limits that catch unit mistakes (Wh for kWh, minutes for hours).
const RULES: Rules<HouseholdDefaults> = {
  electricityKwhPerDay: { min: 0, max: 200 },
  gasKwhPerDay: { min: 0, max: 500 },
  sizeSigma: { min: 0, max: 2 },
  dualFuelShare: SHARE,
  vulnerableShare: SHARE,
  topUp: {
    amountPounds: { min: POUNDS, max: POUNDS },
    perWeek: { min: { min: 0.1, max: 21 }, max: { min: 0.1, max: 21 } },
    channels: { meter: SHARE, ppmid: SHARE, remote: SHARE },
    regularShare: SHARE,
    delayAfterLowCreditHours: logNormal(24 * 30),
    delayAfterOffSupplyHours: logNormal(24 * 30),
  },
  emergencyCredit: { takeProbability: SHARE },
  enable: {
    afterOwnTopUpMinutes: logNormal(60 * 24 * 7),
    afterExternalArmHours: logNormal(24 * 90),
  },
  selfDisconnection: { share: SHARE, vulnerableShare: SHARE, offSupplyDays: logNormal(365) },
};

// Channel shares may be typed as decimals that do not sum to exactly 1 in binary.
const SUM_TOLERANCE = 1e-9;

/**
 * Household parameters from user configuration: any subset of the fields of
 * `HouseholdDefaults`, merged over `DEFAULT_HOUSEHOLD` (absent or undefined
 * means the default). Rejects unknown fields, non-numbers, values out of
 * bounds, fractional pounds, ranges whose min exceeds their max, and channel
 * shares that do not sum to 1.
 *
 * @example
 * parseHouseholdDefaults({ topUp: { amountPounds: { max: 30 } } }); // ok: £10–£30
 * parseHouseholdDefaults({ topUp: { amountPounds: { min: -5 } } });
 * // error: household.topUp.amountPounds.min: range — expected at least 1, got -5
 */
export function parseHouseholdDefaults(raw: unknown, path = 'household'): Result<HouseholdDefaults, FieldError> {
  const merged = merge(raw, DEFAULT_HOUSEHOLD, RULES, path);
  if (!merged.ok) return merged;
  const h = merged.value;
  const topUpRaw = field(raw, 'topUp');
  const bad =
    checkOrder(field(topUpRaw, 'amountPounds'), h.topUp.amountPounds, `${path}.topUp.amountPounds`) ??
    checkOrder(field(topUpRaw, 'perWeek'), h.topUp.perWeek, `${path}.topUp.perWeek`) ??
    checkChannels(h, `${path}.topUp.channels`);
  return bad ? err(bad) : ok(h);
}

function merge<T>(raw: unknown, defaults: T, rules: Rules<T>, path: string): Result<T, FieldError> {
  if (raw === undefined) return ok(defaults);
  if (!isRecord(raw)) return err(fieldError(path, 'type', 'an object', raw));
  const keys = Object.keys(rules);
  const unknown = checkKeys(raw, path, keys);
  if (unknown) return err(unknown);
  const out: Record<string, unknown> = {};
  const defs = defaults as Record<string, unknown>;
  const rulesByKey = rules as Record<string, unknown>;
  for (const key of keys) {
    const def = defs[key];
    if (raw[key] === undefined) {
      out[key] = def;
    } else if (typeof def === 'number') {
      const rule = rulesByKey[key] as NumberRule;
      const r = readNumber(raw, key, path, rule);
      if (!r.ok) return r;
      if (rule.whole && !Number.isInteger(r.value)) return err(fieldError(`${path}.${key}`, 'format', 'a whole number of pounds', r.value));
      out[key] = r.value;
    } else {
      const r = merge(raw[key], def, rulesByKey[key] as Rules<unknown>, `${path}.${key}`);
      if (!r.ok) return r;
      out[key] = r.value;
    }
  }
  return ok(out as T);
}

/** min ≤ max, blamed on the end the user wrote (min when they wrote both). */
function checkOrder(raw: unknown, range: Range, path: string): FieldError | undefined {
  if (range.min <= range.max) return undefined;
  if (field(raw, 'min') === undefined) return fieldError(`${path}.max`, 'order', `at least min (${range.min})`, range.max);
  return fieldError(`${path}.min`, 'order', `at most max (${range.max})`, range.min);
}

function checkChannels(h: HouseholdDefaults, path: string): FieldError | undefined {
  const { meter, ppmid, remote } = h.topUp.channels;
  const sum = meter + ppmid + remote;
  if (Math.abs(sum - 1) <= SUM_TOLERANCE) return undefined;
  return fieldError(path, 'range', 'meter + ppmid + remote = 1', sum);
}

const field = (raw: unknown, key: string): unknown => (isRecord(raw) ? raw[key] : undefined);
