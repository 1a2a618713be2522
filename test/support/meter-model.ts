/**
 * A small model of a prepayment meter's supply state and payment mode, for
 * model-based tests with fast-check `commands`. The model knows the rules of
 * DOMAIN §1.4–§1.7 and nothing of the arithmetic: it reads the meter's credit
 * after each step and decides what the supply state must be. Every
 * transition it sees is recorded so a test can assert they were all reached.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { pounds } from '../../core/money.ts';
import { DAY_MS, HOUR_MS, type Instant } from '../../core/time/duration.ts';
import { ALERT } from '../../emulator/devices/common/alerts.ts';
import type { DisableCause, MeterEvent, MeterResponse, PaymentMode, SupplyState, Via } from '../../emulator/devices/common/meter-types.ts';
import { isFriendly, friendlyUntil } from '../../emulator/devices/common/non-disablement.ts';
import { MeterHarness, type MeterKind, type StepRecord } from './meter-harness.ts';

export interface SupplyModel {
  supply: SupplyState;
  cause: DisableCause | null;
  mode: PaymentMode;
}

export interface System {
  readonly m: MeterHarness;
  readonly coverage: Set<string>;
  /** Disablement held after a switch to Prepayment with credit already short. // DOMAIN §1.11 */
  holdUntil: Instant;
}

/** The states and transitions a run must reach, per meter type. // DOMAIN §1.5, §1.6, §1.7 */
export const STATES = ['enabled', 'disabled', 'armed'] as const;
export const TRANSITIONS: Readonly<Record<MeterKind, readonly string[]>> = {
  esme: [
    'enabled→disabled credit',
    'enabled→disabled remote',
    'disabled→armed credit',
    'disabled→armed remote',
    'disabled→armed mode',
    'disabled→armed ec',
    'armed→enabled local',
    'armed→enabled remote',
    'disabled→enabled remote',
    'armed→disabled remote',
    'armed→disabled credit',
  ],
  gsme: [
    'enabled→disabled credit',
    'enabled→disabled remote',
    'disabled→armed credit',
    'disabled→armed remote',
    'disabled→armed mode',
    'disabled→armed ec',
    'armed→enabled local',
    'armed→disabled remote',
    'armed→disabled credit',
  ],
};

type Trigger = 'time' | 'topUp' | 'ec' | 'local' | 'remote' | 'mode';

export interface Start {
  readonly at: Instant;
  readonly balance: number;
  readonly mode: PaymentMode;
  readonly wh: number;
}

export const startArb: fc.Arbitrary<Start> = fc.record({
  at: fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 10, 1) }),
  balance: fc.integer({ min: -pounds(5), max: pounds(30) }),
  mode: fc.constantFrom<PaymentMode>('Prepayment', 'Prepayment', 'Credit'),
  wh: fc.integer({ min: 100, max: 2500 }),
});

export function newSystem(kind: MeterKind, s: Start, coverage: Set<string>): { model: SupplyModel; real: System } {
  const m = new MeterHarness({ kind, at: s.at, balance: s.balance, mode: s.mode, profile: s.wh });
  const model: SupplyModel = { supply: 'Enabled', cause: null, mode: s.mode };
  const real: System = { m, coverage, holdUntil: -Infinity };
  settle(model, real);
  coverage.add(m.state);
  agree(model, m, 'boot');
  return { model, real };
}

/** Credit at or below the disablement threshold in Prepayment mode. */
const short = (model: SupplyModel, m: MeterHarness): boolean =>
  model.mode === 'Prepayment' && m.combined <= m.context.config.prepay.disablementThreshold;

/** The rules that follow from credit alone, after any step. // DOMAIN §1.4 (5)(6), §1.5, §1.6 */
function settle(model: SupplyModel, sys: System): void {
  const m = sys.m;
  if (model.supply === 'Disabled' && model.cause === 'credit' && !short(model, m)) model.supply = 'Armed';
  if (!short(model, m)) sys.holdUntil = -Infinity;
  const held = model.supply === 'Enabled' && m.now < sys.holdUntil;
  if (model.supply !== 'Disabled' && short(model, m) && !held && !isFriendly(m.context.config.calendar, m.now)) {
    model.supply = 'Disabled';
    model.cause = 'credit';
  }
}

function agree(model: SupplyModel, m: MeterHarness, what: string): void {
  const at = `${what} at ${new Date(m.now).toISOString()}`;
  expect({ supply: m.supply, cause: m.supply === 'Enabled' ? null : m.cause, mode: m.mode }, at).toEqual({
    ...model,
    cause: model.supply === 'Enabled' ? null : model.cause,
  });
  expect(m.state, at).toBe(model.supply.toLowerCase());
  // Out of credit in a friendly period, an enabled meter holds disablement off until the period ends.
  if (model.supply === 'Enabled' && short(model, m)) expect(m.context.suspendedUntil, at).not.toBeNull();
}

function record(sys: System, from: SupplyModel, to: SupplyModel, why: Trigger, rec: StepRecord): void {
  if (from.supply === to.supply) return;
  const a = from.supply.toLowerCase();
  const b = to.supply.toLowerCase();
  sys.coverage.add(b);
  let label: string;
  if (to.supply === 'Disabled') {
    label = `${a}→${b} ${to.cause ?? '?'}`;
    if (to.cause === 'credit') expect(rec.alerts).toContain(ALERT.creditBelowDisablement);
  } else if (to.supply === 'Armed') {
    label = `${a}→${b} ${why === 'topUp' ? 'credit' : why}`;
    expect(rec.alerts).toContain(why === 'ec' ? ALERT.armedByEmergencyCredit : ALERT.supplyArmed);
  } else {
    label = `${a}→${b} ${why}`;
  }
  sys.coverage.add(label);
}

/** Sends one event, moves the model by `rule` and the credit rules, and checks the meter agrees. */
function step(model: SupplyModel, sys: System, e: MeterEvent, why: Trigger, rule: (r: MeterResponse | undefined) => void): void {
  const from = { ...model };
  const rec = sys.m.send(e);
  rule(rec.responses[0]);
  settle(model, sys);
  agree(model, sys.m, e.type);
  record(sys, from, model, why, rec);
}

/** Time passes: the meter is sent `clock.due` at each instant it names, and checked after each. */
function advanceTo(model: SupplyModel, sys: System, t: Instant): void {
  const m = sys.m;
  let last = -Infinity;
  for (let due = m.due; due <= t; due = m.due) {
    if (due <= last) throw new Error(`planDue did not advance past ${new Date(due).toISOString()}`);
    last = due;
    step(model, sys, { type: 'clock.due', now: due }, 'time', () => {});
  }
  if (t > m.now) step(model, sys, { type: 'clock.due', now: t }, 'time', () => {});
}

/** WAN and PPMID traffic waits for a sleepy meter to listen. */
function deliver(model: SupplyModel, sys: System, from: Via): Instant {
  if (from !== 'meter') advanceTo(model, sys, sys.m.nextWake());
  return sys.m.now;
}

type Cmd = fc.Command<SupplyModel, System>;

const cmd = (name: string, run: (model: SupplyModel, sys: System) => void): Cmd => ({
  check: () => true,
  run,
  toString: () => name,
});

export const advance = (ms: number): Cmd => cmd(`advance(${ms})`, (model, sys) => advanceTo(model, sys, sys.m.now + ms));

export const topUp = (pence: number, via: Via): Cmd =>
  cmd(`topUp(${pence}p, ${via})`, (model, sys) => {
    const now = deliver(model, sys, via);
    const t = sys.m.mint(pounds(pence / 100));
    const e: MeterEvent = { type: 'credit.utrn', now, via, utrn: t.utrn, ...(via === 'remote' ? { counter: t.counter } : {}) };
    step(model, sys, e, 'topUp', (r) => {
      const over = sys.m.log.at(-1)?.alerts.includes(ALERT.overMaxBalance) ?? false;
      expect(r?.outcome).toBe(over ? 'failure' : 'success');
    });
  });

export const takeEc = (via: Via): Cmd =>
  cmd(`ec(${via})`, (model, sys) => {
    const now = deliver(model, sys, via);
    const c = sys.m.context;
    const l = c.ledger;
    // DOMAIN §1.7: on offer when the balance is at or below the EC threshold and no EC is in use or owed.
    const offered =
      model.mode === 'Prepayment' && !l.ecInUse && l.ecOwed === 0 && l.meterBalance <= c.config.prepay.emergencyCreditThreshold;
    const active = l.ecInUse;
    step(model, sys, { type: 'ec.activate', now, via }, 'ec', (r) => {
      expect(r?.outcome).toBe(offered || active ? 'success' : 'failure');
      if (!offered && !active) expect(r?.reason).toBe('ec-not-available');
    });
  });

export const enableLocal = (via: 'meter' | 'ppmid'): Cmd =>
  cmd(`enableLocal(${via})`, (model, sys) => {
    const now = deliver(model, sys, via);
    const here = sys.m.context.variant.localEnableVia.includes(via);
    step(model, sys, { type: 'supply.enableLocal', now, via }, 'local', (r) => {
      if (model.supply === 'Armed' && here) {
        expect(r?.outcome).toBe('success');
        model.supply = 'Enabled';
        model.cause = null;
      } else {
        expect(r?.reason).toBe(model.supply === 'Armed' ? 'not-here' : 'not-armed');
      }
    });
  });

export const remote = (type: 'supply.enable' | 'supply.disable' | 'supply.arm'): Cmd =>
  cmd(type, (model, sys) => {
    const now = deliver(model, sys, 'remote');
    step(model, sys, { type, now }, 'remote', (r) => {
      if (type === 'supply.enable' && !sys.m.context.variant.remoteEnable) {
        expect(r?.reason).toBe('not-supported');
        return;
      }
      expect(r?.outcome).toBe('success');
      if (type === 'supply.enable' && model.supply !== 'Enabled') {
        model.supply = 'Enabled';
        model.cause = null;
      } else if (type === 'supply.disable') {
        // DOMAIN §1.5: a supplier's Disable holds even on a meter already off for credit.
        model.supply = 'Disabled';
        model.cause = 'remote';
      } else if (type === 'supply.arm' && model.supply === 'Disabled') {
        model.supply = 'Armed';
      }
    });
  });

export const setMode = (mode: PaymentMode): Cmd =>
  cmd(`mode(${mode})`, (model, sys) => {
    const now = deliver(model, sys, 'remote');
    const e: MeterEvent =
      mode === 'Credit'
        ? { type: 'mode.set', now, mode }
        : { type: 'mode.set', now, mode, disablementThreshold: 0, suspendDebtDisabled: true, suspendDebtEmergency: false };
    const wasCredit = model.mode === 'Credit';
    step(model, sys, e, 'mode', (r) => {
      expect(r?.outcome).toBe('success');
      model.mode = mode;
      // DOMAIN §1.11: the switch itself never cuts supply; short credit is held for the grace period.
      if (mode === 'Prepayment' && wasCredit && model.supply === 'Enabled' && short(model, sys.m)) {
        const c = sys.m.context;
        sys.holdUntil = Math.max(now + c.config.prepaymentSwitchGraceMs, friendlyUntil(c.config.calendar, now));
      }
    });
  });

/** Every command, weighted so that credit runs out, is restored and runs out again within a run. */
export const commandArbs = (): fc.Arbitrary<Cmd>[] => {
  const via = fc.constantFrom<Via>('meter', 'ppmid', 'remote');
  const wait = fc.oneof(fc.integer({ min: 1, max: 4 * HOUR_MS }), fc.integer({ min: HOUR_MS, max: 5 * DAY_MS })).map(advance);
  const money = fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 300, max: 4000 }));
  return [
    wait,
    wait,
    wait,
    fc.tuple(money, via).map(([p, v]) => topUp(p, v)),
    via.map(takeEc),
    via.map(takeEc),
    fc.constantFrom<'meter' | 'ppmid'>('meter', 'ppmid').map(enableLocal),
    fc.constantFrom<'meter' | 'ppmid'>('meter', 'ppmid').map(enableLocal),
    fc.constantFrom('supply.enable' as const, 'supply.disable' as const, 'supply.arm' as const).map(remote),
    fc.constantFrom<PaymentMode>('Credit', 'Prepayment').map(setMode),
  ];
};

/** Runs a fixed list of commands against a fresh system (an explicit path). */
export function runPath(kind: MeterKind, start: Start, cmds: readonly Cmd[], coverage: Set<string>): MeterHarness {
  const { model, real } = newSystem(kind, start, coverage);
  for (const c of cmds) c.run(model, real);
  return real.m;
}
