import { describe, expect, it } from 'vitest';
import { pounds } from '../../../core/money.ts';
import { DAY_MS, HOUR_MS } from '../../../core/time/duration.ts';
import { ALERT } from '../../../emulator/devices/common/alerts.ts';
import { esme, gsme, meterConfig, type MeterHarness, type MeterKind } from '../../support/meter-harness.ts';

const { supplyArmed, armedByEmergencyCredit, ecActivated, creditBelowDisablement, creditAddedLocally } = ALERT;

/** A meter disabled for lack of credit, outside friendly hours. */
const creditDisabled = (kind: MeterKind): MeterHarness => {
  const m = kind === 'esme' ? esme({ balance: 0 }) : gsme({ balance: 0 });
  expect(m.state).toBe('disabled');
  expect(m.cause).toBe('credit');
  return m;
};

/** An ESME or GSME, awake when the test starts (the GSME wakes on the half hour). */
const meter = (kind: MeterKind, balance = pounds(20)): MeterHarness => (kind === 'esme' ? esme({ balance }) : gsme({ balance }));

describe('arming after credit is restored', () => {
  it.each(['esme', 'gsme'] as const)('DOMAIN §1.5: a top-up on a credit-disabled %s arms it (0x8F32), never enables it', (kind) => {
    const m = creditDisabled(kind);
    const r = m.send({ type: 'credit.utrn', now: m.now, utrn: m.mint(pounds(10)).utrn, via: 'meter' });
    expect(r.responses[0]?.outcome).toBe('success');
    expect(r.alerts).toEqual([creditAddedLocally, supplyArmed]);
    expect(m.state).toBe('armed');
    m.advance(3 * DAY_MS);
    expect(m.state).toBe('armed');
    expect(m.log.some((s) => s.after === 'Enabled')).toBe(false);
  });

  it('DOMAIN §1.5: a top-up that leaves credit at or below the disablement threshold keeps the meter disabled', () => {
    const m = esme({ balance: -pounds(5) });
    expect(m.topUp(3).outcome).toBe('success');
    expect(m.state).toBe('disabled');
  });

  it('DOMAIN §1.5: a remotely disabled meter is not armed by a top-up', () => {
    const m = esme();
    expect(m.command({ type: 'supply.disable', now: m.now }).outcome).toBe('success');
    expect(m.cause).toBe('remote');
    m.topUp(10);
    expect(m.state).toBe('disabled');
  });
});

describe('remote disable of a meter already off for credit', () => {
  it("DOMAIN §1.5: the supplier's Disable holds; a later top-up does not arm the meter", () => {
    const m = creditDisabled('esme');
    expect(m.command({ type: 'supply.disable', now: m.now }).outcome).toBe('success');
    expect(m.cause).toBe('remote');
    m.topUp(10);
    expect(m.state).toBe('disabled');
  });
});

describe('consumer enable', () => {
  it.each(['meter', 'ppmid'] as const)('DOMAIN §1.5: an armed ESME is enabled by the consumer via the %s', (via) => {
    const m = creditDisabled('esme');
    m.topUp(10);
    const r = m.command({ type: 'supply.enableLocal', now: m.now + HOUR_MS, via });
    expect(r.outcome).toBe('success');
    expect(m.state).toBe('enabled');
    expect(m.cause).toBeNull();
  });

  it('DOMAIN §1.5 [MAP PECS03]: an armed GSME is enabled at the meter only; the PPMID gets not-here', () => {
    const m = creditDisabled('gsme');
    m.topUp(10);
    expect(m.command({ type: 'supply.enableLocal', now: m.now, via: 'ppmid' })).toMatchObject({ outcome: 'failure', reason: 'not-here' });
    expect(m.state).toBe('armed');
    expect(m.command({ type: 'supply.enableLocal', now: m.now, via: 'meter' }).outcome).toBe('success');
    expect(m.state).toBe('enabled');
  });

  it('DOMAIN §1.5: a consumer enable on a meter that is not armed fails with not-armed', () => {
    const on = esme();
    expect(on.command({ type: 'supply.enableLocal', now: on.now, via: 'meter' })).toMatchObject({
      outcome: 'failure',
      reason: 'not-armed',
    });
    const off = creditDisabled('esme');
    expect(off.command({ type: 'supply.enableLocal', now: off.now, via: 'ppmid' })).toMatchObject({
      outcome: 'failure',
      reason: 'not-armed',
    });
    expect(off.state).toBe('disabled');
  });
});

describe('remote supply commands', () => {
  it('DOMAIN §1.5 [MATRIX]: SR 7.1 Enable works for an ESME, from Disabled and from Armed', () => {
    const m = esme();
    m.command({ type: 'supply.disable', now: m.now });
    expect(m.command({ type: 'supply.enable', now: m.now, ref: 'r1' })).toEqual({
      ref: 'r1',
      command: 'supply.enable',
      outcome: 'success',
    });
    expect(m.state).toBe('enabled');
    m.command({ type: 'supply.disable', now: m.now });
    m.command({ type: 'supply.arm', now: m.now });
    expect(m.state).toBe('armed');
    expect(m.command({ type: 'supply.enable', now: m.now }).outcome).toBe('success');
    expect(m.state).toBe('enabled');
    expect(m.cause).toBeNull();
  });

  it('DOMAIN §1.5 [MATRIX]: SR 7.1 Enable is not-supported for a GSME, in any state', () => {
    const m = gsme();
    for (const setup of [null, 'supply.disable', 'supply.arm'] as const) {
      if (setup) m.command({ type: setup, now: m.now });
      const before = m.state;
      expect(m.command({ type: 'supply.enable', now: m.now })).toMatchObject({ outcome: 'failure', reason: 'not-supported' });
      expect(m.state).toBe(before);
    }
  });

  it.each(['esme', 'gsme'] as const)('DOMAIN §1.5: SR 7.2 Disable and SR 7.3 Arm on a %s', (kind) => {
    const m = meter(kind);
    const d = m.send({ type: 'supply.disable', now: m.now });
    expect(d.responses[0]?.outcome).toBe('success');
    expect(m.state).toBe('disabled');
    expect(m.cause).toBe('remote');
    const a = m.send({ type: 'supply.arm', now: m.now });
    expect(a.responses[0]?.outcome).toBe('success');
    expect(a.alerts).toEqual([supplyArmed]);
    expect(m.state).toBe('armed');
    // Armed → Disabled by a second SR 7.2.
    m.command({ type: 'supply.disable', now: m.now });
    expect(m.state).toBe('disabled');
    m.command({ type: 'supply.arm', now: m.now });
    expect(m.command({ type: 'supply.enableLocal', now: m.now, via: 'meter' }).outcome).toBe('success');
    expect(m.state).toBe('enabled');
  });

  it('DOMAIN §1.5: SR 7.3 Arm on a credit-disabled meter with no credit leaves it Disabled for credit', () => {
    const m = creditDisabled('esme');
    const r = m.send({ type: 'supply.arm', now: m.now });
    expect(r.responses[0]?.outcome).toBe('success');
    expect(r.alerts).toEqual([supplyArmed, creditBelowDisablement]);
    expect(m.state).toBe('disabled');
  });
});

describe('SR 1.6 Update Payment Mode', () => {
  it.each(['esme', 'gsme'] as const)(
    'DOMAIN §1.6: → Credit arms a credit-disabled %s (0x8F32), which then never disables for credit',
    (kind) => {
      const m = creditDisabled(kind);
      const r = m.send({ type: 'mode.set', now: m.now, mode: 'Credit' });
      expect(r.responses[0]?.outcome).toBe('success');
      expect(r.alerts).toEqual([supplyArmed]);
      expect(m.state).toBe('armed');
      expect(m.mode).toBe('Credit');
      m.advance(DAY_MS);
      expect(m.state).toBe('armed');
      m.command({ type: 'supply.enableLocal', now: m.now, via: 'meter' });
      m.advance(60 * DAY_MS);
      expect(m.state).toBe('enabled');
      expect(m.alertCodes(m.now - 60 * DAY_MS)).not.toContain(creditBelowDisablement);
    },
  );

  it('DOMAIN §1.6: → Credit on an Enabled meter keeps it Enabled', () => {
    const m = esme({ balance: pounds(1) });
    const r = m.send({ type: 'mode.set', now: m.now, mode: 'Credit' });
    expect(r.alerts).toEqual([]);
    expect(m.state).toBe('enabled');
    m.advance(10 * DAY_MS);
    expect(m.state).toBe('enabled');
    expect(m.balance).toBeLessThan(0);
  });

  it('DOMAIN §1.1, §1.11: → Prepayment loads the threshold and suspend flags without interrupting supply when credit is above it', () => {
    const m = esme({ mode: 'Credit', balance: pounds(30) });
    const r = m.send({
      type: 'mode.set',
      now: m.now,
      mode: 'Prepayment',
      disablementThreshold: pounds(5),
      suspendDebtDisabled: false,
      suspendDebtEmergency: true,
    });
    expect(r.responses[0]?.outcome).toBe('success');
    expect(r.before).toBe('Enabled');
    expect(r.after).toBe('Enabled');
    expect(m.mode).toBe('Prepayment');
    expect(m.context.config.prepay).toMatchObject({
      disablementThreshold: pounds(5),
      suspendDebtDisabled: false,
      suspendDebtEmergency: true,
    });
    const read = m.command({ type: 'read.prepayConfig', now: m.now });
    expect(read.body).toMatchObject({ disablementThreshold: pounds(5), suspendDebtDisabled: false, suspendDebtEmergency: true });
  });
});

describe('emergency credit', () => {
  it('DOMAIN §1.7, OPEN-QUESTIONS B4: EC on a credit-disabled meter arms it with 0x8168, not 0x8F32', () => {
    const m = creditDisabled('esme');
    const r = m.send({ type: 'ec.activate', now: m.now, via: 'ppmid' });
    expect(r.responses[0]?.outcome).toBe('success');
    expect(r.alerts).toEqual([ecActivated, armedByEmergencyCredit]);
    expect(m.state).toBe('armed');
    expect(m.ecBalance).toBe(pounds(10));
  });

  it('DOMAIN §1.7: EC that does not lift credit above the threshold leaves the meter disabled, and a later top-up arms it with 0x8F32', () => {
    const m = esme({ balance: -pounds(15) });
    expect(m.command({ type: 'ec.activate', now: m.now, via: 'remote' }).outcome).toBe('success');
    expect(m.state).toBe('disabled');
    // Nothing of the EC was spent, so the top-up closes it and takes it back: £20 − £15 is what is left.
    const r = m.send({ type: 'credit.utrn', now: m.now, via: 'meter', utrn: m.mint(pounds(20)).utrn });
    expect(m.combined).toBe(pounds(5));
    expect(m.state).toBe('armed');
    expect(r.alerts).toContain(supplyArmed);
    expect(r.alerts).not.toContain(armedByEmergencyCredit);
  });

  it('DOMAIN §1.7: EC not on offer fails with ec-not-available; EC already active is a success', () => {
    const m = esme({ balance: pounds(5) });
    expect(m.command({ type: 'ec.activate', now: m.now, via: 'meter' })).toMatchObject({ outcome: 'failure', reason: 'ec-not-available' });
    const low = esme({ balance: pounds(0.5) });
    expect(low.command({ type: 'ec.activate', now: low.now, via: 'remote' }).outcome).toBe('success');
    expect(low.command({ type: 'ec.activate', now: low.now, via: 'remote' })).toMatchObject({
      outcome: 'success',
      body: { alreadyActive: true },
    });
  });

  it('DOMAIN §1.3: EC used is repaid first from the next top-up, and EC is offered again once repaid', () => {
    const m = esme({ balance: pounds(0.5), config: meterConfig('esme', { friendly: false }) });
    m.command({ type: 'ec.activate', now: m.now, via: 'meter' });
    m.advance(10 * HOUR_MS);
    const owed = m.context.ledger.ecOwed;
    expect(owed).toBeGreaterThan(0);
    const r = m.topUp(20);
    expect(r.body).toMatchObject({ credit: pounds(20), ecRepaid: owed, toBalance: pounds(20) - owed });
    expect(m.context.ledger.ecInUse).toBe(false);
    expect(m.ecBalance).toBe(0);
  });
});

describe('switching back to prepayment', () => {
  it('DOMAIN §1.11: SR 1.6 → Prepayment on an ESME whose balance fell in Credit mode leaves supply on, holds disablement (0x8F83) for the grace period, then disables', () => {
    const m = esme({ balance: pounds(2), mode: 'Credit' });
    m.advance(2 * DAY_MS);
    expect(m.context.ledger.meterBalance).toBeLessThan(0);
    const r = m.send({
      type: 'mode.set',
      now: m.now,
      mode: 'Prepayment',
      disablementThreshold: 0,
      suspendDebtDisabled: true,
      suspendDebtEmergency: false,
    });
    expect(r.responses[0]?.outcome).toBe('success');
    expect(m.state).toBe('enabled');
    expect(r.alerts).toContain(ALERT.disablementSuspended);
    const hold = m.context.suspendedUntil;
    expect(hold).toBeGreaterThanOrEqual(m.now + m.context.config.prepaymentSwitchGraceMs);
    m.advance(hold! - m.now - 1);
    expect(m.state).toBe('enabled');
    m.advance(7 * DAY_MS);
    expect(m.state).toBe('disabled');
    expect(m.cause).toBe('credit');
  });

  it('DOMAIN §1.6: armOnCreditRestore=false stops top-ups arming, but SR 1.6 → Credit still arms a credit-disabled meter', () => {
    const config = { ...meterConfig('esme'), armOnCreditRestore: false };
    const m = esme({ balance: 0, config });
    expect(m.state).toBe('disabled');
    m.topUp(10);
    expect(m.state).toBe('disabled');
    m.send({ type: 'mode.set', now: m.now, mode: 'Credit' });
    expect(m.state).toBe('armed');
  });
});
