import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ALERT } from '../../../emulator/devices/common/alerts.ts';
import { combinedCredit } from '../../../emulator/devices/common/ledger.ts';
import { isFriendly } from '../../../emulator/devices/common/non-disablement.ts';
import { actionsArb, harnessFor, perform, scenarioArb } from '../../support/meter-actions.ts';
import type { MeterHarness } from '../../support/meter-harness.ts';

const actions = (modes: boolean) => actionsArb({ modes });

/** Runs the actions, checking `each` after every one. */
function play(h: MeterHarness, list: readonly Parameters<typeof perform>[1][], each: () => void = () => {}): void {
  for (const a of list) {
    perform(h, a);
    each();
  }
}

describe('meter properties', () => {
  it('DOMAIN §1.6: a Credit-mode meter never disables for lack of credit', () => {
    fc.assert(
      fc.property(scenarioArb({ mode: 'Credit' }), actions(false), (s, list) => {
        const h = harnessFor(s);
        play(h, list);
        expect(h.mode).toBe('Credit');
        expect(h.log.filter((r) => r.after === 'Disabled' && r.before !== 'Disabled' && r.causeAfter === 'credit')).toEqual([]);
        expect(h.alertCodes()).not.toContain(ALERT.creditBelowDisablement);
        expect(h.bootAlerts).toEqual([]);
      }),
    );
  });

  it('DOMAIN §1.5, §1.9: supply is never restored without a consumer enable or, on an ESME, a remote Enable', () => {
    fc.assert(
      fc.property(scenarioArb(), actions(true), (s, list) => {
        const h = harnessFor(s);
        play(h, list);
        for (const r of h.log) {
          if (r.before === 'Enabled' || r.after !== 'Enabled') continue;
          const e = r.event;
          const local = e.type === 'supply.enableLocal' && r.before === 'Armed' && h.context.variant.localEnableVia.includes(e.via);
          const remote = e.type === 'supply.enable' && h.kind === 'esme';
          expect(local || remote, `${r.before} → Enabled on ${e.type}`).toBe(true);
        }
      }),
    );
  });

  it('DOMAIN §1.4 (6), §1.8: no credit-disable while a non-disablement period is active, and none is missed outside one', () => {
    fc.assert(
      fc.property(scenarioArb(), actions(true), (s, list) => {
        const h = harnessFor(s);
        const calendar = h.context.config.calendar;
        const check = () => {
          const c = h.context;
          const short = c.mode === 'Prepayment' && combinedCredit(c.ledger) <= c.config.prepay.disablementThreshold;
          // Out of credit outside friendly hours: never on supply, nor armed.
          // (A switch to Prepayment with credit already short holds disablement for a grace period. // DOMAIN §1.11)
          const held = c.suspendedUntil !== null && c.now < c.suspendedUntil;
          if (short && !held && !isFriendly(calendar, c.now)) expect(c.supply, new Date(c.now).toISOString()).toBe('Disabled');
        };
        check();
        play(h, list, check);
        for (const r of h.log) {
          if (r.before !== 'Disabled' && r.after === 'Disabled' && r.causeAfter === 'credit') {
            expect(isFriendly(calendar, r.event.now), new Date(r.event.now).toISOString()).toBe(false);
          }
        }
      }),
    );
  });

  it('DOMAIN §1.2, §1.3: money is conserved on the ledger', () => {
    fc.assert(
      fc.property(scenarioArb(), actions(true), (s, list) => {
        const h = harnessFor(s);
        const held = () => h.context.ledger.meterBalance + h.context.ledger.ecBalance + h.context.ledger.creditModeBalance;
        const opening = held();
        play(h, list);
        const t = h.context.ledger.totals;
        const flows =
          t.topUps - t.energyCharges - t.standingCharges - t.debtRecovered - t.ecRepaid + t.ecGranted - t.ecWithdrawn + t.adjustments;
        expect(held() - opening).toBe(flows);
        for (const v of Object.values(t)) expect(Number.isSafeInteger(v)).toBe(true);
      }),
    );
  });
});
