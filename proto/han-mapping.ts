import { err, ok, type Result } from '../core/result.ts';
import type { DebtConfig, DebtCap } from '../emulator/devices/common/debt.ts';
import type { DebtRegisters, MeterEvent, MeterResponse } from '../emulator/devices/common/meter-types.ts';
import { decodeError, type DecodeError } from './decode-error.ts';
import type { CommandType, DebtCapMessage, DebtConfigMessage, HanCommand, HanResponse } from './types.ts';

/**
 * The devices' own command and response types (meter-types.ts) to and from
 * the HAN messages, exactly: `fromHanCommand(toHanCommand(e))` is `e` and
 * `fromHanResponse(toHanResponse(r))` is `r`, optional fields included.
 */

/** A MeterEvent that can cross the HAN: all but `clock.due`, a meter's own scheduled instant. */
export type HanMeterEvent = Exclude<MeterEvent, { readonly type: 'clock.due' }>;

type EventType = MeterEvent['type'];

/** HAN command kind of each MeterEvent type, and back. */
const KIND_OF = {
  'clock.due': 'clockDue',
  'credit.utrn': 'creditUtrn',
  'ec.activate': 'ecActivate',
  'supply.enableLocal': 'supplyEnableLocal',
  'supply.enable': 'supplyEnable',
  'supply.disable': 'supplyDisable',
  'supply.arm': 'supplyArm',
  'mode.set': 'modeSet',
  'config.prepay': 'configPrepay',
  'config.debt': 'configDebt',
  'balance.adjust': 'balanceAdjust',
  'read.supplyStatus': 'readSupplyStatus',
  'read.prepayValues': 'readPrepayValues',
  'read.balance': 'readBalance',
  'read.prepayConfig': 'readPrepayConfig',
} as const satisfies Record<EventType, CommandType>;

const TYPE_OF = Object.fromEntries(Object.entries(KIND_OF).map(([t, k]) => [k, t])) as Record<CommandType, EventType>;

/** The HAN command carrying a device event. */
export function toHanCommand(e: HanMeterEvent): HanCommand {
  const head = { ...(e.ref !== undefined ? { ref: e.ref } : {}), now: e.now };
  switch (e.type) {
    case 'credit.utrn':
      return {
        ...head,
        kind: 'creditUtrn',
        creditUtrn: { utrn: e.utrn, via: e.via, ...(e.counter !== undefined ? { counter: e.counter } : {}) },
      };
    case 'ec.activate':
      return { ...head, kind: 'ecActivate', ecActivate: { via: e.via } };
    case 'supply.enableLocal':
      return { ...head, kind: 'supplyEnableLocal', supplyEnableLocal: { via: e.via } };
    case 'supply.enable':
      return { ...head, kind: 'supplyEnable', supplyEnable: {} };
    case 'supply.disable':
      return { ...head, kind: 'supplyDisable', supplyDisable: {} };
    case 'supply.arm':
      return { ...head, kind: 'supplyArm', supplyArm: {} };
    case 'mode.set':
      return {
        ...head,
        kind: 'modeSet',
        modeSet:
          e.mode === 'Credit'
            ? { kind: 'credit', credit: {} }
            : {
                kind: 'prepayment',
                prepayment: {
                  disablementThreshold: e.disablementThreshold,
                  suspendDebtDisabled: e.suspendDebtDisabled,
                  suspendDebtEmergency: e.suspendDebtEmergency,
                },
              },
      };
    case 'config.prepay':
      return { ...head, kind: 'configPrepay', configPrepay: { prepay: { ...e.prepay } } };
    case 'config.debt':
      return {
        ...head,
        kind: 'configDebt',
        configDebt: { add: { ...e.add }, ...(e.debt !== undefined ? { debt: debtToMessage(e.debt) } : {}) },
      };
    case 'balance.adjust':
      return { ...head, kind: 'balanceAdjust', balanceAdjust: { kind: e.kind, amount: e.amount } };
    case 'read.supplyStatus':
      return { ...head, kind: 'readSupplyStatus', readSupplyStatus: {} };
    case 'read.prepayValues':
      return { ...head, kind: 'readPrepayValues', readPrepayValues: {} };
    case 'read.balance':
      return { ...head, kind: 'readBalance', readBalance: {} };
    case 'read.prepayConfig':
      return { ...head, kind: 'readPrepayConfig', readPrepayConfig: {} };
  }
}

/**
 * The device event a HAN command carries. Fails only where the HAN message is
 * wider than the event: a local enable must come from the meter or the PPMID.
 */
export function fromHanCommand(c: HanCommand): Result<HanMeterEvent, DecodeError> {
  const head = { ...(c.ref !== undefined ? { ref: c.ref } : {}), now: c.now };
  switch (c.kind) {
    case 'creditUtrn': {
      const u = c.creditUtrn;
      return ok({ ...head, type: 'credit.utrn', utrn: u.utrn, via: u.via, ...(u.counter !== undefined ? { counter: u.counter } : {}) });
    }
    case 'ecActivate':
      return ok({ ...head, type: 'ec.activate', via: c.ecActivate.via });
    case 'supplyEnableLocal': {
      const via = c.supplyEnableLocal.via;
      // DOMAIN §1.5: re-enabling an armed supply needs someone on the premises.
      if (via === 'remote') return err(decodeError('invalid', 'hanCommand.supplyEnableLocal.via: expected meter or ppmid, got remote'));
      return ok({ ...head, type: 'supply.enableLocal', via });
    }
    case 'supplyEnable':
      return ok({ ...head, type: 'supply.enable' });
    case 'supplyDisable':
      return ok({ ...head, type: 'supply.disable' });
    case 'supplyArm':
      return ok({ ...head, type: 'supply.arm' });
    case 'modeSet': {
      const m = c.modeSet;
      if (m.kind === 'credit') return ok({ ...head, type: 'mode.set', mode: 'Credit' });
      return ok({ ...head, type: 'mode.set', mode: 'Prepayment', ...m.prepayment });
    }
    case 'configPrepay':
      return ok({ ...head, type: 'config.prepay', prepay: { ...c.configPrepay.prepay } });
    case 'configDebt': {
      const d = c.configDebt;
      const add: DebtRegisters = { ...d.add };
      return ok({ ...head, type: 'config.debt', add, ...(d.debt !== undefined ? { debt: debtFromMessage(d.debt) } : {}) });
    }
    case 'balanceAdjust':
      return ok({ ...head, type: 'balance.adjust', kind: c.balanceAdjust.kind, amount: c.balanceAdjust.amount });
    case 'readSupplyStatus':
      return ok({ ...head, type: 'read.supplyStatus' });
    case 'readPrepayValues':
      return ok({ ...head, type: 'read.prepayValues' });
    case 'readBalance':
      return ok({ ...head, type: 'read.balance' });
    case 'readPrepayConfig':
      return ok({ ...head, type: 'read.prepayConfig' });
    case 'updateSupplierCredentials':
      // DOMAIN §5.3: the device's security layer takes it (CommandAuthority), not the meter machine.
      return err(decodeError('invalid', 'hanCommand.updateSupplierCredentials: a security command for the device, not a meter event'));
  }
}

const capToMessage = (c: DebtCap | null): DebtCapMessage | null => (c === null ? null : { amount: c.amount, periodMs: c.periodMs });

function debtToMessage(d: DebtConfig): DebtConfigMessage {
  return {
    timeDebt1: { ...d.timeDebt1 },
    timeDebt2: { ...d.timeDebt2 },
    timeDebtCap: capToMessage(d.timeDebtCap),
    paymentDebtBasisPoints: d.paymentDebtBasisPoints,
    paymentDebtCap: capToMessage(d.paymentDebtCap),
  };
}

const capFromMessage = (c: DebtCapMessage | null): DebtCap | null => (c === null ? null : { amount: c.amount, periodMs: c.periodMs });

function debtFromMessage(d: DebtConfigMessage): DebtConfig {
  return {
    timeDebt1: { ...d.timeDebt1 },
    timeDebt2: { ...d.timeDebt2 },
    timeDebtCap: capFromMessage(d.timeDebtCap),
    paymentDebtBasisPoints: d.paymentDebtBasisPoints,
    paymentDebtCap: capFromMessage(d.paymentDebtCap),
  };
}

/** The HAN response carrying a meter's answer. */
export function toHanResponse(r: MeterResponse): HanResponse {
  return {
    ref: r.ref,
    command: KIND_OF[r.command],
    outcome: r.outcome,
    ...(r.reason !== undefined ? { reason: r.reason } : {}),
    ...(r.body !== undefined ? { body: r.body } : {}),
  };
}

/** The meter's answer a HAN response carries; every HAN response is one. */
export function fromHanResponse(h: HanResponse): MeterResponse {
  return {
    ref: h.ref,
    command: TYPE_OF[h.command],
    outcome: h.outcome,
    ...(h.reason !== undefined ? { reason: h.reason } : {}),
    ...(h.body !== undefined ? { body: h.body } : {}),
  };
}

/** The HAN command kind of a MeterEvent type (for routing and logs). */
export const hanKindOf = (t: EventType): CommandType => KIND_OF[t];
