import type { Money } from '../../../core/money.ts';
import type { Instant } from '../../../core/time/duration.ts';
import { DAY_MS as DAY, HALF_HOUR_MS as HALF_HOUR } from '../../../core/time/duration.ts';

// Module constants, not imported bindings: the walk reads them for every half hour of every meter.
const HALF_HOUR_MS = HALF_HOUR;
const DAY_MS = DAY;
import { ukLocal, ukLocalDayStart, ukNextLocalDayStart, ukOffsetMs } from '../../../core/time/uk-time.ts';
import type { ConsumptionProfile } from './profile.ts';
import { energyCost, type CompiledTariff } from './tariff.ts';
import { capWindow, type DebtCap, type DebtConfig } from './debt.ts';

/**
 * The registers of one meter and the running totals that prove money is
 * conserved. Integer money units throughout. // DOMAIN §1.2
 *
 * Mutable on purpose: the walk below runs in the hot loop of a fleet. Callers
 * that keep ledgers in immutable snapshots copy first (`cloneLedger`).
 */
export interface Ledger {
  /** Everything up to and including this instant has been charged. */
  at: Instant;
  /** Prepayment-mode meter balance; may go negative (friendly periods, standing charge while off). */
  meterBalance: Money;
  /** Credit-mode balance of a meter that keeps one apart (GSME). // DOMAIN §1.1 */
  creditModeBalance: Money;
  /** Emergency credit left to spend while EC is in use. */
  ecBalance: Money;
  /** Emergency credit spent and not yet repaid. */
  ecOwed: Money;
  ecInUse: boolean;
  timeDebt1: Money;
  timeDebt2: Money;
  paymentDebt: Money;
  accumulatedDebt: Money;
  timeCapWindow: number;
  timeCapUsed: Money;
  payCapWindow: number;
  payCapUsed: Money;
  blockWindow: number;
  blockUsedWh: number;
  readonly totals: LedgerTotals;
}

/** Money in and out since the ledger was opened. */
export interface LedgerTotals {
  topUps: Money;
  energyCharges: Money;
  standingCharges: Money;
  /** Time-based, payment-based and accumulated debt recovered. */
  debtRecovered: Money;
  ecGranted: Money;
  ecRepaid: Money;
  /** Unspent emergency credit taken back when EC closed. */
  ecWithdrawn: Money;
  adjustments: Money;
  energyWh: number;
}

/** What the walk needs besides the ledger: fixed for the span being walked. */
export interface WalkEnv {
  readonly tariff: CompiledTariff;
  readonly profile: ConsumptionProfile;
  readonly debt: DebtConfig;
  readonly standingChargeAccrual: StandingChargeAccrual;
  /** False while supply is disabled or armed: no energy flows. */
  readonly supplyOn: boolean;
  readonly mode: 'credit' | 'prepayment';
  readonly separateCreditBalance: boolean;
  /** Time-based debt collection paused (suspend-debt flags). */
  readonly debtSuspended: boolean;
}

/** Standing charge taken at each local midnight, or pro rata every half hour. // DOMAIN §1.11, OPEN-QUESTIONS B7 */
export type StandingChargeAccrual = 'daily' | 'half-hourly';

/**
 * Thresholds the walk stops at: the first instant any of them is reached.
 * Each is "at or below"; use -Infinity for none.
 */
export interface Watch {
  readonly ecZero: boolean;
  readonly combinedAtOrBelow: Money;
  readonly balanceAtOrBelow: Money;
  readonly debtCleared: boolean;
}

export function openLedger(at: Instant, meterBalance: Money): Ledger {
  return {
    at,
    meterBalance,
    creditModeBalance: 0,
    ecBalance: 0,
    ecOwed: 0,
    ecInUse: false,
    timeDebt1: 0,
    timeDebt2: 0,
    paymentDebt: 0,
    accumulatedDebt: 0,
    timeCapWindow: -1,
    timeCapUsed: 0,
    payCapWindow: -1,
    payCapUsed: 0,
    blockWindow: -1,
    blockUsedWh: 0,
    totals: {
      topUps: 0,
      energyCharges: 0,
      standingCharges: 0,
      debtRecovered: 0,
      ecGranted: 0,
      ecRepaid: 0,
      ecWithdrawn: 0,
      adjustments: 0,
      energyWh: 0,
    },
  };
}

export const cloneLedger = (l: Ledger): Ledger => ({ ...l, totals: { ...l.totals } });

/** Meter balance plus emergency credit left: what the consumer can still spend. // DOMAIN §1.4 */
export const combinedCredit = (l: Ledger): Money => l.meterBalance + l.ecBalance;

/**
 * Charges the ledger from `l.at` to `until`, or to the first instant a watched
 * threshold is reached, whichever comes first, and returns that instant.
 *
 * Consumption is constant within each half hour and is charged linearly
 * across it, so the crossing inside a half hour is found exactly in integer
 * arithmetic; standing charge and time-based debt are taken at half-hour,
 * hour or local-midnight boundaries. Only instants where something can happen
 * are ever computed: time advances by events, not ticks. // ARCHITECTURE "Time"
 */
export function walk(l: Ledger, env: WalkEnv, until: Instant, watch: Watch | null): Instant {
  let t = l.at;
  if (until <= t) return t;
  if (watch !== null && needFor(l, watch) <= 0) return t;
  // The loop below runs for every half hour of every meter in a fleet: read everything once.
  const { profile, tariff, supplyOn, standingChargeAccrual, debtSuspended } = env;
  const prices = tariff.priceByHalfHour;
  const block = tariff.blockPeriod !== null;
  const totals = l.totals;
  const prepay = env.mode === 'prepayment';
  let dayStart = ukLocalDayStart(t);
  let nextDay = ukNextLocalDayStart(t);
  // On the two clock-change days a year the wall clock and the half-hour count part company.
  let clockChangeDay = ukOffsetMs(dayStart) !== ukOffsetMs(nextDay - 1);
  const local = ukLocal(t);
  const hh: { start: number; index: number; dayOfWeek: number; dayOfYear: number } = {
    start: 0,
    index: 0,
    dayOfWeek: local.dayOfWeek,
    dayOfYear: local.dayOfYear,
  };
  // Instants are doubles beyond the small-integer range, where `%` is slow: align once, then step.
  let segStart = t - (t % HALF_HOUR_MS) - HALF_HOUR_MS;
  while (t < until) {
    segStart += HALF_HOUR_MS;
    const segEnd = segStart + HALF_HOUR_MS;
    const end = segEnd < until ? segEnd : until;
    const ecBefore = l.ecBalance;
    if (supplyOn) {
      const sinceMidnight = Math.floor((segStart - dayStart) / HALF_HOUR_MS);
      hh.start = segStart;
      hh.index = sinceMidnight < 47 ? sinceMidnight : 47;
      const wh = profile.whInHalfHour(hh);
      if (wh > 0) {
        const x0 = t - segStart;
        // Time-of-use bands follow the wall clock, also on the 23- and 25-hour days.
        const wallIndex = clockChangeDay ? Math.floor(((segStart + ukOffsetMs(segStart)) % DAY_MS) / HALF_HOUR_MS) : sinceMidnight;
        let cost: number;
        if (block) {
          // A half hour's cost is fixed by what was used before it started, however the walk is split. // DOMAIN §1.3
          resetBlockWindow(l, env, hh.dayOfWeek, dayStart);
          const usedBefore = Math.max(0, l.blockUsedWh - Math.floor((wh * x0) / HALF_HOUR_MS));
          cost = energyCost(tariff, wallIndex, wh, usedBefore);
        } else {
          cost = Math.floor((wh * (prices[wallIndex] ?? 0)) / 1000);
        }
        const c0 = Math.floor((cost * x0) / HALF_HOUR_MS);
        let stopAt = end;
        let charge = Math.floor((cost * (end - segStart)) / HALF_HOUR_MS) - c0;
        if (watch !== null && charge > 0) {
          const need = needFor(l, watch);
          if (need <= charge) {
            stopAt = segStart + Math.ceil(((need + c0) * HALF_HOUR_MS) / cost);
            // What a walk to stopAt charges (≥ need): stopping must not change the ledger.
            charge = Math.floor((cost * (stopAt - segStart)) / HALF_HOUR_MS) - c0;
          }
        }
        const used = Math.floor((wh * (stopAt - segStart)) / HALF_HOUR_MS) - Math.floor((wh * x0) / HALF_HOUR_MS);
        totals.energyWh += used;
        l.blockUsedWh += used;
        totals.energyCharges += charge;
        if (prepay && l.ecBalance === 0) l.meterBalance -= charge;
        else take(l, env, prepay, charge);
        if (stopAt < end) {
          l.at = stopAt;
          return stopAt;
        }
      }
    }
    t = end;
    l.at = t;
    if (t !== segEnd) break;
    // Boundary charges at segEnd. The half hour that just ended belongs to `dayStart`'s day.
    const midnight = t >= nextDay;
    if (standingChargeAccrual === 'half-hourly') {
      const n = Math.round((nextDay - dayStart) / HALF_HOUR_MS);
      const k = Math.round((segStart - dayStart) / HALF_HOUR_MS);
      const sc = tariff.standingCharge;
      charge(l, env, prepay, Math.floor((sc * (k + 1)) / n) - Math.floor((sc * k) / n));
    }
    if (midnight) {
      dayStart = nextDay;
      nextDay = ukNextLocalDayStart(t);
      clockChangeDay = ukOffsetMs(dayStart) !== ukOffsetMs(nextDay - 1);
      const d = ukLocal(t);
      hh.dayOfWeek = d.dayOfWeek;
      hh.dayOfYear = d.dayOfYear;
      if (standingChargeAccrual === 'daily') charge(l, env, prepay, tariff.standingCharge);
    }
    let cleared = false;
    // Half-hour numbers fit in 32 bits: an even one ends an hour (UK offsets are whole hours).
    if (prepay && !debtSuspended && ((t / HALF_HOUR_MS) & 1) === 0) cleared = recoverTimeDebt(l, env, prepay, t, midnight);
    if (watch !== null) {
      // EC emptied exactly at the half-hour end or by a boundary charge: needFor no longer sees it.
      const ecEmptied = watch.ecZero && ecBefore > 0 && l.ecBalance === 0;
      if (needFor(l, watch) <= 0 || (cleared && watch.debtCleared) || ecEmptied) return t;
    }
  }
  return t;
}

/** Least further charge that reaches a watched threshold (≤ 0: already there). */
function needFor(l: Ledger, w: Watch): number {
  let need = Infinity;
  if (w.ecZero && l.ecBalance > 0) need = l.ecBalance;
  const combined = l.meterBalance + l.ecBalance;
  if (combined - w.combinedAtOrBelow < need) need = combined - w.combinedAtOrBelow;
  // Emergency credit is spent first, so the meter balance only falls once it is gone. // DOMAIN §1.3
  const toBalance = l.meterBalance <= w.balanceAtOrBelow ? 0 : l.ecBalance + l.meterBalance - w.balanceAtOrBelow;
  if (toBalance < need) need = toBalance;
  return need;
}

/** Takes a standing charge. */
function charge(l: Ledger, env: WalkEnv, prepay: boolean, amount: Money): void {
  if (amount <= 0) return;
  l.totals.standingCharges += amount;
  take(l, env, prepay, amount);
}

/** Draws an amount from emergency credit first, then the meter balance. // DOMAIN §1.3 */
function take(l: Ledger, env: WalkEnv, prepay: boolean, amount: Money): void {
  if (!prepay) {
    if (env.separateCreditBalance) l.creditModeBalance -= amount;
    else l.meterBalance -= amount;
    return;
  }
  if (l.ecBalance > 0) {
    const fromEc = amount < l.ecBalance ? amount : l.ecBalance;
    l.ecBalance -= fromEc;
    l.ecOwed += fromEc;
    l.meterBalance -= amount - fromEc;
  } else {
    l.meterBalance -= amount;
  }
}

/** Hourly/daily time-based debt recovery, capped per window. Returns true if a register reached zero. // DOMAIN §1.2 (SR 2.3) */
function recoverTimeDebt(l: Ledger, env: WalkEnv, prepay: boolean, t: Instant, midnight: boolean): boolean {
  const { timeDebt1, timeDebt2, timeDebtCap } = env.debt;
  let cleared = false;
  if (l.timeDebt1 > 0 && timeDebt1.rate > 0 && (timeDebt1.period === 'hourly' || midnight)) {
    const amount = Math.min(timeDebt1.rate, l.timeDebt1, timeCapLeft(l, timeDebtCap, t));
    l.timeDebt1 -= amount;
    recovered(l, env, prepay, amount);
    cleared = l.timeDebt1 === 0;
  }
  if (l.timeDebt2 > 0 && timeDebt2.rate > 0 && (timeDebt2.period === 'hourly' || midnight)) {
    const amount = Math.min(timeDebt2.rate, l.timeDebt2, timeCapLeft(l, timeDebtCap, t));
    l.timeDebt2 -= amount;
    recovered(l, env, prepay, amount);
    cleared = cleared || l.timeDebt2 === 0;
  }
  return cleared;
}

function recovered(l: Ledger, env: WalkEnv, prepay: boolean, amount: Money): void {
  if (amount <= 0) return;
  l.timeCapUsed += amount;
  l.totals.debtRecovered += amount;
  take(l, env, prepay, amount);
}

function timeCapLeft(l: Ledger, cap: DebtCap | null, t: Instant): Money {
  if (cap === null) return Infinity;
  const w = capWindow(cap, t - 1);
  if (w !== l.timeCapWindow) {
    l.timeCapWindow = w;
    l.timeCapUsed = 0;
  }
  return Math.max(0, cap.amount - l.timeCapUsed);
}

function resetBlockWindow(l: Ledger, env: WalkEnv, dayOfWeek: number, dayStart: Instant): void {
  // Windows are numbered by local day (rounding absorbs the clock-change hour); weeks by their Monday.
  const day = Math.round(dayStart / 86_400_000);
  const w = env.tariff.blockPeriod === 'day' ? day : day - ((dayOfWeek + 6) % 7);
  if (w !== l.blockWindow) {
    l.blockWindow = w;
    l.blockUsedWh = 0;
  }
}

/** Where a top-up went. */
export interface Allocation {
  readonly ecRepaid: Money;
  readonly paymentDebt: Money;
  readonly accumulatedDebt: Money;
  readonly toBalance: Money;
}

/** A step of top-up allocation; the order is configurable. // DOMAIN §1.3, OPEN-QUESTIONS B7 */
export type AllocationStep = 'emergencyCredit' | 'paymentDebt' | 'accumulatedDebt' | 'balance';

/** Emergency credit first, then payment-based debt, then accumulated debt, the rest to the balance. // OPEN-QUESTIONS B7 default */
export const DEFAULT_ALLOCATION_ORDER: readonly AllocationStep[] = ['emergencyCredit', 'paymentDebt', 'accumulatedDebt', 'balance'];
/** The order one SMETS2 meter documents: debt share, accumulated debt, then EC. // DOMAIN §1.3 [ACL63] */
export const ACL63_ALLOCATION_ORDER: readonly AllocationStep[] = ['paymentDebt', 'accumulatedDebt', 'emergencyCredit', 'balance'];

/**
 * Allocates a top-up credited at `l.at`. When emergency credit is fully
 * repaid, EC closes and any unspent EC is taken back, so it can be offered
 * again. // DOMAIN §1.3 "repaid first from the next top-up"
 */
export function allocateTopUp(l: Ledger, amount: Money, debt: DebtConfig, order: readonly AllocationStep[]): Allocation {
  let rest = amount;
  let ecRepaid = 0;
  let paymentDebt = 0;
  let accumulatedDebt = 0;
  l.totals.topUps += amount;
  for (const step of order) {
    switch (step) {
      case 'emergencyCredit': {
        ecRepaid = Math.min(rest, l.ecOwed);
        l.ecOwed -= ecRepaid;
        rest -= ecRepaid;
        l.totals.ecRepaid += ecRepaid;
        if (l.ecInUse && l.ecOwed === 0) closeEmergencyCredit(l);
        break;
      }
      case 'paymentDebt': {
        const share = Math.floor((amount * debt.paymentDebtBasisPoints) / 10_000);
        paymentDebt = Math.min(rest, share, l.paymentDebt, payCapLeft(l, debt.paymentDebtCap));
        l.paymentDebt -= paymentDebt;
        l.payCapUsed += paymentDebt;
        rest -= paymentDebt;
        break;
      }
      case 'accumulatedDebt': {
        accumulatedDebt = Math.min(rest, l.accumulatedDebt);
        l.accumulatedDebt -= accumulatedDebt;
        rest -= accumulatedDebt;
        break;
      }
      case 'balance':
        l.meterBalance += rest;
        rest = 0;
        break;
    }
  }
  // An order without 'balance' still credits the remainder: money is never lost.
  l.meterBalance += rest;
  l.totals.debtRecovered += paymentDebt + accumulatedDebt;
  return { ecRepaid, paymentDebt, accumulatedDebt, toBalance: amount - ecRepaid - paymentDebt - accumulatedDebt };
}

function payCapLeft(l: Ledger, cap: DebtCap | null): Money {
  if (cap === null) return Infinity;
  const w = capWindow(cap, l.at);
  if (w !== l.payCapWindow) {
    l.payCapWindow = w;
    l.payCapUsed = 0;
  }
  return Math.max(0, cap.amount - l.payCapUsed);
}

function closeEmergencyCredit(l: Ledger): void {
  l.totals.ecWithdrawn += l.ecBalance;
  l.ecBalance = 0;
  l.ecInUse = false;
}

/** Grants emergency credit (the caller has checked it is on offer). // DOMAIN §1.4 (4) */
export function grantEmergencyCredit(l: Ledger, limit: Money): void {
  l.ecInUse = true;
  l.ecBalance += limit;
  l.totals.ecGranted += limit;
}

/** SR 1.5 Update Meter Balance: adjust by an amount, or reset to zero. // DOMAIN §1.1 (ECS04a/b) */
export function adjustBalance(l: Ledger, kind: 'adjust' | 'reset', amount: Money): void {
  const delta = kind === 'reset' ? -l.meterBalance : amount;
  l.meterBalance += delta;
  l.totals.adjustments += delta;
}
