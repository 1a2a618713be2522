import type { HanCommandBody, ServiceRequest, ServiceRequestKind } from '../proto/types.ts';
import { EMULATOR_CODES, reject, type Rejection } from './response-codes.ts';

/**
 * What the DSP turns a Service Request into: the command for the device. The
 * real DSP builds a GBCS command; here it is the HAN command the device twins
 * execute, carrying the same meaning. // DOMAIN §4.3, §4.10
 */

/** The SRV each modelled request body belongs to. */
export const BODY_SRV: Readonly<Record<Exclude<ServiceRequestKind, 'signedPreCommand' | 'opaque'>, string>> = Object.freeze({
  updatePaymentMode: '1.6',
  topUpDevice: '2.2',
  readInstantaneousPrepayValues: '4.3',
  readMeterBalance: '4.18',
  enableSupply: '7.1',
  disableSupply: '7.2',
  armSupply: '7.3',
  readSupplyStatus: '7.4',
});

/** The device command for a request's body, or X13 for an SRV the twin does not model. */
export function commandOf(r: ServiceRequest): HanCommandBody | Rejection {
  switch (r.kind) {
    case 'updatePaymentMode': {
      const u = r.updatePaymentMode;
      // DOMAIN §1.6: SR 1.6 sets the payment mode; ECS02 / GCS02 (Credit), ECS03 / GCS03 (Prepayment).
      if (u.kind === 'credit') return { kind: 'modeSet', modeSet: { kind: 'credit', credit: {} } };
      return { kind: 'modeSet', modeSet: { kind: 'prepayment', prepayment: { ...u.prepayment } } };
    }
    case 'topUpDevice':
      return { kind: 'creditUtrn', creditUtrn: { utrn: r.topUpDevice.utrn, via: 'remote' } };
    case 'readInstantaneousPrepayValues':
      return { kind: 'readPrepayValues', readPrepayValues: {} };
    case 'readMeterBalance':
      return { kind: 'readBalance', readBalance: {} };
    case 'enableSupply':
      return { kind: 'supplyEnable', supplyEnable: {} };
    case 'disableSupply':
      return { kind: 'supplyDisable', supplyDisable: {} };
    case 'armSupply':
      return { kind: 'supplyArm', supplyArm: {} };
    case 'readSupplyStatus':
      return { kind: 'readSupplyStatus', readSupplyStatus: {} };
    case 'opaque':
    case 'signedPreCommand':
      return reject(EMULATOR_CODES.X13, `SRV ${r.header.serviceReferenceVariant}: the twin does not model this request's body`);
  }
}

/** Whether a device command changes payment mode to Credit: the one content MP134B lets the SoLR Contingency role send. // MP134B req 5 */
export const isChangeToCredit = (c: HanCommandBody): boolean => c.kind === 'modeSet' && c.modeSet.kind === 'credit';
