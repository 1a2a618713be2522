import { pounds, pence, type Money } from '../../../core/money.ts';
import { ok, err, type Result } from '../../../core/result.ts';
import { fieldError, type FieldError } from '../../../core/errors.ts';
import { isRecord, readMoney, readBoolean, checkKeys } from './read-config.ts';

/**
 * The prepayment thresholds and limits a supplier configures on a meter
 * (SR 2.1 Update Prepay Configuration; the disablement threshold and the
 * suspend-debt flags arrive with SR 1.6 → Prepayment). // DOMAIN §1.2
 */
export interface PrepayConfig {
  /** Combined credit below this raises 0x810D. */
  readonly lowCreditThreshold: Money;
  /** Meter balance at or below this offers emergency credit (0x8119). */
  readonly emergencyCreditThreshold: Money;
  /** Emergency credit granted when it is activated. */
  readonly emergencyCreditLimit: Money;
  /** Combined credit at or below this disables supply (0x8F0F). */
  readonly disablementThreshold: Money;
  /** A credit that would take the meter balance above this is refused (0x8F47). */
  readonly maxMeterBalance: Money;
  /** A single credit above this is refused (0x8F5B). */
  readonly maxCreditThreshold: Money;
  /** Debt collection pauses while supply is disabled. */
  readonly suspendDebtDisabled: boolean;
  /** Debt collection pauses while emergency credit is in use. */
  readonly suspendDebtEmergency: boolean;
}

/** Defaults from the parameter sheet. // DOMAIN §9 */
export const DEFAULT_PREPAY_CONFIG: PrepayConfig = {
  lowCreditThreshold: pounds(2), // [OCTO]
  emergencyCreditThreshold: pounds(1), // [EDF-EC]
  emergencyCreditLimit: pounds(10), // [OCTO; EDF-EC; SHELL]
  disablementThreshold: 0, // UNVERIFIED, OPEN-QUESTIONS B9
  maxMeterBalance: pounds(250), // UNVERIFIED, OPEN-QUESTIONS B8
  maxCreditThreshold: pence(8191), // UTRN pennies-class limit, OPEN-QUESTIONS B8
  suspendDebtDisabled: true, // UNVERIFIED
  suspendDebtEmergency: false, // UNVERIFIED
};

const MONEY_KEYS = [
  'lowCreditThreshold',
  'emergencyCreditThreshold',
  'emergencyCreditLimit',
  'disablementThreshold',
  'maxMeterBalance',
  'maxCreditThreshold',
] as const;
const FLAG_KEYS = ['suspendDebtDisabled', 'suspendDebtEmergency'] as const;

/**
 * Reads a partial prepay configuration over the defaults and checks that the
 * thresholds are non-negative and in an order a meter can work with.
 */
export function parsePrepayConfig(
  raw: unknown,
  path = 'prepay',
  base: PrepayConfig = DEFAULT_PREPAY_CONFIG,
): Result<PrepayConfig, FieldError> {
  if (raw === undefined) return ok(base);
  if (!isRecord(raw)) return err(fieldError(path, 'type', 'an object of prepayment thresholds', raw));
  const bad = checkKeys(raw, path, [...MONEY_KEYS, ...FLAG_KEYS]);
  if (bad) return err(bad);
  const out: Record<string, unknown> = { ...base };
  for (const k of MONEY_KEYS) {
    if (raw[k] === undefined) continue;
    const r = readMoney(raw, k, path, { min: 0 });
    if (!r.ok) return r;
    out[k] = r.value;
  }
  for (const k of FLAG_KEYS) {
    if (raw[k] === undefined) continue;
    const r = readBoolean(raw, k, path);
    if (!r.ok) return r;
    out[k] = r.value;
  }
  const c = out as unknown as PrepayConfig;
  return checkOrder(c, path);
}

/** Thresholds a meter can act on: disable ≤ EC offer, disable ≤ low credit < max balance. */
export function checkOrder(c: PrepayConfig, path: string): Result<PrepayConfig, FieldError> {
  if (c.emergencyCreditThreshold < c.disablementThreshold) {
    return err(
      fieldError(
        `${path}.emergencyCreditThreshold`,
        'order',
        `at least the disablement threshold (${c.disablementThreshold})`,
        c.emergencyCreditThreshold,
      ),
    );
  }
  if (c.lowCreditThreshold < c.disablementThreshold) {
    return err(
      fieldError(
        `${path}.lowCreditThreshold`,
        'order',
        `at least the disablement threshold (${c.disablementThreshold})`,
        c.lowCreditThreshold,
      ),
    );
  }
  if (c.maxMeterBalance <= c.lowCreditThreshold) {
    return err(
      fieldError(`${path}.maxMeterBalance`, 'order', `above the low credit threshold (${c.lowCreditThreshold})`, c.maxMeterBalance),
    );
  }
  if (c.maxCreditThreshold <= 0) return err(fieldError(`${path}.maxCreditThreshold`, 'range', 'above 0', c.maxCreditThreshold));
  return ok(c);
}
