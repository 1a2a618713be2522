import type { Instant } from '../../../core/time/duration.ts';
import { DAY_MS } from '../../../core/time/duration.ts';
import { walk, cloneLedger, combinedCredit, allocateTopUp, grantEmergencyCredit, type Ledger, type Watch, type WalkEnv } from './ledger.ts';
import { isFriendly, friendlyUntil } from './non-disablement.ts';
import { verifyUtrn, recordAccepted, recordBadEntry, isBadManualEntry } from './utrn/utrn-acceptor.ts';
import { ALERT } from './alerts.ts';
import type { MeterContext, MeterEvent, MeterResponse, MeterFailure } from './meter-types.ts';

/**
 * The pure prepayment behaviour behind the meter machines: every function
 * takes a context and returns what changes and which alerts to raise. The
 * machine decides *when* they run and owns the supply state.
 */
export interface Step {
  readonly patch: Partial<MeterContext>;
  readonly alerts: readonly number[];
  readonly response?: MeterResponse;
}

/**
 * How far ahead a meter looks for its next credit event. A meter with more
 * credit than that is woken at the horizon to look again: a top-up usually
 * comes first, and a long look would be wasted.
 */
export const PLAN_HORIZON_MS = 7 * DAY_MS;

/**
 * The ledger `planDue` walked to, kept against the ledger it started from, so
 * that when the meter is woken at exactly that instant `settle` takes it
 * instead of walking the same half hours again. A cache only: entries go with
 * their ledgers, and a miss just walks.
 */
const planned = new WeakMap<Ledger, { readonly at: Instant; readonly env: WalkEnv; readonly ledger: Ledger }>();

function sameEnv(a: WalkEnv, b: WalkEnv): boolean {
  return (
    a.tariff === b.tariff &&
    a.profile === b.profile &&
    a.debt === b.debt &&
    a.standingChargeAccrual === b.standingChargeAccrual &&
    a.supplyOn === b.supplyOn &&
    a.mode === b.mode &&
    a.separateCreditBalance === b.separateCreditBalance &&
    a.debtSuspended === b.debtSuspended
  );
}

export function walkEnv(c: MeterContext): WalkEnv {
  const prepay = c.mode === 'Prepayment';
  return {
    tariff: c.config.tariff,
    profile: c.profile,
    debt: c.config.debt,
    standingChargeAccrual: c.config.standingChargeAccrual,
    supplyOn: c.supply === 'Enabled',
    mode: prepay ? 'prepayment' : 'credit',
    separateCreditBalance: c.variant.separateCreditBalance,
    debtSuspended:
      (c.config.prepay.suspendDebtDisabled && c.supply !== 'Enabled') || (c.config.prepay.suspendDebtEmergency && c.ledger.ecInUse),
  };
}

/** Charges the ledger up to `now` and raises the alerts of any threshold crossed on the way. */
export function settle(c: MeterContext, now: Instant): Step {
  if (now <= c.ledger.at) return { patch: { now: Math.max(now, c.now) }, alerts: [] };
  const env = walkEnv(c);
  const plan = planned.get(c.ledger);
  let ledger: Ledger;
  if (plan !== undefined && plan.at === now && sameEnv(plan.env, env)) {
    ledger = plan.ledger;
    planned.delete(c.ledger);
  } else {
    ledger = cloneLedger(c.ledger);
    walk(ledger, env, now, null);
  }
  const alerts: number[] = [];
  if (c.ledger.timeDebt1 > 0 && ledger.timeDebt1 === 0) alerts.push(ALERT.timeDebt1Cleared);
  if (c.ledger.timeDebt2 > 0 && ledger.timeDebt2 === 0) alerts.push(ALERT.timeDebt2Cleared);
  const next = { ...c, ledger, now };
  const flags = evaluate(next);
  return { patch: { ledger, now, ...flags.patch }, alerts: [...alerts, ...flags.alerts] };
}

/**
 * Credit zones after any change: raises each alert once per crossing, in the
 * order credit falls through them, and forgets a crossing once credit is
 * back above it. // DOMAIN §1.4
 */
export function evaluate(c: MeterContext): Step {
  const p = c.config.prepay;
  const l = c.ledger;
  const alerts: number[] = [];
  const prepay = c.mode === 'Prepayment';
  const combined = combinedCredit(l);
  let { lowCredit, ecOffered, ecExhausted, suspendedUntil } = c;
  if (prepay && !lowCredit && combined < p.lowCreditThreshold) {
    lowCredit = true;
    alerts.push(ALERT.lowCredit);
  } else if (lowCredit && (!prepay || combined >= p.lowCreditThreshold)) lowCredit = false;
  const ecPossible = prepay && !l.ecInUse && l.ecOwed === 0 && l.meterBalance <= p.emergencyCreditThreshold;
  if (ecPossible && !ecOffered) {
    ecOffered = true;
    alerts.push(ALERT.ecAvailable);
  } else if (ecOffered && !ecPossible) ecOffered = false;
  if (l.ecInUse && l.ecBalance === 0 && !ecExhausted) {
    ecExhausted = true;
    alerts.push(ALERT.ecExhausted);
  } else if (ecExhausted && !l.ecInUse) ecExhausted = false;
  if (suspendedUntil !== null && (!prepay || combined > p.disablementThreshold || c.now >= suspendedUntil)) suspendedUntil = null;
  return { patch: { lowCredit, ecOffered, ecExhausted, suspendedUntil }, alerts };
}

/** Prepayment mode and credit at or below the disablement threshold. // DOMAIN §1.4 (5) */
export const creditExhausted = (c: MeterContext): boolean =>
  c.mode === 'Prepayment' && combinedCredit(c.ledger) <= c.config.prepay.disablementThreshold;

/** Disablement is held off by a non-disablement period right now. // DOMAIN §1.4 (6) */
export const inFriendlyPeriod = (c: MeterContext): boolean => isFriendly(c.config.calendar, c.now);

/**
 * Switching to Prepayment leaves supply as it is. // DOMAIN §1.1, §1.11 [SL p.37]
 * A meter whose credit is already short at the switch (an ESME's one balance
 * keeps falling in Credit mode) holds disablement, as in a non-disablement
 * period, for a grace period or to the end of the friendly period it is in,
 * whichever is later; then the usual rule applies. (UNVERIFIED, configurable:
 * `prepaymentSwitchGraceMs`.)
 */
export function switchGrace(c: MeterContext): Step | null {
  if (!creditExhausted(c)) return null;
  const until = Math.max(c.now + c.config.prepaymentSwitchGraceMs, friendlyUntil(c.config.calendar, c.now));
  if (until <= c.now) return null;
  return { patch: { suspendedUntil: until }, alerts: [ALERT.disablementSuspended] };
}

export function suspendDisablement(c: MeterContext): Step {
  return { patch: { suspendedUntil: friendlyUntil(c.config.calendar, c.now) }, alerts: [ALERT.disablementSuspended] };
}

/**
 * The next instant this meter needs to be woken: the first credit threshold
 * the ledger will reach, or the end of a non-disablement period that holds off
 * disablement. Infinity when nothing can happen on its own (credit mode,
 * or off supply with nothing left to charge against).
 */
export function planDue(c: MeterContext): Instant {
  let due = c.suspendedUntil ?? Infinity;
  if (armedInFriendlyPeriod(c)) due = Math.min(due, friendlyUntil(c.config.calendar, c.now));
  const w = watchFor(c);
  if (w === null) return due;
  const scratch = cloneLedger(c.ledger);
  const horizon = c.ledger.at + PLAN_HORIZON_MS;
  const env = walkEnv(c);
  const at = walk(scratch, env, horizon, w);
  if (at < due) due = at;
  if (at === due) planned.set(c.ledger, { at, env, ledger: scratch });
  return due;
}

/**
 * An armed meter whose credit is already short in a non-disablement period
 * stays armed; it is due again when the period ends, not at once (which
 * would never let time move on). // DOMAIN §1.4 (6)
 */
const armedInFriendlyPeriod = (c: MeterContext): boolean => c.supply === 'Armed' && creditExhausted(c) && inFriendlyPeriod(c);

/** The thresholds still ahead of this meter's credit. */
export function watchFor(c: MeterContext): Watch | null {
  if (c.mode !== 'Prepayment') return null;
  const p = c.config.prepay;
  const l = c.ledger;
  let combinedAtOrBelow = -Infinity;
  if (!c.lowCredit) combinedAtOrBelow = p.lowCreditThreshold - 1;
  const canDisable = (c.supply === 'Enabled' && c.suspendedUntil === null) || (c.supply === 'Armed' && !armedInFriendlyPeriod(c));
  if (canDisable && p.disablementThreshold > combinedAtOrBelow) combinedAtOrBelow = p.disablementThreshold;
  const balanceAtOrBelow = !c.ecOffered && !l.ecInUse && l.ecOwed === 0 ? p.emergencyCreditThreshold : -Infinity;
  const ecZero = l.ecInUse && l.ecBalance > 0;
  const debtCleared = (l.timeDebt1 > 0 && c.config.debt.timeDebt1.rate > 0) || (l.timeDebt2 > 0 && c.config.debt.timeDebt2.rate > 0);
  if (combinedAtOrBelow === -Infinity && balanceAtOrBelow === -Infinity && !ecZero && !debtCleared) return null;
  return { ecZero, combinedAtOrBelow, balanceAtOrBelow, debtCleared };
}

/**
 * A UTRN typed at the meter or PPMID, or delivered remotely: authenticate,
 * check the limits, allocate, remember the counter. // DOMAIN §2.2, §2.3, §1.3
 */
export function acceptUtrn(c: MeterContext, e: Extract<MeterEvent, { type: 'credit.utrn' }>): Step {
  const entry = e.via === 'remote' ? 'remote' : 'manual';
  const verdict = verifyUtrn(c.utrn, e.utrn, {
    now: c.now,
    secret: c.credentials.secret,
    ownEui: c.credentials.ownEui,
    siblings: c.credentials.siblings,
    originator: c.credentials.supplier,
    entry,
    ...(e.counter !== undefined ? { fullCounter: e.counter } : {}),
  });
  if (verdict.kind === 'rejected') {
    const alerts = verdict.alert !== 0 ? [verdict.alert] : [];
    let utrn = c.utrn;
    if (isBadManualEntry(verdict, entry)) {
      const bad = recordBadEntry(c.utrn, c.now, c.config.utrn);
      utrn = bad.state;
      if (bad.lockedNow) alerts.push(ALERT.utrnEntrySuspended);
    }
    return { patch: { utrn }, alerts, response: fail(e, 'utrn-rejected', { reason: verdict.reason }) };
  }
  const p = c.config.prepay;
  if (verdict.credit > p.maxCreditThreshold) return { patch: {}, alerts: [ALERT.overMaxCredit], response: fail(e, 'over-max-credit') };
  if (c.ledger.meterBalance + verdict.credit > p.maxMeterBalance) {
    return { patch: {}, alerts: [ALERT.overMaxBalance], response: fail(e, 'over-max-balance') };
  }
  const ledger = cloneLedger(c.ledger);
  const allocation = allocateTopUp(ledger, verdict.credit, c.config.debt, c.config.allocation);
  const alerts: number[] = [];
  if (c.ledger.paymentDebt > 0 && ledger.paymentDebt === 0) alerts.push(ALERT.paymentDebtCleared);
  if (entry === 'manual') alerts.push(ALERT.creditAddedLocally); // DOMAIN §2.3
  const next = { ...c, ledger, utrn: recordAccepted(c.utrn, verdict.counter, c.config.utrn) };
  const flags = evaluate(next);
  return {
    patch: { ledger, utrn: next.utrn, ...flags.patch },
    alerts: [...alerts, ...flags.alerts],
    response: ok(e, { credit: verdict.credit, toBalance: allocation.toBalance, ecRepaid: allocation.ecRepaid }),
  };
}

/**
 * Emergency credit, when on offer: grants the limit. On a meter disabled for
 * lack of credit this arms the supply (0x8168). // DOMAIN §1.7, OPEN-QUESTIONS B4
 */
export function activateEmergencyCredit(c: MeterContext, e: Extract<MeterEvent, { type: 'ec.activate' }>): Step {
  const l = c.ledger;
  if (l.ecInUse) return { patch: {}, alerts: [], response: ok(e, { alreadyActive: true }) }; // DOMAIN §1.7: success if EC ends up active
  if (!c.ecOffered) return { patch: {}, alerts: [], response: fail(e, 'ec-not-available') };
  const ledger = cloneLedger(l);
  grantEmergencyCredit(ledger, c.config.prepay.emergencyCreditLimit);
  const next = { ...c, ledger };
  const flags = evaluate(next);
  // Only when the emergency credit itself restores credit: a later top-up that arms is a top-up (0x8F32).
  const armedByEc = c.supply === 'Disabled' && c.cause === 'credit' && combinedCredit(ledger) > c.config.prepay.disablementThreshold;
  return { patch: { ledger, armedByEc, ...flags.patch }, alerts: [ALERT.ecActivated, ...flags.alerts], response: ok(e) };
}

export const ok = (e: MeterEvent, body?: MeterResponse['body']): MeterResponse => ({
  ref: 'ref' in e ? (e.ref ?? null) : null,
  command: e.type,
  outcome: 'success',
  ...(body ? { body } : {}),
});

export const fail = (e: MeterEvent, reason: MeterFailure, body?: MeterResponse['body']): MeterResponse => ({
  ref: 'ref' in e ? (e.ref ?? null) : null,
  command: e.type,
  outcome: 'failure',
  reason,
  ...(body ? { body } : {}),
});

/** True while a sleepy device listens: on its wake cycle, or after a button press. // DOMAIN §3.4 */
export function isAwake(c: MeterContext, now: Instant): boolean {
  const w = c.variant.wake;
  if (w === null || now < c.awakeUntil) return true;
  return (((now - c.wakePhaseMs) % w.intervalMs) + w.intervalMs) % w.intervalMs < w.awakeMs;
}

/** The next instant at or after `now` when a sleepy device listens. */
export function nextWake(c: Pick<MeterContext, 'variant' | 'wakePhaseMs' | 'awakeUntil'>, now: Instant): Instant {
  const w = c.variant.wake;
  if (w === null || now < c.awakeUntil) return now;
  const into = (((now - c.wakePhaseMs) % w.intervalMs) + w.intervalMs) % w.intervalMs;
  return into < w.awakeMs ? now : now + (w.intervalMs - into);
}

/** Remaining battery as a percentage, from age and valve operations (UNVERIFIED model). // DOMAIN §1.10 */
export function batteryPercent(c: MeterContext): number | null {
  const life = c.variant.batteryLifeDays;
  if (life === null) return null;
  const usedDays = (c.now - c.installedAt) / DAY_MS + c.valveOperations * 0.5;
  return Math.max(0, Math.round(100 * (1 - usedDays / life)));
}

/** Registers as SR 4.3 Read Instantaneous Prepay Values reports them. // DOMAIN §1.2 */
export function prepayValues(l: Ledger): Record<string, number> {
  return {
    MeterBalance: l.meterBalance,
    EmergencyCreditBalance: l.ecBalance,
    AccumulatedDebtRegister: l.accumulatedDebt,
    TimeDebtRegister1: l.timeDebt1,
    TimeDebtRegister2: l.timeDebt2,
    PaymentDebtRegister: l.paymentDebt,
  };
}
