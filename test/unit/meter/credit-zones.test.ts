import { describe, expect, it } from 'vitest';
import { pounds } from '../../../core/money.ts';
import { HOUR_MS } from '../../../core/time/duration.ts';
import { ALERT } from '../../../emulator/devices/common/alerts.ts';
import { isFriendly } from '../../../emulator/devices/common/non-disablement.ts';
import { esme, gsme, meterConfig, WEEKDAY_NOON, type MeterHarness } from '../../support/meter-harness.ts';

const { lowCredit, ecAvailable, ecActivated, ecExhausted, creditBelowDisablement, disablementSuspended, creditAddedLocally } = ALERT;

/** Local 10:00 BST on Wednesday 2026-06-03, when the default weekday friendly period ends. */
const WED_10 = Date.UTC(2026, 5, 3, 9);
/** Local midnight starting that Wednesday. */
const WED_0 = Date.UTC(2026, 5, 2, 23);

/**
 * Steps the meter at each instant planDue names until it disables, taking
 * emergency credit as soon as it is offered. Each step that raised an alert is
 * checked against a copy of the meter settled 1 ms earlier: no alert there,
 * so planDue named the first instant the threshold was reached.
 */
function depleteStepwise(m: MeterHarness, takeEc: boolean): { at: number; alerts: readonly number[] }[] {
  const steps: { at: number; alerts: readonly number[] }[] = [];
  for (let i = 0; i < 100 && m.supply !== 'Disabled'; i++) {
    const before = m.fork();
    const due = m.due;
    const rec = m.stepDue();
    if (rec.alerts.length === 0) continue;
    const early = before.send({ type: 'clock.due', now: due - 1 });
    expect(early.alerts, `nothing due at ${new Date(due - 1).toISOString()}`).toEqual([]);
    expect(early.after).toBe('Enabled');
    steps.push({ at: due, alerts: rec.alerts });
    if (takeEc && rec.alerts.includes(ecAvailable)) {
      const r = m.send({ type: 'ec.activate', now: due, via: 'meter' });
      steps.push({ at: due, alerts: r.alerts });
    }
  }
  return steps;
}

describe('credit zones and depletion', () => {
  it('DOMAIN §1.4: depletion raises 0x810D, 0x8119, then with EC taken 0x81AB, 0x81AA, then 0x8F0F and Disabled, each at the instant planDue names', () => {
    const m = esme({ balance: pounds(3), config: meterConfig('esme', { friendly: false }) });
    const steps = depleteStepwise(m, true);
    // EC lifts combined credit above the low-credit threshold, so 0x810D is raised again when it falls back below.
    expect(steps.flatMap((s) => s.alerts)).toEqual([lowCredit, ecAvailable, ecActivated, lowCredit, ecExhausted, creditBelowDisablement]);
    const at = (code: number) => steps.find((s) => s.alerts.includes(code))?.at ?? NaN;
    expect(at(lowCredit)).toBeLessThan(at(ecAvailable));
    expect(at(ecActivated)).toBe(at(ecAvailable));
    expect(at(ecExhausted)).toBeLessThan(at(creditBelowDisablement));
    expect(m.state).toBe('disabled');
    expect(m.cause).toBe('credit');
    expect(m.combined).toBeLessThanOrEqual(0);
    expect(m.context.ledger.ecOwed).toBe(pounds(10));
  });

  it('DOMAIN §1.4: without emergency credit the meter disables when the meter balance reaches the disablement threshold', () => {
    const m = gsme({ balance: pounds(2.5), profile: 2000, config: meterConfig('gsme', { friendly: false }) });
    const steps = depleteStepwise(m, false);
    expect(steps.flatMap((s) => s.alerts)).toEqual([lowCredit, ecAvailable, creditBelowDisablement]);
    expect(m.supply).toBe('Disabled');
    // Stopped at the crossing itself: the balance is at the threshold to within a charge of one millisecond.
    expect(m.balance).toBeLessThanOrEqual(0);
    expect(m.balance).toBeGreaterThan(-10);
  });

  it('DOMAIN §1.4 (6), §1.8: running out in a non-disablement period raises 0x8F83, stays Enabled, and disables when the period ends', () => {
    const m = esme({ balance: pounds(3) });
    m.runUntil(WED_0 - 1);
    expect(m.alertCodes()).toEqual([lowCredit, ecAvailable]);
    // The daily standing charge at local midnight (friendly hours) takes credit below zero.
    const rec = m.runUntil(WED_0);
    expect(rec).toContain(WED_0);
    expect(m.alertCodes(WED_0)).toEqual([disablementSuspended]);
    expect(m.state).toBe('enabled');
    expect(m.context.suspendedUntil).toBe(WED_10);
    expect(m.due).toBe(WED_10);
    m.runUntil(WED_10 - 1);
    expect(m.state).toBe('enabled');
    expect(m.balance).toBeLessThan(0);
    m.runUntil(WED_10);
    expect(m.alertCodes(WED_10)).toEqual([creditBelowDisablement]);
    expect(m.state).toBe('disabled');
    expect(m.cause).toBe('credit');
    for (const s of m.log)
      if (s.after === 'Disabled' && s.before !== 'Disabled') expect(isFriendly(m.context.config.calendar, s.event.now)).toBe(false);
  });

  it('DOMAIN §1.8: a top-up during the non-disablement period keeps the supply on when the period ends', () => {
    const m = esme({ balance: pounds(3) });
    m.runUntil(WED_10 - 2 * HOUR_MS);
    expect(m.context.suspendedUntil).toBe(WED_10);
    expect(m.topUp(20).outcome).toBe('success');
    expect(m.context.suspendedUntil).toBeNull();
    m.runUntil(WED_10 + HOUR_MS);
    expect(m.state).toBe('enabled');
    expect(m.alertCodes(WED_10 - 2 * HOUR_MS)).toEqual([creditAddedLocally]);
  });

  it('DOMAIN §1.8: a top-up that leaves credit short does not lift the suspension', () => {
    const m = esme({ balance: pounds(3) });
    m.runUntil(WED_10 - 2 * HOUR_MS);
    const debt = -m.balance;
    expect(debt).toBeGreaterThan(pounds(0.5));
    m.topUp(0.5);
    expect(m.context.suspendedUntil).toBe(WED_10);
    m.runUntil(WED_10);
    expect(m.state).toBe('disabled');
  });

  it('DOMAIN §1.4 (6): an armed meter whose credit runs out in a friendly period stays armed and disables when the period ends', () => {
    const m = esme({ balance: 0 });
    expect(m.state).toBe('disabled');
    m.topUp(0.2);
    expect(m.state).toBe('armed');
    m.runUntil(WED_0);
    expect(m.combined).toBeLessThan(0);
    expect(m.state).toBe('armed');
    expect(m.due).toBe(WED_10);
    m.runUntil(WED_10);
    expect(m.state).toBe('disabled');
    expect(m.alertCodes(WED_0)).toEqual([creditBelowDisablement]);
  });

  it('DOMAIN §1.4: a meter installed with credit already short starts Disabled, with the alerts of its credit zones', () => {
    const m = esme({ balance: 0 });
    expect(m.state).toBe('disabled');
    expect(m.cause).toBe('credit');
    expect(m.bootAlerts).toEqual([lowCredit, ecAvailable, creditBelowDisablement]);
    expect(m.due).toBeGreaterThan(m.now);
    const g = gsme({ balance: pounds(1.5) });
    expect(g.state).toBe('enabled');
    expect(g.bootAlerts).toEqual([lowCredit]);
    expect(g.due).toBeGreaterThan(g.now);
  });

  it('DOMAIN §1.4 (6): a meter installed short during a friendly period starts Enabled with 0x8F83', () => {
    const m = esme({ balance: 0, at: WED_0 + HOUR_MS });
    expect(m.state).toBe('enabled');
    expect(m.bootAlerts).toEqual([lowCredit, ecAvailable, disablementSuspended]);
    expect(m.due).toBe(WED_10);
  });

  it('DOMAIN §1.4: a balance that starts in Credit mode raises no prepayment alerts and is never due', () => {
    const m = esme({ balance: -pounds(50), mode: 'Credit', at: WEEKDAY_NOON });
    expect(m.state).toBe('enabled');
    expect(m.bootAlerts).toEqual([]);
    expect(m.due).toBe(Infinity);
  });
});
