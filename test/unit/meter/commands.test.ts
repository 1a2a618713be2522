import { describe, expect, it } from 'vitest';
import { pounds } from '../../../core/money.ts';
import { DAY_MS, HOUR_MS } from '../../../core/time/duration.ts';
import { ALERT } from '../../../emulator/devices/common/alerts.ts';
import { DEFAULT_DEBT_CONFIG } from '../../../emulator/devices/common/debt.ts';
import { DEFAULT_PREPAY_CONFIG } from '../../../emulator/devices/common/prepay-config.ts';
import { esme, gsme, meterConfig } from '../../support/meter-harness.ts';

const { lowCredit, ecAvailable, creditBelowDisablement, timeDebt1Cleared, paymentDebtCleared } = ALERT;

describe('reads', () => {
  it('DOMAIN §1.5, §1.10: SR 7.4 Read Supply Status gives the supply state, and battery capacity for gas only', () => {
    const e = esme();
    expect(e.command({ type: 'read.supplyStatus', now: e.now, ref: 'q' })).toEqual({
      ref: 'q',
      command: 'read.supplyStatus',
      outcome: 'success',
      body: { SupplyState: 'Enabled', RemainingBatteryCapacity: null },
    });
    const g = gsme();
    expect(g.command({ type: 'read.supplyStatus', now: g.now }).body).toEqual({ SupplyState: 'Enabled', RemainingBatteryCapacity: 100 });
    g.command({ type: 'supply.disable', now: g.now });
    g.runUntil(g.nextWake(g.now + 365 * DAY_MS));
    const later = g.command({ type: 'read.supplyStatus', now: g.now }).body;
    expect(later?.['SupplyState']).toBe('Disabled');
    expect(later?.['RemainingBatteryCapacity']).toBeLessThan(100);
    expect(later?.['RemainingBatteryCapacity']).toBeGreaterThan(80);
  });

  it('DOMAIN §1.2: SR 4.3 Read Instantaneous Prepay Values gives the six registers', () => {
    const m = esme({ balance: pounds(0.5) });
    m.command({ type: 'ec.activate', now: m.now, via: 'meter' });
    m.command({ type: 'config.debt', now: m.now, add: { timeDebt1: pounds(3), timeDebt2: pounds(2), paymentDebt: pounds(1) } });
    expect(m.command({ type: 'read.prepayValues', now: m.now }).body).toEqual({
      MeterBalance: pounds(0.5),
      EmergencyCreditBalance: pounds(10),
      AccumulatedDebtRegister: 0,
      TimeDebtRegister1: pounds(3),
      TimeDebtRegister2: pounds(2),
      PaymentDebtRegister: pounds(1),
    });
  });

  it('DOMAIN §1.1: SR 4.18 Read Meter Balance gives the balance and payment mode', () => {
    const m = esme({ balance: pounds(12) });
    expect(m.command({ type: 'read.balance', now: m.now }).body).toEqual({
      MeterBalance: pounds(12),
      MeterBalancePrepaymentMode: null,
      PaymentMode: 'Prepayment',
    });
  });

  it('DOMAIN §1.2: SR 4.13 Read Prepayment Configuration gives the configured thresholds', () => {
    const m = gsme({ config: meterConfig('gsme', { prepay: { emergencyCreditLimit: pounds(5) } }) });
    expect(m.command({ type: 'read.prepayConfig', now: m.now }).body).toEqual({
      ...DEFAULT_PREPAY_CONFIG,
      emergencyCreditLimit: pounds(5),
    });
  });
});

describe('debt and balance', () => {
  it('DOMAIN §1.2, §1.3: SR 2.3 Update Debt adds time debt, recovered hourly until cleared (0x81A7)', () => {
    const m = esme({ profile: 0, config: meterConfig('esme', { friendly: false }) });
    const t0 = m.now;
    const debt = { ...DEFAULT_DEBT_CONFIG, timeDebt1: { rate: pounds(1), period: 'hourly' as const } };
    expect(m.command({ type: 'config.debt', now: t0, add: { timeDebt1: pounds(3) }, debt }).outcome).toBe('success');
    expect(m.due).toBe(t0 + 3 * HOUR_MS);
    m.runUntil(t0 + 4 * HOUR_MS);
    expect(m.alerts).toEqual([{ at: t0 + 3 * HOUR_MS, code: timeDebt1Cleared }]);
    expect(m.context.ledger.timeDebt1).toBe(0);
    expect(m.balance).toBe(pounds(17));
    expect(m.context.ledger.totals.debtRecovered).toBe(pounds(3));
  });

  it('DOMAIN §1.3: payment debt takes its share of each top-up until cleared (0x81A9)', () => {
    const m = esme({ profile: 0 });
    const debt = { ...DEFAULT_DEBT_CONFIG, paymentDebtBasisPoints: 1000 };
    m.command({ type: 'config.debt', now: m.now, add: { paymentDebt: pounds(1.5) }, debt });
    expect(m.topUp(10).body).toMatchObject({ toBalance: pounds(9) });
    expect(m.context.ledger.paymentDebt).toBe(pounds(0.5));
    const r = m.send({ type: 'credit.utrn', now: m.now, via: 'remote', ...m.mint(pounds(10)) });
    expect(r.alerts).toEqual([paymentDebtCleared]);
    expect(m.balance).toBe(pounds(20 + 9 + 9.5));
  });

  it('DOMAIN §1.1 (ECS04a/b): SR 1.5 adjusts the meter balance, or resets it, and the credit zones follow', () => {
    const m = esme({ config: meterConfig('esme', { friendly: false }) });
    expect(m.command({ type: 'balance.adjust', now: m.now, kind: 'adjust', amount: pounds(5) }).body).toEqual({ MeterBalance: pounds(25) });
    expect(m.command({ type: 'balance.adjust', now: m.now, kind: 'adjust', amount: -pounds(4) }).body).toEqual({
      MeterBalance: pounds(21),
    });
    const reset = m.send({ type: 'balance.adjust', now: m.now, kind: 'reset', amount: 0 });
    expect(reset.responses[0]?.body).toEqual({ MeterBalance: 0 });
    expect(reset.alerts).toEqual([lowCredit, ecAvailable, creditBelowDisablement]);
    expect(m.state).toBe('disabled');
    expect(m.context.ledger.totals.adjustments).toBe(-pounds(20));
  });
});
