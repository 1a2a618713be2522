import { describe, expect, it } from 'vitest';
import type { FieldError } from '../../../core/errors.ts';
import { pence, pounds } from '../../../core/money.ts';
import { unwrap, type Result } from '../../../core/result.ts';
import { checkOrder, DEFAULT_PREPAY_CONFIG, parsePrepayConfig, type PrepayConfig } from '../../../emulator/devices/common/prepay-config.ts';

function rejection(r: Result<PrepayConfig, FieldError>): Pick<FieldError, 'path' | 'code'> {
  if (r.ok) throw new Error(`expected a rejection, got ${JSON.stringify(r.value)}`);
  return { path: r.error.path, code: r.error.code };
}

describe('prepay configuration', () => {
  // DOMAIN §9 parameter sheet; OPEN-QUESTIONS B8, B9
  it('defaults to the parameter sheet: low credit £2, EC at £1, EC £10, disable at £0, max balance £250, max credit £81.91', () => {
    expect(DEFAULT_PREPAY_CONFIG).toEqual({
      lowCreditThreshold: 200_000,
      emergencyCreditThreshold: 100_000,
      emergencyCreditLimit: 1_000_000,
      disablementThreshold: 0,
      maxMeterBalance: 25_000_000,
      maxCreditThreshold: 8_191_000,
      suspendDebtDisabled: true,
      suspendDebtEmergency: false,
    });
    expect(DEFAULT_PREPAY_CONFIG.emergencyCreditLimit).toBe(pounds(10));
    expect(DEFAULT_PREPAY_CONFIG.maxCreditThreshold).toBe(pence(8191));
    expect(unwrap(parsePrepayConfig(undefined))).toBe(DEFAULT_PREPAY_CONFIG);
    expect(unwrap(checkOrder(DEFAULT_PREPAY_CONFIG, 'prepay'))).toBe(DEFAULT_PREPAY_CONFIG);
  });

  // DOMAIN §1.2 (SR 2.1 Update Prepay Configuration)
  it('reads a partial configuration over the defaults or a given base', () => {
    const c = unwrap(parsePrepayConfig({ emergencyCreditLimit: 500_000, suspendDebtEmergency: true }));
    expect(c).toEqual({ ...DEFAULT_PREPAY_CONFIG, emergencyCreditLimit: 500_000, suspendDebtEmergency: true });
    const base = { ...DEFAULT_PREPAY_CONFIG, lowCreditThreshold: 300_000 };
    expect(unwrap(parsePrepayConfig({ emergencyCreditThreshold: 200_000 }, 'prepay', base))).toEqual({
      ...base,
      emergencyCreditThreshold: 200_000,
    });
    expect(unwrap(parsePrepayConfig({ disablementThreshold: 100_000 }))).toMatchObject({ disablementThreshold: 100_000 });
  });

  // DOMAIN §1.2, §1.4: thresholds are amounts of money, ≥ 0
  it('rejects negative, fractional and non-numeric thresholds and non-boolean flags', () => {
    for (const k of [
      'lowCreditThreshold',
      'emergencyCreditThreshold',
      'emergencyCreditLimit',
      'disablementThreshold',
      'maxMeterBalance',
      'maxCreditThreshold',
    ]) {
      expect(rejection(parsePrepayConfig({ [k]: -1 })), k).toEqual({ path: `prepay.${k}`, code: 'range' });
      expect(rejection(parsePrepayConfig({ [k]: 0.5 })), k).toEqual({ path: `prepay.${k}`, code: 'type' });
      expect(rejection(parsePrepayConfig({ [k]: '100' })), k).toEqual({ path: `prepay.${k}`, code: 'type' });
    }
    expect(rejection(parsePrepayConfig({ suspendDebtDisabled: 'yes' }))).toEqual({ path: 'prepay.suspendDebtDisabled', code: 'type' });
    expect(rejection(parsePrepayConfig({ maxCreditThreshold: 0 }))).toEqual({ path: 'prepay.maxCreditThreshold', code: 'range' });
  });

  // DOMAIN §1.4: zones in order — disable ≤ EC offer, disable ≤ low credit < max balance
  it('rejects thresholds in an order a meter cannot work with, naming the field that is out of order', () => {
    expect(rejection(parsePrepayConfig({ disablementThreshold: 150_000 }))).toEqual({
      path: 'prepay.emergencyCreditThreshold',
      code: 'order',
    });
    expect(rejection(parsePrepayConfig({ disablementThreshold: 50_000, emergencyCreditThreshold: 40_000 }))).toEqual({
      path: 'prepay.emergencyCreditThreshold',
      code: 'order',
    });
    expect(parsePrepayConfig({ disablementThreshold: 50_000, emergencyCreditThreshold: 50_000 }).ok).toBe(true);
    expect(
      rejection(parsePrepayConfig({ disablementThreshold: 150_000, emergencyCreditThreshold: 200_000, lowCreditThreshold: 100_000 })),
    ).toEqual({
      path: 'prepay.lowCreditThreshold',
      code: 'order',
    });
    expect(rejection(parsePrepayConfig({ maxMeterBalance: 200_000 }))).toEqual({ path: 'prepay.maxMeterBalance', code: 'order' });
    expect(rejection(parsePrepayConfig({ lowCreditThreshold: 30_000_000 }))).toEqual({ path: 'prepay.maxMeterBalance', code: 'order' });
    expect(parsePrepayConfig({ maxMeterBalance: 200_001 }).ok).toBe(true);
  });

  // read-config convention: unknown fields are mistakes
  it('rejects unknown keys and non-objects', () => {
    expect(rejection(parsePrepayConfig({ lowCredit: 1 }))).toEqual({ path: 'prepay.lowCredit', code: 'unknown-kind' });
    expect(rejection(parsePrepayConfig({ ecLimit: 1 }, 'meter.prepay'))).toEqual({ path: 'meter.prepay.ecLimit', code: 'unknown-kind' });
    expect(rejection(parsePrepayConfig(null))).toEqual({ path: 'prepay', code: 'type' });
    expect(rejection(parsePrepayConfig([1]))).toEqual({ path: 'prepay', code: 'type' });
  });
});
