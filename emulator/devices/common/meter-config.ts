import { pence } from '../../../core/money.ts';
import { DAY_MS } from '../../../core/time/duration.ts';
import { ok, err, type Result } from '../../../core/result.ts';
import { fieldError, type FieldError } from '../../../core/errors.ts';
import { isRecord, checkKeys } from './read-config.ts';
import { parsePrepayConfig, DEFAULT_PREPAY_CONFIG, type PrepayConfig } from './prepay-config.ts';
import { parseDebtConfig, DEFAULT_DEBT_CONFIG, type DebtConfig } from './debt.ts';
import { parseTariff, compileTariff, type CompiledTariff, type Tariff } from './tariff.ts';
import { parseNonDisablementCalendar, compileCalendar, DEFAULT_NON_DISABLEMENT, type CompiledCalendar } from './non-disablement.ts';
import { DEFAULT_ALLOCATION_ORDER, type AllocationStep, type StandingChargeAccrual } from './ledger.ts';
import { DEFAULT_UTRN_ACCEPTOR_CONFIG, type UtrnAcceptorConfig } from './utrn/utrn-acceptor.ts';

export type Fuel = 'electricity' | 'gas';

/**
 * Everything a meter is configured with. One object is shared by every meter
 * configured alike; a command that changes one meter's configuration makes a
 * new object for that meter only.
 */
export interface MeterConfig {
  readonly prepay: PrepayConfig;
  readonly debt: DebtConfig;
  readonly tariff: CompiledTariff;
  readonly calendar: CompiledCalendar;
  readonly allocation: readonly AllocationStep[];
  readonly standingChargeAccrual: StandingChargeAccrual;
  readonly utrn: UtrnAcceptorConfig;
  /** A credit-disabled meter arms itself when credit is restored. // OPEN-QUESTIONS B1 default (UNVERIFIED) */
  readonly armOnCreditRestore: boolean;
  /** Raise 0x8F32 Supply Armed whenever the meter arms. // OPEN-QUESTIONS B2 default (UNVERIFIED) */
  readonly alertOnArm: boolean;
  /**
   * After SR 1.6 → Prepayment on a meter whose credit is already short, how
   * long disablement is held so the consumer can top up. // DOMAIN §1.11 (UNVERIFIED)
   */
  readonly prepaymentSwitchGraceMs: number;
}

/** Price-cap rates of Apr–Jun 2026. // DOMAIN §9 [CALC] */
export const DEFAULT_TARIFFS: Readonly<Record<Fuel, Tariff>> = {
  electricity: { kind: 'flat', unitPrice: pence(24.7), standingCharge: pence(57) },
  gas: { kind: 'flat', unitPrice: pence(5.7), standingCharge: pence(29) },
};

const compiledDefaults = new Map<Fuel, MeterConfig>();

/** The documented defaults for a fuel (one shared object per fuel). */
export function defaultMeterConfig(fuel: Fuel): MeterConfig {
  let c = compiledDefaults.get(fuel);
  if (c === undefined) {
    c = {
      prepay: DEFAULT_PREPAY_CONFIG,
      debt: DEFAULT_DEBT_CONFIG,
      tariff: compileTariff(DEFAULT_TARIFFS[fuel]),
      calendar: compileCalendar(DEFAULT_NON_DISABLEMENT),
      allocation: DEFAULT_ALLOCATION_ORDER,
      standingChargeAccrual: 'daily', // OPEN-QUESTIONS B7 default
      utrn: DEFAULT_UTRN_ACCEPTOR_CONFIG,
      armOnCreditRestore: true,
      alertOnArm: true,
      prepaymentSwitchGraceMs: DAY_MS,
    };
    compiledDefaults.set(fuel, c);
  }
  return c;
}

const ALLOCATION_STEPS: readonly AllocationStep[] = ['emergencyCredit', 'paymentDebt', 'accumulatedDebt', 'balance'];

/**
 * Reads a user's meter configuration over the defaults for its fuel. Every
 * mistake comes back as one FieldError naming the field and what was expected.
 *
 * @example parseMeterConfig({ prepay: { emergencyCreditLimit: 500_000 } }, 'gas', 'estate.gasMeter')
 */
export function parseMeterConfig(raw: unknown, fuel: Fuel, path = 'meter'): Result<MeterConfig, FieldError> {
  const base = defaultMeterConfig(fuel);
  if (raw === undefined) return ok(base);
  if (!isRecord(raw)) return err(fieldError(path, 'type', 'an object of meter settings', raw));
  const bad = checkKeys(raw, path, [
    'prepay',
    'debt',
    'tariff',
    'nonDisablement',
    'allocation',
    'standingChargeAccrual',
    'armOnCreditRestore',
    'alertOnArm',
    'prepaymentSwitchGraceHours',
  ]);
  if (bad) return err(bad);
  const prepay = parsePrepayConfig(raw['prepay'], `${path}.prepay`, base.prepay);
  if (!prepay.ok) return prepay;
  const debt = parseDebtConfig(raw['debt'], `${path}.debt`, base.debt);
  if (!debt.ok) return debt;
  let tariff = base.tariff;
  if (raw['tariff'] !== undefined) {
    const t = parseTariff(raw['tariff'], `${path}.tariff`);
    if (!t.ok) return t;
    tariff = compileTariff(t.value);
  }
  let calendar = base.calendar;
  if (raw['nonDisablement'] !== undefined) {
    const c = parseNonDisablementCalendar(raw['nonDisablement'], `${path}.nonDisablement`);
    if (!c.ok) return c;
    calendar = compileCalendar(c.value);
  }
  let allocation = base.allocation;
  const a = raw['allocation'];
  if (a !== undefined) {
    if (!Array.isArray(a) || a.length === 0)
      return err(fieldError(`${path}.allocation`, 'type', `an array of steps from ${ALLOCATION_STEPS.join(', ')}`, a));
    for (const [i, s] of a.entries()) {
      if (!ALLOCATION_STEPS.includes(s as AllocationStep))
        return err(fieldError(`${path}.allocation[${i}]`, 'unknown-kind', `one of ${ALLOCATION_STEPS.join(', ')}`, s));
      if (a.indexOf(s) !== i) return err(fieldError(`${path}.allocation[${i}]`, 'order', 'each step at most once', s));
    }
    allocation = a as AllocationStep[];
  }
  const acc = raw['standingChargeAccrual'] ?? base.standingChargeAccrual;
  if (acc !== 'daily' && acc !== 'half-hourly')
    return err(fieldError(`${path}.standingChargeAccrual`, 'unknown-kind', '"daily" or "half-hourly"', acc));
  const flags = { armOnCreditRestore: base.armOnCreditRestore, alertOnArm: base.alertOnArm };
  for (const k of ['armOnCreditRestore', 'alertOnArm'] as const) {
    const v = raw[k];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') return err(fieldError(`${path}.${k}`, 'type', 'true or false', v));
    flags[k] = v;
  }
  let prepaymentSwitchGraceMs = base.prepaymentSwitchGraceMs;
  const grace = raw['prepaymentSwitchGraceHours'];
  if (grace !== undefined) {
    if (typeof grace !== 'number' || !Number.isFinite(grace) || grace < 0 || grace > 24 * 90) {
      return err(fieldError(`${path}.prepaymentSwitchGraceHours`, 'range', 'a number of hours from 0 to 2160', grace));
    }
    prepaymentSwitchGraceMs = Math.round(grace * 3_600_000);
  }
  return ok({
    ...base,
    prepay: prepay.value,
    debt: debt.value,
    tariff,
    calendar,
    allocation,
    standingChargeAccrual: acc,
    ...flags,
    prepaymentSwitchGraceMs,
  });
}
