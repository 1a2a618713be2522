import type {
  BodyValue,
  CommandAuthorisation,
  CommandType,
  ConfigDebt,
  CreditUtrn,
  DebtCapMessage,
  DebtConfigMessage,
  FailureReason,
  HanCommand,
  HanCommandBody,
  HanResponse,
  ModeSet,
  PrepayConfigMessage,
  TimeDebtRecoveryMessage,
  Via,
} from './types.ts';
import {
  enumCodec,
  InvalidMessage,
  isPresent,
  mapRecord,
  readBool,
  readBytes,
  readDouble,
  readInt64,
  readMap,
  readMessage,
  readOneof,
  readString,
  readUint32,
  readUint64,
  setOwn,
  writeInt64,
  writeUint32,
  writeUint64,
  type Wire,
} from './wire-values.ts';

/** HanCommand and HanResponse (han.proto) to and from protobufjs objects. // DOMAIN §3.2 */

const VIA = enumCodec<Via>('gbsm.v1.Via', { VIA_METER: 'meter', VIA_PPMID: 'ppmid', VIA_REMOTE: 'remote' });
const PERIOD = enumCodec<'hourly' | 'daily'>('gbsm.v1.RecoveryPeriod', {
  RECOVERY_PERIOD_HOURLY: 'hourly',
  RECOVERY_PERIOD_DAILY: 'daily',
});
const ADJUST = enumCodec<'adjust' | 'reset'>('gbsm.v1.HanCommand.BalanceAdjust.Kind', { KIND_ADJUST: 'adjust', KIND_RESET: 'reset' });
const OUTCOME = enumCodec<'success' | 'failure'>('gbsm.v1.Outcome', { OUTCOME_SUCCESS: 'success', OUTCOME_FAILURE: 'failure' });
/** Exported so the tests can check that every MeterEvent type has a code. */
export const COMMAND_TYPE = enumCodec<CommandType>('gbsm.v1.CommandType', {
  COMMAND_TYPE_CLOCK_DUE: 'clockDue',
  COMMAND_TYPE_CREDIT_UTRN: 'creditUtrn',
  COMMAND_TYPE_EC_ACTIVATE: 'ecActivate',
  COMMAND_TYPE_SUPPLY_ENABLE_LOCAL: 'supplyEnableLocal',
  COMMAND_TYPE_SUPPLY_ENABLE: 'supplyEnable',
  COMMAND_TYPE_SUPPLY_DISABLE: 'supplyDisable',
  COMMAND_TYPE_SUPPLY_ARM: 'supplyArm',
  COMMAND_TYPE_MODE_SET: 'modeSet',
  COMMAND_TYPE_CONFIG_PREPAY: 'configPrepay',
  COMMAND_TYPE_CONFIG_DEBT: 'configDebt',
  COMMAND_TYPE_BALANCE_ADJUST: 'balanceAdjust',
  COMMAND_TYPE_READ_SUPPLY_STATUS: 'readSupplyStatus',
  COMMAND_TYPE_READ_PREPAY_VALUES: 'readPrepayValues',
  COMMAND_TYPE_READ_BALANCE: 'readBalance',
  COMMAND_TYPE_READ_PREPAY_CONFIG: 'readPrepayConfig',
  COMMAND_TYPE_UPDATE_SUPPLIER_CREDENTIALS: 'updateSupplierCredentials',
});
const REASON = enumCodec<FailureReason>('gbsm.v1.FailureReason', {
  FAILURE_REASON_NOT_SUPPORTED: 'not-supported',
  FAILURE_REASON_NOT_ARMED: 'not-armed',
  FAILURE_REASON_NOT_HERE: 'not-here',
  FAILURE_REASON_ASLEEP: 'asleep',
  FAILURE_REASON_EC_NOT_AVAILABLE: 'ec-not-available',
  FAILURE_REASON_UTRN_REJECTED: 'utrn-rejected',
  FAILURE_REASON_OVER_MAX_CREDIT: 'over-max-credit',
  FAILURE_REASON_OVER_MAX_BALANCE: 'over-max-balance',
  FAILURE_REASON_NOT_AUTHORISED: 'not-authorised',
});

const DEBT_REGISTERS = ['timeDebt1', 'timeDebt2', 'paymentDebt'] as const;

// ---- HanCommand ----

/**
 * A HanCommand as protobufjs writes it. Absent optional fields are written as
 * `undefined`, which protobufjs skips: objects built by conditional spreads
 * make its encoder several times slower.
 */
export function hanCommandToWire(c: HanCommand, path: string): Wire {
  const a = c.authorisation;
  return {
    ref: c.ref,
    now: writeInt64(c.now, `${path}.now`),
    authorisation: a === undefined ? undefined : { preCommand: a.preCommand, signature: a.signature },
    [c.kind]: commandToWire(c, `${path}.${c.kind}`),
  };
}

function commandToWire(c: HanCommand, p: string): Wire {
  switch (c.kind) {
    case 'creditUtrn': {
      const u = c.creditUtrn;
      return { utrn: u.utrn, via: VIA.write(u.via), counter: u.counter === undefined ? undefined : writeUint64(u.counter, `${p}.counter`) };
    }
    case 'ecActivate':
      return { via: VIA.write(c.ecActivate.via) };
    case 'supplyEnableLocal':
      return { via: VIA.write(c.supplyEnableLocal.via) };
    case 'modeSet':
      return modeSetToWire(c.modeSet, p);
    case 'configPrepay':
      return { prepay: prepayToWire(c.configPrepay.prepay, `${p}.prepay`) };
    case 'configDebt':
      return configDebtToWire(c.configDebt, p);
    case 'balanceAdjust':
      return { kind: ADJUST.write(c.balanceAdjust.kind), amount: writeInt64(c.balanceAdjust.amount, `${p}.amount`) };
    case 'supplyEnable':
    case 'supplyDisable':
    case 'supplyArm':
    case 'readSupplyStatus':
    case 'readPrepayValues':
    case 'readBalance':
    case 'readPrepayConfig':
      return {};
    case 'updateSupplierCredentials':
      return { supplier: c.updateSupplierCredentials.supplier, publicKey: c.updateSupplierCredentials.publicKey };
  }
}

function modeSetToWire(m: ModeSet, p: string): Wire {
  if (m.kind === 'credit') return { credit: {} };
  const pp = m.prepayment;
  return {
    prepayment: {
      disablementThreshold: writeInt64(pp.disablementThreshold, `${p}.prepayment.disablementThreshold`),
      suspendDebtDisabled: pp.suspendDebtDisabled,
      suspendDebtEmergency: pp.suspendDebtEmergency,
    },
  };
}

function prepayToWire(c: PrepayConfigMessage, p: string): Wire {
  return {
    lowCreditThreshold: writeInt64(c.lowCreditThreshold, `${p}.lowCreditThreshold`),
    emergencyCreditThreshold: writeInt64(c.emergencyCreditThreshold, `${p}.emergencyCreditThreshold`),
    emergencyCreditLimit: writeInt64(c.emergencyCreditLimit, `${p}.emergencyCreditLimit`),
    disablementThreshold: writeInt64(c.disablementThreshold, `${p}.disablementThreshold`),
    maxMeterBalance: writeInt64(c.maxMeterBalance, `${p}.maxMeterBalance`),
    maxCreditThreshold: writeInt64(c.maxCreditThreshold, `${p}.maxCreditThreshold`),
    suspendDebtDisabled: c.suspendDebtDisabled,
    suspendDebtEmergency: c.suspendDebtEmergency,
  };
}

const optionalInt64 = (n: number | undefined, path: string): number | undefined => (n === undefined ? undefined : writeInt64(n, path));

function configDebtToWire(c: ConfigDebt, p: string): Wire {
  const add = {
    timeDebt1: optionalInt64(c.add.timeDebt1, `${p}.add.timeDebt1`),
    timeDebt2: optionalInt64(c.add.timeDebt2, `${p}.add.timeDebt2`),
    paymentDebt: optionalInt64(c.add.paymentDebt, `${p}.add.paymentDebt`),
  };
  return { add, debt: c.debt === undefined ? undefined : debtConfigToWire(c.debt, `${p}.debt`) };
}

function debtConfigToWire(d: DebtConfigMessage, p: string): Wire {
  const recovery = (r: TimeDebtRecoveryMessage, q: string): Wire => ({
    rate: writeInt64(r.rate, `${q}.rate`),
    period: PERIOD.write(r.period),
  });
  const cap = (c: DebtCapMessage, q: string): Wire => ({
    amount: writeInt64(c.amount, `${q}.amount`),
    periodMs: writeInt64(c.periodMs, `${q}.periodMs`),
  });
  return {
    timeDebt1: recovery(d.timeDebt1, `${p}.timeDebt1`),
    timeDebt2: recovery(d.timeDebt2, `${p}.timeDebt2`),
    timeDebtCap: d.timeDebtCap === null ? undefined : cap(d.timeDebtCap, `${p}.timeDebtCap`),
    paymentDebtBasisPoints: writeUint32(d.paymentDebtBasisPoints, `${p}.paymentDebtBasisPoints`),
    paymentDebtCap: d.paymentDebtCap === null ? undefined : cap(d.paymentDebtCap, `${p}.paymentDebtCap`),
  };
}

/**
 * A decoded HanCommand, checked. Optional fields are added by assignment and
 * parts joined with Object.assign: spreading is several times slower here.
 */
export function hanCommandFromWire(m: Wire, path: string): HanCommand {
  return Object.assign(headFromWire(m, path), commandFromWire(m, path));
}

function headFromWire(m: Wire, path: string): { ref?: string; now: number; authorisation?: CommandAuthorisation } {
  const head: { ref?: string; now: number; authorisation?: CommandAuthorisation } = { now: readInt64(m, 'now', path) };
  if (isPresent(m, 'ref')) head.ref = readString(m, 'ref', path);
  if (isPresent(m, 'authorisation')) {
    const w = readMessage(m, 'authorisation', path);
    const p = `${path}.authorisation`;
    head.authorisation = { preCommand: readBytes(w, 'preCommand', p), signature: readBytes(w, 'signature', p) };
  }
  return head;
}

function commandFromWire(m: Wire, path: string): HanCommandBody {
  const kind = readOneof(m, 'command');
  const p = `${path}.${kind}`;
  switch (kind) {
    case 'creditUtrn': {
      const w = readMessage(m, kind, path);
      const creditUtrn: { -readonly [K in keyof CreditUtrn]: CreditUtrn[K] } = {
        utrn: readString(w, 'utrn', p),
        via: VIA.read(w, 'via', p),
      };
      if (isPresent(w, 'counter')) creditUtrn.counter = readUint64(w, 'counter', p);
      return { kind, creditUtrn };
    }
    case 'ecActivate':
      return { kind, ecActivate: { via: VIA.read(readMessage(m, kind, path), 'via', p) } };
    case 'supplyEnableLocal':
      return { kind, supplyEnableLocal: { via: VIA.read(readMessage(m, kind, path), 'via', p) } };
    case 'supplyEnable':
      return { kind, supplyEnable: {} };
    case 'supplyDisable':
      return { kind, supplyDisable: {} };
    case 'supplyArm':
      return { kind, supplyArm: {} };
    case 'modeSet':
      return { kind, modeSet: modeSetFromWire(readMessage(m, kind, path), p) };
    case 'configPrepay':
      return {
        kind,
        configPrepay: { prepay: prepayFromWire(readMessage(readMessage(m, kind, path), 'prepay', p), `${p}.prepay`) },
      };
    case 'configDebt':
      return { kind, configDebt: configDebtFromWire(readMessage(m, kind, path), p) };
    case 'balanceAdjust': {
      const w = readMessage(m, kind, path);
      return { kind, balanceAdjust: { kind: ADJUST.read(w, 'kind', p), amount: readInt64(w, 'amount', p) } };
    }
    case 'readSupplyStatus':
      return { kind, readSupplyStatus: {} };
    case 'readPrepayValues':
      return { kind, readPrepayValues: {} };
    case 'readBalance':
      return { kind, readBalance: {} };
    case 'readPrepayConfig':
      return { kind, readPrepayConfig: {} };
    case 'updateSupplierCredentials': {
      const w = readMessage(m, kind, path);
      return { kind, updateSupplierCredentials: { supplier: readString(w, 'supplier', p), publicKey: readBytes(w, 'publicKey', p) } };
    }
    default:
      throw new InvalidMessage(`${path}.command`, 'a command', kind);
  }
}

function modeSetFromWire(w: Wire, p: string): ModeSet {
  const mode = readOneof(w, 'mode');
  if (mode === 'credit') return { kind: 'credit', credit: {} };
  if (mode !== 'prepayment') throw new InvalidMessage(`${p}.mode`, 'credit or prepayment', mode);
  const pp = readMessage(w, mode, p);
  const q = `${p}.prepayment`;
  return {
    kind: mode,
    prepayment: {
      disablementThreshold: readInt64(pp, 'disablementThreshold', q),
      suspendDebtDisabled: readBool(pp, 'suspendDebtDisabled', q),
      suspendDebtEmergency: readBool(pp, 'suspendDebtEmergency', q),
    },
  };
}

function prepayFromWire(w: Wire, p: string): PrepayConfigMessage {
  return {
    lowCreditThreshold: readInt64(w, 'lowCreditThreshold', p),
    emergencyCreditThreshold: readInt64(w, 'emergencyCreditThreshold', p),
    emergencyCreditLimit: readInt64(w, 'emergencyCreditLimit', p),
    disablementThreshold: readInt64(w, 'disablementThreshold', p),
    maxMeterBalance: readInt64(w, 'maxMeterBalance', p),
    maxCreditThreshold: readInt64(w, 'maxCreditThreshold', p),
    suspendDebtDisabled: readBool(w, 'suspendDebtDisabled', p),
    suspendDebtEmergency: readBool(w, 'suspendDebtEmergency', p),
  };
}

function configDebtFromWire(w: Wire, p: string): ConfigDebt {
  const a = readMessage(w, 'add', p);
  const add: { timeDebt1?: number; timeDebt2?: number; paymentDebt?: number } = {};
  for (const k of DEBT_REGISTERS) if (isPresent(a, k)) add[k] = readInt64(a, k, `${p}.add`);
  const out: { add: ConfigDebt['add']; debt?: DebtConfigMessage } = { add };
  if (isPresent(w, 'debt')) out.debt = debtConfigFromWire(readMessage(w, 'debt', p), `${p}.debt`);
  return out;
}

function debtConfigFromWire(w: Wire, p: string): DebtConfigMessage {
  const recovery = (name: string): TimeDebtRecoveryMessage => {
    const r = readMessage(w, name, p);
    return { rate: readInt64(r, 'rate', `${p}.${name}`), period: PERIOD.read(r, 'period', `${p}.${name}`) };
  };
  const cap = (name: string): DebtCapMessage | null => {
    if (!isPresent(w, name)) return null;
    const c = readMessage(w, name, p);
    return { amount: readInt64(c, 'amount', `${p}.${name}`), periodMs: readInt64(c, 'periodMs', `${p}.${name}`) };
  };
  return {
    timeDebt1: recovery('timeDebt1'),
    timeDebt2: recovery('timeDebt2'),
    timeDebtCap: cap('timeDebtCap'),
    paymentDebtBasisPoints: readUint32(w, 'paymentDebtBasisPoints', p),
    paymentDebtCap: cap('paymentDebtCap'),
  };
}

// ---- HanResponse ----

/** A HanResponse as protobufjs writes it. */
export function hanResponseToWire(r: HanResponse, path: string): Wire {
  return {
    ref: r.ref ?? undefined,
    command: COMMAND_TYPE.write(r.command),
    outcome: OUTCOME.write(r.outcome),
    reason: r.reason === undefined ? undefined : REASON.write(r.reason),
    body: r.body === undefined ? undefined : { values: mapRecord(r.body, (v, k) => bodyValueToWire(v, `${path}.body.${k}`)) },
  };
}

/**
 * Integers go as sint64 (compact, exact); every other number, including -0,
 * as double, so each value comes back as the very number it was.
 */
function bodyValueToWire(v: BodyValue, p: string): Wire {
  if (v === null) return { nullValue: 0 };
  switch (typeof v) {
    case 'string':
      return { text: v };
    case 'boolean':
      return { flag: v };
    case 'number':
      return Number.isSafeInteger(v) && !Object.is(v, -0) ? { integer: v } : { real: v };
    default:
      throw new TypeError(`${p}: expected a string, number, boolean or null, got ${typeof v}`);
  }
}

/** A decoded HanResponse, checked. */
export function hanResponseFromWire(m: Wire, path: string): HanResponse {
  const out: { -readonly [K in keyof HanResponse]: HanResponse[K] } = {
    ref: isPresent(m, 'ref') ? readString(m, 'ref', path) : null,
    command: COMMAND_TYPE.read(m, 'command', path),
    outcome: OUTCOME.read(m, 'outcome', path),
  };
  // FAILURE_REASON_UNSPECIFIED (0) is "no reason".
  if (m['reason'] !== 0) out.reason = REASON.read(m, 'reason', path);
  if (isPresent(m, 'body')) out.body = bodyFromWire(readMessage(m, 'body', path), `${path}.body`);
  return out;
}

function bodyFromWire(w: Wire, p: string): Record<string, BodyValue> {
  const values = readMap(w, 'values', p);
  const out: Record<string, BodyValue> = {};
  for (const k of Object.keys(values)) setOwn(out, k, bodyValueFromWire(readMessage(values, k, `${p}.values`), `${p}.values.${k}`));
  return out;
}

function bodyValueFromWire(w: Wire, p: string): BodyValue {
  const kind = readOneof(w, 'value');
  switch (kind) {
    case 'text':
      return readString(w, kind, p);
    case 'flag':
      return readBool(w, kind, p);
    case 'integer':
      return readInt64(w, kind, p);
    case 'real':
      return readDouble(w, kind, p);
    case 'nullValue':
      return null;
    default:
      throw new InvalidMessage(`${p}.value`, 'a value', kind);
  }
}
