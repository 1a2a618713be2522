import { ok, err, type Result } from '../../core/result.ts';
import { fieldError, type FieldError } from '../../core/errors.ts';
import type { Instant } from '../../core/time/duration.ts';
import { parseInstant } from '../../core/time/uk-time.ts';
import { isRecord, checkKeys, readNumber } from '../devices/common/read-config.ts';
import { parseMeterConfig, defaultMeterConfig, type MeterConfig } from '../devices/common/meter-config.ts';
import { parseHouseholdDefaults } from '../consumer/validate-household-defaults.ts';
import { DEFAULT_HOUSEHOLD, type HouseholdDefaults } from '../consumer/household.ts';

/** A device-only fleet: N premises on one supplier, for D simulated days. */
export interface FleetOptions {
  readonly premises: number;
  readonly days: number;
  /** One seed per run: the same seed gives the same timelines. */
  readonly seed: string;
  readonly start: Instant;
  /** Share of premises whose meters are in Prepayment mode (the rest are in Credit mode). */
  readonly prepaymentShare: number;
  /** Opening meter balance, whole pounds, drawn uniformly. (UNVERIFIED) */
  readonly startBalancePounds: { readonly min: number; readonly max: number };
  readonly household: HouseholdDefaults;
  readonly electricityMeter: MeterConfig;
  readonly gasMeter: MeterConfig;
}

/** Monday 5 January 2026, midnight: a winter start, when running out matters most. // DOMAIN §7.5 */
export const DEFAULT_START: Instant = Date.UTC(2026, 0, 5);

export const DEFAULT_FLEET_OPTIONS: FleetOptions = {
  premises: 1000,
  days: 28,
  seed: '1',
  start: DEFAULT_START,
  prepaymentShare: 1,
  startBalancePounds: { min: 5, max: 30 },
  household: DEFAULT_HOUSEHOLD,
  electricityMeter: defaultMeterConfig('electricity'),
  gasMeter: defaultMeterConfig('gas'),
};

/** At most a million premises and a year per run on one machine. */
export const MAX_PREMISES = 1_000_000;
export const MAX_DAYS = 366;

/**
 * Reads fleet options (from the command line or a file) over the defaults.
 * Every mistake is one FieldError naming the field and what was expected.
 */
export function parseFleetOptions(raw: unknown, path = 'fleet'): Result<FleetOptions, FieldError> {
  if (raw === undefined) return ok(DEFAULT_FLEET_OPTIONS);
  if (!isRecord(raw)) return err(fieldError(path, 'type', 'an object of fleet options', raw));
  const bad = checkKeys(raw, path, [
    'premises',
    'days',
    'seed',
    'start',
    'prepaymentShare',
    'startBalancePounds',
    'household',
    'electricityMeter',
    'gasMeter',
  ]);
  if (bad) return err(bad);
  const d = DEFAULT_FLEET_OPTIONS;
  const premises = raw['premises'] === undefined ? ok(d.premises) : readNumber(raw, 'premises', path, { min: 1, max: MAX_PREMISES });
  if (!premises.ok) return premises;
  if (!Number.isInteger(premises.value)) return err(fieldError(`${path}.premises`, 'type', 'a whole number of premises', premises.value));
  const days = raw['days'] === undefined ? ok(d.days) : readNumber(raw, 'days', path, { min: 1, max: MAX_DAYS });
  if (!days.ok) return days;
  if (!Number.isInteger(days.value)) return err(fieldError(`${path}.days`, 'type', 'a whole number of days', days.value));
  const seedRaw = raw['seed'] ?? d.seed;
  if ((typeof seedRaw !== 'string' && typeof seedRaw !== 'number') || String(seedRaw) === '') {
    return err(fieldError(`${path}.seed`, 'type', 'a non-empty string or a number', seedRaw));
  }
  const start = raw['start'] === undefined ? ok(d.start) : parseInstant(raw['start'], `${path}.start`);
  if (!start.ok) return start;
  const share = raw['prepaymentShare'] === undefined ? ok(d.prepaymentShare) : readNumber(raw, 'prepaymentShare', path, { min: 0, max: 1 });
  if (!share.ok) return share;
  const balance = parseRange(raw['startBalancePounds'], `${path}.startBalancePounds`, d.startBalancePounds);
  if (!balance.ok) return balance;
  const household = parseHouseholdDefaults(raw['household'] ?? {}, `${path}.household`);
  if (!household.ok) return household;
  const elec = parseMeterConfig(raw['electricityMeter'], 'electricity', `${path}.electricityMeter`);
  if (!elec.ok) return elec;
  const gas = parseMeterConfig(raw['gasMeter'], 'gas', `${path}.gasMeter`);
  if (!gas.ok) return gas;
  return ok({
    premises: premises.value,
    days: days.value,
    seed: String(seedRaw),
    start: start.value,
    prepaymentShare: share.value,
    startBalancePounds: balance.value,
    household: household.value,
    electricityMeter: elec.value,
    gasMeter: gas.value,
  });
}

function parseRange(raw: unknown, path: string, base: { min: number; max: number }): Result<{ min: number; max: number }, FieldError> {
  if (raw === undefined) return ok(base);
  if (!isRecord(raw)) return err(fieldError(path, 'type', 'an object { min, max } in whole pounds', raw));
  const bad = checkKeys(raw, path, ['min', 'max']);
  if (bad) return err(bad);
  const min = readNumber(raw, 'min', path, { min: -1000, max: 1000 });
  if (!min.ok) return min;
  const max = readNumber(raw, 'max', path, { min: -1000, max: 1000 });
  if (!max.ok) return max;
  if (!Number.isInteger(min.value)) return err(fieldError(`${path}.min`, 'type', 'whole pounds', min.value));
  if (!Number.isInteger(max.value)) return err(fieldError(`${path}.max`, 'type', 'whole pounds', max.value));
  if (max.value < min.value) return err(fieldError(`${path}.max`, 'order', `at least min (${min.value})`, max.value));
  return ok({ min: min.value, max: max.value });
}
