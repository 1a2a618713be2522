import { setup } from 'xstate';
import { openLedger, cloneLedger, adjustBalance, combinedCredit } from './ledger.ts';
import { initialUtrnAcceptorState } from './utrn/utrn-acceptor.ts';
import { ALERT } from './alerts.ts';
import {
  settle,
  evaluate,
  creditExhausted,
  inFriendlyPeriod,
  suspendDisablement,
  switchGrace,
  acceptUtrn,
  activateEmergencyCredit,
  isAwake,
  batteryPercent,
  prepayValues,
  ok,
  fail,
  type Step,
} from './meter-logic.ts';
import type { MeterContext, MeterEvent, MeterInput, MeterResponse, SupplyState } from './meter-types.ts';

/**
 * The prepayment meter as a state machine: the supply state (Enabled /
 * Disabled / Armed) is the machine state; payment mode, credit zones and the
 * ledger live in context. Credit arithmetic is done by the pure functions of
 * `meter-logic.ts`; this file says when each runs and what follows.
 *
 * Effects are named, not performed: `alert` and `respond` are provided by
 * whoever runs the machine (a fleet, a comms hub, a test).
 *
 * Every event carries `now`: the machine settles the ledger to it first, so
 * credit is charged exactly up to the instant anything happens.
 */
export function createMeterMachine(name: string) {
  const base = setup({
    types: {
      context: {} as MeterContext,
      events: {} as MeterEvent,
      input: {} as MeterInput,
    },
    actions: {
      /** Effect: deliver a device alert. */
      alert: (_, _params: { code: number }) => {},
      /** Effect: deliver a response to the command's sender. */
      respond: (_, _params: MeterResponse) => {},
    },
    guards: {
      startsDisabled: ({ context }) => creditExhausted(context) && !inFriendlyPeriod(context),
      exhaustedInFriendlyPeriod: ({ context }) => creditExhausted(context) && context.suspendedUntil === null && inFriendlyPeriod(context),
      exhausted: ({ context }) => creditExhausted(context) && context.suspendedUntil === null && !inFriendlyPeriod(context),
      /** A credit-disabled meter whose credit is back (or now in Credit mode). // DOMAIN §1.5, §1.6, OPEN-QUESTIONS B1 */
      creditRestored: ({ context }) =>
        context.cause === 'credit' &&
        (context.mode === 'Credit' ||
          (context.config.armOnCreditRestore && combinedCredit(context.ledger) > context.config.prepay.disablementThreshold)),
      remoteEnable: ({ context }) => context.variant.remoteEnable,
      localEnableHere: ({ context, event }) => event.type === 'supply.enableLocal' && context.variant.localEnableVia.includes(event.via),
      /**
       * Sleepy devices take WAN and PPMID commands only while awake; a button
       * pressed at the meter itself always reaches it. // DOMAIN §1.10, §3.4
       */
      asleep: ({ context, event }) => !atMeter(event) && !isAwake(context, event.now),
    },
  });

  /** Settles to the event's instant, then applies a pure step: patch context, raise alerts, answer. */
  const apply = (step: (c: MeterContext, e: MeterEvent) => Step | null) =>
    base.enqueueActions(({ context, event, enqueue }) => {
      const s = settle(context, event.now);
      const settled = { ...context, ...s.patch };
      const r = step(settled, event);
      enqueue.assign({ ...s.patch, ...(r?.patch ?? {}) });
      for (const code of s.alerts) enqueue({ type: 'alert', params: { code } });
      for (const code of r?.alerts ?? []) enqueue({ type: 'alert', params: { code } });
      if (r?.response) enqueue({ type: 'respond', params: r.response });
    });
  const answer = (f: (c: MeterContext, e: MeterEvent) => MeterResponse) => apply((c, e) => ({ patch: {}, alerts: [], response: f(c, e) }));
  const enterSupply = (supply: SupplyState) => base.assign({ supply: () => supply });

  return base
    .extend({
      actions: {
        settleOnly: apply(() => null),
        acceptUtrn: apply((c, e) => (e.type === 'credit.utrn' ? acceptUtrn(c, e) : null)),
        activateEc: apply((c, e) => (e.type === 'ec.activate' ? activateEmergencyCredit(c, e) : null)),
        setMode: apply((c, e) => {
          if (e.type !== 'mode.set') return null;
          // DOMAIN §1.1, §1.6: → Credit stops disablement logic; → Prepayment loads threshold and flags, supply untouched.
          if (e.mode === 'Credit') {
            const next = { ...c, mode: 'Credit' as const };
            const f = evaluate(next);
            return { patch: { mode: 'Credit', ...f.patch }, alerts: f.alerts, response: ok(e) };
          }
          const prepay = {
            ...c.config.prepay,
            disablementThreshold: e.disablementThreshold,
            suspendDebtDisabled: e.suspendDebtDisabled,
            suspendDebtEmergency: e.suspendDebtEmergency,
          };
          const next = { ...c, mode: 'Prepayment' as const, config: { ...c.config, prepay } };
          const f = evaluate(next);
          const grace = c.mode === 'Credit' && c.supply === 'Enabled' ? switchGrace({ ...next, ...f.patch }) : null;
          return {
            patch: { mode: 'Prepayment', config: next.config, ...f.patch, ...(grace ? grace.patch : {}) },
            alerts: [...f.alerts, ...(grace ? grace.alerts : [])],
            response: ok(e),
          };
        }),
        setPrepayConfig: apply((c, e) => {
          if (e.type !== 'config.prepay') return null;
          const next = { ...c, config: { ...c.config, prepay: e.prepay } };
          const f = evaluate(next);
          return { patch: { config: next.config, ...f.patch }, alerts: f.alerts, response: ok(e) };
        }),
        updateDebt: apply((c, e) => {
          if (e.type !== 'config.debt') return null;
          const ledger = cloneLedger(c.ledger);
          ledger.timeDebt1 += e.add.timeDebt1 ?? 0;
          ledger.timeDebt2 += e.add.timeDebt2 ?? 0;
          ledger.paymentDebt += e.add.paymentDebt ?? 0;
          const config = e.debt ? { ...c.config, debt: e.debt } : c.config;
          return { patch: { ledger, config }, alerts: [], response: ok(e) };
        }),
        adjustBalance: apply((c, e) => {
          if (e.type !== 'balance.adjust') return null;
          const ledger = cloneLedger(c.ledger);
          adjustBalance(ledger, e.kind, e.amount);
          const f = evaluate({ ...c, ledger });
          return { patch: { ledger, ...f.patch }, alerts: f.alerts, response: ok(e, { MeterBalance: ledger.meterBalance }) };
        }),
        readSupplyStatus: answer((c, e) => ok(e, { SupplyState: c.supply, RemainingBatteryCapacity: batteryPercent(c) })),
        readPrepayValues: answer((c, e) => ok(e, prepayValues(c.ledger))),
        readBalance: answer((c, e) =>
          ok(e, {
            MeterBalance: c.variant.separateCreditBalance && c.mode === 'Credit' ? c.ledger.creditModeBalance : c.ledger.meterBalance,
            MeterBalancePrepaymentMode: c.variant.separateCreditBalance ? c.ledger.meterBalance : null,
            PaymentMode: c.mode,
          }),
        ),
        readPrepayConfig: answer((c, e) => ok(e, { ...c.config.prepay })),
        succeed: answer((_, e) => ok(e)),
        notArmed: answer((_, e) => fail(e, 'not-armed')),
        notSupported: answer((_, e) => fail(e, 'not-supported')),
        notHere: answer((_, e) => fail(e, 'not-here')),
        asleep: answer((_, e) => fail(e, 'asleep')),
        /** A consumer pressed a button: a sleepy meter wakes and listens for a while. // DOMAIN §3.4 [BOOST] */
        wakeUp: base.assign({ awakeUntil: ({ context, event }) => (context.variant.wake ? event.now + context.variant.wake.awakeMs : 0) }),
        /** As wakeUp, for events that may or may not come from the meter's own buttons. */
        wakeIfAtMeter: base.assign({
          awakeUntil: ({ context, event }) =>
            context.variant.wake && atMeter(event) ? event.now + context.variant.wake.awakeMs : context.awakeUntil,
        }),
        /** Credit zones of the opening balance, so the first planDue starts from a settled context. // DOMAIN §1.4 */
        checkCredit: base.enqueueActions(({ context, enqueue }) => {
          const f = evaluate(context);
          enqueue.assign(f.patch);
          for (const code of f.alerts) enqueue({ type: 'alert', params: { code } });
        }),
        suspendDisablement: base.enqueueActions(({ context, enqueue }) => {
          const s = suspendDisablement(context);
          enqueue.assign(s.patch);
          for (const code of s.alerts) enqueue({ type: 'alert', params: { code } });
        }),
        /** DOMAIN §1.4 (5): 0x8F0F with the disable; 0x81AA is raised when EC itself runs out. */
        disableForCredit: base.enqueueActions(({ enqueue }) => {
          enqueue.assign({ cause: 'credit', suspendedUntil: null });
          enqueue({ type: 'alert', params: { code: ALERT.creditBelowDisablement } });
        }),
        disableRemotely: base.assign({ cause: () => 'remote' as const, suspendedUntil: () => null }),
        /** DOMAIN §1.5, §1.6: credit restored or mode → Credit arms, never enables; 0x8168 when EC did it. */
        armOnCredit: base.enqueueActions(({ context, enqueue }) => {
          const code = context.armedByEc ? ALERT.armedByEmergencyCredit : ALERT.supplyArmed;
          enqueue.assign({ armedByEc: false });
          if (context.config.alertOnArm || context.armedByEc) enqueue({ type: 'alert', params: { code } });
        }),
        alertArmed: base.enqueueActions(({ context, enqueue }) => {
          if (context.config.alertOnArm) enqueue({ type: 'alert', params: { code: ALERT.supplyArmed } });
        }),
        clearCause: base.assign({ cause: () => null, armedByEc: () => false }),
        countValve: base.assign({
          valveOperations: ({ context }) => context.valveOperations + (context.variant.batteryLifeDays === null ? 0 : 1),
        }),
      },
    })
    .createMachine({
      id: name,
      context: ({ input }) => ({
        id: input.id,
        variant: input.variant,
        profile: input.profile,
        credentials: input.credentials,
        installedAt: input.at,
        wakePhaseMs: input.wakePhaseMs ?? 0,
        config: input.config,
        ledger: openLedger(input.at, input.meterBalance),
        mode: input.mode,
        supply: 'Enabled',
        cause: null,
        lowCredit: false,
        ecOffered: false,
        ecExhausted: false,
        suspendedUntil: null,
        armedByEc: false,
        utrn: initialUtrnAcceptorState(),
        awakeUntil: 0,
        valveOperations: 0,
        now: input.at,
      }),
      initial: 'boot',
      on: {
        'clock.due': { actions: 'settleOnly' },
        // Remote and PPMID traffic reaches a sleepy meter only while it listens; the comms hub holds it meanwhile.
        'credit.utrn': [{ guard: 'asleep', actions: 'asleep' }, { actions: ['wakeIfAtMeter', 'acceptUtrn'] }],
        'ec.activate': [{ guard: 'asleep', actions: 'asleep' }, { actions: ['wakeIfAtMeter', 'activateEc'] }],
        'mode.set': [{ guard: 'asleep', actions: 'asleep' }, { actions: 'setMode' }],
        'config.prepay': [{ guard: 'asleep', actions: 'asleep' }, { actions: 'setPrepayConfig' }],
        'config.debt': [{ guard: 'asleep', actions: 'asleep' }, { actions: 'updateDebt' }],
        'balance.adjust': [{ guard: 'asleep', actions: 'asleep' }, { actions: 'adjustBalance' }],
        'read.supplyStatus': [{ guard: 'asleep', actions: 'asleep' }, { actions: 'readSupplyStatus' }],
        'read.prepayValues': [{ guard: 'asleep', actions: 'asleep' }, { actions: 'readPrepayValues' }],
        'read.balance': [{ guard: 'asleep', actions: 'asleep' }, { actions: 'readBalance' }],
        'read.prepayConfig': [{ guard: 'asleep', actions: 'asleep' }, { actions: 'readPrepayConfig' }],
        'supply.enableLocal': { actions: ['wakeIfAtMeter', 'notArmed'] },
        'supply.enable': [
          { guard: 'asleep', actions: 'asleep' },
          { guard: 'remoteEnable', actions: 'succeed' },
          { actions: 'notSupported' },
        ],
        'supply.arm': [{ guard: 'asleep', actions: 'asleep' }, { actions: 'succeed' }],
        'supply.disable': [{ guard: 'asleep', actions: 'asleep' }, { actions: 'succeed' }],
      },
      states: {
        /** A meter installed with credit already short starts off supply. */
        boot: {
          entry: 'checkCredit',
          always: [{ guard: 'startsDisabled', target: 'disabled', actions: 'disableForCredit' }, { target: 'enabled' }],
        },
        enabled: {
          entry: enterSupply('Enabled'),
          always: [
            { guard: 'exhaustedInFriendlyPeriod', actions: 'suspendDisablement' },
            { guard: 'exhausted', target: 'disabled', actions: 'disableForCredit' },
          ],
          on: {
            'supply.disable': [
              { guard: 'asleep', actions: 'asleep' },
              { target: 'disabled', actions: ['settleOnly', 'disableRemotely', 'succeed'] },
            ],
          },
        },
        disabled: {
          entry: [enterSupply('Disabled'), 'countValve'],
          always: [{ guard: 'creditRestored', target: 'armed', actions: 'armOnCredit' }],
          on: {
            'supply.enable': [
              { guard: 'asleep', actions: 'asleep' },
              { guard: 'remoteEnable', target: 'enabled', actions: ['settleOnly', 'clearCause', 'succeed'] },
              { actions: 'notSupported' },
            ],
            'supply.arm': [
              { guard: 'asleep', actions: 'asleep' },
              { target: 'armed', actions: ['settleOnly', 'alertArmed', 'succeed'] },
            ],
            // A supplier's Disable on a meter already off for credit keeps it off: a top-up must not arm it.
            'supply.disable': [{ guard: 'asleep', actions: 'asleep' }, { actions: ['settleOnly', 'disableRemotely', 'succeed'] }],
          },
        },
        armed: {
          entry: enterSupply('Armed'),
          // Standing charge keeps running while armed; if credit runs out again the meter is off for credit.
          always: [{ guard: 'exhausted', target: 'disabled', actions: 'disableForCredit' }],
          on: {
            'supply.enableLocal': [
              { guard: 'localEnableHere', target: 'enabled', actions: ['wakeUp', 'settleOnly', 'clearCause', 'countValve', 'succeed'] },
              { actions: 'notHere' },
            ],
            'supply.enable': [
              { guard: 'asleep', actions: 'asleep' },
              { guard: 'remoteEnable', target: 'enabled', actions: ['settleOnly', 'clearCause', 'succeed'] },
              { actions: 'notSupported' },
            ],
            'supply.disable': [
              { guard: 'asleep', actions: 'asleep' },
              { target: 'disabled', actions: ['settleOnly', 'disableRemotely', 'succeed'] },
            ],
          },
        },
      },
    });
}

export type MeterMachine = ReturnType<typeof createMeterMachine>;

/** The consumer acted at the meter itself (a button press). */
const atMeter = (e: MeterEvent): boolean => 'via' in e && e.via === 'meter';
