import { describe, expect, it } from 'vitest';
import type { FieldError } from '../../../core/errors.ts';
import { pounds } from '../../../core/money.ts';
import { unwrap, type Result } from '../../../core/result.ts';
import { DAY_MS, HOUR_MS, WEEK_MS } from '../../../core/time/duration.ts';
import { capWindow, DEFAULT_DEBT_CONFIG, parseDebtConfig, type DebtConfig } from '../../../emulator/devices/common/debt.ts';

function rejection(r: Result<DebtConfig, FieldError>): Pick<FieldError, 'path' | 'code'> {
  if (r.ok) throw new Error(`expected a rejection, got ${JSON.stringify(r.value)}`);
  return { path: r.error.path, code: r.error.code };
}

describe('debt configuration', () => {
  // DOMAIN §1.3 [ACL63], OPEN-QUESTIONS B6: no recovery unless configured; payment share capped at £5 a week
  it('defaults to no recovery, with the payment-based share capped at £5 per week', () => {
    expect(DEFAULT_DEBT_CONFIG).toEqual({
      timeDebt1: { rate: 0, period: 'daily' },
      timeDebt2: { rate: 0, period: 'daily' },
      timeDebtCap: null,
      paymentDebtBasisPoints: 0,
      paymentDebtCap: { amount: pounds(5), periodMs: WEEK_MS },
    });
    expect(unwrap(parseDebtConfig(undefined))).toBe(DEFAULT_DEBT_CONFIG);
  });

  // DOMAIN §1.2 (SR 2.3 Update Debt; DebtRecoveryRateCap per period in seconds, RTDS 604 800 s)
  it('reads recovery rates, periods, caps and the per-payment share over the defaults', () => {
    const c = unwrap(
      parseDebtConfig({
        timeDebt1: { rate: 2_000, period: 'hourly' },
        timeDebt2: { rate: 50_000 },
        timeDebtCap: { amount: 300_000, periodMs: 604_800_000 },
        paymentDebtBasisPoints: 1_000,
        paymentDebtCap: null,
      }),
    );
    expect(c).toEqual({
      timeDebt1: { rate: 2_000, period: 'hourly' },
      timeDebt2: { rate: 50_000, period: 'daily' },
      timeDebtCap: { amount: 300_000, periodMs: WEEK_MS },
      paymentDebtBasisPoints: 1_000,
      paymentDebtCap: null,
    });
    expect(unwrap(parseDebtConfig({ paymentDebtBasisPoints: 10_000 })).paymentDebtBasisPoints).toBe(10_000);
    expect(unwrap(parseDebtConfig({ paymentDebtBasisPoints: 0 })).paymentDebtCap).toEqual(DEFAULT_DEBT_CONFIG.paymentDebtCap);
  });

  // DOMAIN §1.2: DebtRecoveryPerPayment is 0..10 000 (0.01 % units, OPEN-QUESTIONS B5)
  it('rejects a per-payment share above 10 000, below 0 or fractional', () => {
    expect(rejection(parseDebtConfig({ paymentDebtBasisPoints: 10_001 }))).toEqual({ path: 'debt.paymentDebtBasisPoints', code: 'range' });
    expect(rejection(parseDebtConfig({ paymentDebtBasisPoints: -1 }))).toEqual({ path: 'debt.paymentDebtBasisPoints', code: 'range' });
    expect(rejection(parseDebtConfig({ paymentDebtBasisPoints: 12.5 }))).toEqual({ path: 'debt.paymentDebtBasisPoints', code: 'type' });
    expect(rejection(parseDebtConfig({ paymentDebtBasisPoints: '10' }))).toEqual({ path: 'debt.paymentDebtBasisPoints', code: 'type' });
  });

  // DOMAIN §1.2: recovery period HOURLY | DAILY; rates and caps are money ≥ 0
  it('rejects bad periods, negative rates and caps, and cap periods under an hour', () => {
    expect(rejection(parseDebtConfig({ timeDebt1: { rate: 1, period: 'weekly' } }))).toEqual({
      path: 'debt.timeDebt1.period',
      code: 'unknown-kind',
    });
    expect(rejection(parseDebtConfig({ timeDebt2: { rate: -1, period: 'daily' } }))).toEqual({
      path: 'debt.timeDebt2.rate',
      code: 'range',
    });
    expect(rejection(parseDebtConfig({ timeDebt2: { period: 'daily' } }))).toEqual({ path: 'debt.timeDebt2.rate', code: 'required' });
    expect(rejection(parseDebtConfig({ timeDebt1: 5 }))).toEqual({ path: 'debt.timeDebt1', code: 'type' });
    expect(rejection(parseDebtConfig({ timeDebtCap: { amount: -5, periodMs: DAY_MS } }))).toEqual({
      path: 'debt.timeDebtCap.amount',
      code: 'range',
    });
    expect(rejection(parseDebtConfig({ timeDebtCap: { amount: 5, periodMs: HOUR_MS - 1 } }))).toEqual({
      path: 'debt.timeDebtCap.periodMs',
      code: 'range',
    });
    expect(rejection(parseDebtConfig({ paymentDebtCap: { amount: 5 } }))).toEqual({
      path: 'debt.paymentDebtCap.periodMs',
      code: 'required',
    });
    expect(rejection(parseDebtConfig({ paymentDebtCap: 'weekly' }))).toEqual({ path: 'debt.paymentDebtCap', code: 'type' });
  });

  // read-config convention: unknown fields are mistakes
  it('rejects unknown keys at every level', () => {
    expect(rejection(parseDebtConfig({ timeDebt3: {} }))).toEqual({ path: 'debt.timeDebt3', code: 'unknown-kind' });
    expect(rejection(parseDebtConfig({ timeDebt1: { rate: 1, per: 'day' } }))).toEqual({
      path: 'debt.timeDebt1.per',
      code: 'unknown-kind',
    });
    expect(rejection(parseDebtConfig({ timeDebtCap: { amount: 1, periodMs: DAY_MS, rolling: true } }))).toEqual({
      path: 'debt.timeDebtCap.rolling',
      code: 'unknown-kind',
    });
    expect(rejection(parseDebtConfig([], 'meter.debt'))).toEqual({ path: 'meter.debt', code: 'type' });
  });

  // debt.ts: cap windows are aligned to Monday 00:00 UTC
  it('numbers cap windows from Monday 00:00 UTC', () => {
    const week = { amount: 1, periodMs: WEEK_MS };
    const monday = Date.parse('2026-01-05T00:00:00Z');
    expect(capWindow(week, monday)).toBe(capWindow(week, monday + WEEK_MS - 1));
    expect(capWindow(week, monday - 1)).toBe(capWindow(week, monday) - 1);
    expect(capWindow(week, monday + WEEK_MS)).toBe(capWindow(week, monday) + 1);
    const day = { amount: 1, periodMs: DAY_MS };
    expect(capWindow(day, monday + DAY_MS - 1)).toBe(capWindow(day, monday));
    expect(capWindow(day, monday + DAY_MS)).toBe(capWindow(day, monday) + 1);
  });
});
