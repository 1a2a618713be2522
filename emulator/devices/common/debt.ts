import { pounds, type Money } from '../../../core/money.ts';
import { ok, err, type Result } from '../../../core/result.ts';
import { fieldError, type FieldError } from '../../../core/errors.ts';
import { WEEK_MS, HOUR_MS } from '../../../core/time/duration.ts';
import { isRecord, readMoney, readNumber, checkKeys } from './read-config.ts';

/**
 * How a meter recovers debt (SR 2.3 Update Debt). // DOMAIN §1.2, §1.3
 *
 * - Time-based debt: two registers, each recovered at a fixed rate per hour or
 *   per day, together capped per cap period (DLMS stores an amount and a
 *   period in seconds; RTDS example 604 800 s).
 * - Payment-based debt: a share of every top-up (`DebtRecoveryPerPayment`,
 *   0..10 000 in 0.01 % units, UNVERIFIED scale) capped per period.
 */
export interface DebtConfig {
  readonly timeDebt1: TimeDebtRecovery;
  readonly timeDebt2: TimeDebtRecovery;
  /** Cap on time-based recovery per cap period; null = uncapped. */
  readonly timeDebtCap: DebtCap | null;
  /** Share of each top-up taken for payment-based debt, in 0.01 % (0..10000). */
  readonly paymentDebtBasisPoints: number;
  /** Cap on payment-based recovery per cap period; null = uncapped. */
  readonly paymentDebtCap: DebtCap | null;
}

export interface TimeDebtRecovery {
  /** Recovered per period while the register is above zero. */
  readonly rate: Money;
  readonly period: 'hourly' | 'daily';
}

export interface DebtCap {
  readonly amount: Money;
  /** Length of the cap window; windows are aligned to Monday 00:00 UTC. */
  readonly periodMs: number;
}

/** No debt recovery unless a supplier configures it; payment-based share capped at £5/week. // DOMAIN §1.3 [ACL63], OPEN-QUESTIONS B6 */
export const DEFAULT_DEBT_CONFIG: DebtConfig = {
  timeDebt1: { rate: 0, period: 'daily' },
  timeDebt2: { rate: 0, period: 'daily' },
  timeDebtCap: null,
  paymentDebtBasisPoints: 0,
  paymentDebtCap: { amount: pounds(5), periodMs: WEEK_MS },
};

/** 1970-01-05 was a Monday: cap windows start on Mondays. */
const MONDAY_EPOCH_MS = 4 * 24 * HOUR_MS;

/** Index of the cap window containing `t`. */
export const capWindow = (cap: DebtCap, t: number): number => Math.floor((t - MONDAY_EPOCH_MS) / cap.periodMs);

export function parseDebtConfig(raw: unknown, path = 'debt', base: DebtConfig = DEFAULT_DEBT_CONFIG): Result<DebtConfig, FieldError> {
  if (raw === undefined) return ok(base);
  if (!isRecord(raw)) return err(fieldError(path, 'type', 'an object of debt recovery settings', raw));
  const bad = checkKeys(raw, path, ['timeDebt1', 'timeDebt2', 'timeDebtCap', 'paymentDebtBasisPoints', 'paymentDebtCap']);
  if (bad) return err(bad);
  const t1 = parseRecovery(raw['timeDebt1'], `${path}.timeDebt1`, base.timeDebt1);
  if (!t1.ok) return t1;
  const t2 = parseRecovery(raw['timeDebt2'], `${path}.timeDebt2`, base.timeDebt2);
  if (!t2.ok) return t2;
  const tc = parseCap(raw['timeDebtCap'], `${path}.timeDebtCap`, base.timeDebtCap);
  if (!tc.ok) return tc;
  const pc = parseCap(raw['paymentDebtCap'], `${path}.paymentDebtCap`, base.paymentDebtCap);
  if (!pc.ok) return pc;
  let bp = base.paymentDebtBasisPoints;
  if (raw['paymentDebtBasisPoints'] !== undefined) {
    const r = readNumber(raw, 'paymentDebtBasisPoints', path, { min: 0, max: 10_000 });
    if (!r.ok) return r;
    if (!Number.isInteger(r.value)) return err(fieldError(`${path}.paymentDebtBasisPoints`, 'type', 'an integer in 0.01 % units', r.value));
    bp = r.value;
  }
  return ok({ timeDebt1: t1.value, timeDebt2: t2.value, timeDebtCap: tc.value, paymentDebtBasisPoints: bp, paymentDebtCap: pc.value });
}

function parseRecovery(raw: unknown, path: string, base: TimeDebtRecovery): Result<TimeDebtRecovery, FieldError> {
  if (raw === undefined) return ok(base);
  if (!isRecord(raw)) return err(fieldError(path, 'type', 'an object { rate, period }', raw));
  const bad = checkKeys(raw, path, ['rate', 'period']);
  if (bad) return err(bad);
  const rate = readMoney(raw, 'rate', path, { min: 0 });
  if (!rate.ok) return rate;
  const period = raw['period'] ?? base.period;
  if (period !== 'hourly' && period !== 'daily') return err(fieldError(`${path}.period`, 'unknown-kind', '"hourly" or "daily"', period));
  return ok({ rate: rate.value, period });
}

function parseCap(raw: unknown, path: string, base: DebtCap | null): Result<DebtCap | null, FieldError> {
  if (raw === undefined) return ok(base);
  if (raw === null) return ok(null);
  if (!isRecord(raw)) return err(fieldError(path, 'type', 'an object { amount, periodMs } or null', raw));
  const bad = checkKeys(raw, path, ['amount', 'periodMs']);
  if (bad) return err(bad);
  const amount = readMoney(raw, 'amount', path, { min: 0 });
  if (!amount.ok) return amount;
  const periodMs = readNumber(raw, 'periodMs', path, { min: HOUR_MS });
  if (!periodMs.ok) return periodMs;
  return ok({ amount: amount.value, periodMs: periodMs.value });
}
